import { readFileSync } from 'node:fs';
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
