import { readFileSync } from 'node:fs';
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions, type GrpcRetryOptions } from '@temporalio/client';
import type { AppConfig } from './config';

/**
 * What Connection.connect (client) and NativeConnection.connect (worker) take to reach the Temporal
 * frontend: the address and, when configured, TLS — the CA that signed the server's certificate, the
 * name it must carry, and this process's client certificate for mutual TLS. Files are read on each
 * connect, so renewed certificates are picked up on restart without a configuration change.
 */
export function temporalConnectionOptions(temporal: AppConfig['temporal']): {
  address: string;
  tls?: { serverNameOverride?: string; serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer } };
} {
  const tls = temporal.tls;
  if (!tls) return { address: temporal.address };
  return {
    address: temporal.address,
    tls: {
      ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
      ...(tls.caFile ? { serverRootCACertificate: readFileSync(tls.caFile) } : {}),
      ...(tls.certFile && tls.keyFile ? { clientCertPair: { crt: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) } } : {}),
    },
  };
}

type GrpcInterceptor = NonNullable<ConnectionOptions['interceptors']>[number];
type GrpcStatus = Parameters<GrpcRetryOptions['retryableDecider']>[1];

/** Marks the status of a call given up on for want of a reachable server, for the gateways' message. */
export const UNREACHABLE_MARK = 'temporal-unreachable-after-ms=';

/**
 * The client's own retry (10 attempts, backoff up to 5 s: about 20 s when the frontend refuses
 * connections), held to `timeoutMs` from the call's start. A person waiting on a write should hear
 * "unavailable" within that bound, not 20 s later. It bounds only the retrying of calls that failed
 * (connection refused, reset, unavailable); an attempt the server is working on is never cut, so a
 * slow but alive Temporal still completes long updates.
 */
export function boundedRetryInterceptor(timeoutMs: number): GrpcInterceptor {
  const defaults = defaultGrpcRetryOptions();
  return (options, nextCall) => {
    const started = Date.now();
    const elapsed = (): number => Date.now() - started;
    return makeGrpcRetryInterceptor({
      retryableDecider(attempt: number, status: GrpcStatus): boolean {
        if (!defaults.retryableDecider(attempt, status)) return false;
        if (elapsed() < timeoutMs) return true;
        // Mutated in place: the retry interceptor passes this very object on to the caller.
        status.details = `${status.details} (${UNREACHABLE_MARK}${timeoutMs})`;
        return false;
      },
      delayFunction(attempt: number, status: GrpcStatus): number {
        return Math.max(0, Math.min(defaults.delayFunction(attempt, status), timeoutMs - elapsed()));
      },
    })(options, nextCall);
  };
}

/** The API's connection options: as the worker's, with the retry of an unreachable frontend bounded. */
export function apiTemporalConnectionOptions(temporal: AppConfig['temporal']): ReturnType<typeof temporalConnectionOptions> & {
  interceptors: GrpcInterceptor[];
} {
  return { ...temporalConnectionOptions(temporal), interceptors: [boundedRetryInterceptor(temporal.unreachableTimeoutMs)] };
}
