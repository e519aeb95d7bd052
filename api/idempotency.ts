import type { FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';
import { DomainError } from '../domain/shared/errors';
import type { IdempotencyStore, RequestFingerprint } from './idempotency-store';
import { requestDigest } from './idempotency-store';
import type { AnyRoute } from './route';

/** Sent with an answer that is the recorded first answer of the same request, not a new one. */
export const REPLAYED_HEADER = 'idempotent-replayed';

/**
 * The route layer's use of the idempotency record (api/idempotency-store.ts), for every route that
 * honours an Idempotency-Key: `before` runs after the sign-in and the input checks and before any
 * work; `onSend` (a route hook) records a success answer as sent, byte for byte, and frees the key
 * after a failure, so that a retry after a 503 or a refusal does the work then.
 *
 * A resend that finds its first sending still in flight is let through rather than refused: it is
 * then seconds old, well within the processes' seal window and the same run, where Temporal's update
 * id (`userId:commandId`), the workflow id of a start and the notes' note id answer it once; and a
 * first sending whose API process died before answering leaves a record in flight that a refusal would
 * hold for the whole retention period.
 */
export interface IdempotencyGate {
  /** Answers a replay or refuses a reused key; true when the reply was sent and the handler must not run. */
  before(route: AnyRoute, request: FastifyRequest, reply: FastifyReply, key: string | undefined): boolean;
  onSend: onSendHookHandler;
}

interface Pending {
  userId: string;
  key: string;
  request: RequestFingerprint;
}

export function createIdempotencyGate(store: IdempotencyStore): IdempotencyGate {
  const pending = new WeakMap<FastifyRequest, Pending>();
  return {
    before(route, request, reply, key) {
      const userId = request.actor?.userId;
      if (!route.idempotent || key === undefined || userId === undefined) return false;
      // As parsed, before the route's schema fills defaults: what the client sent, whatever the field order.
      const body = route.rawBody ? request.body : (request.body ?? {});
      const fingerprint: RequestFingerprint = {
        method: route.method,
        route: route.url,
        digest: requestDigest(route.method, request.url.split('?')[0] ?? request.url, body),
      };
      let claim: ReturnType<IdempotencyStore['claim']>;
      try {
        claim = store.claim(userId, key, fingerprint);
      } catch (err) {
        // Its disk full or its file locked too long: nothing was done, and a retry with the key is safe.
        request.log.error({ err }, 'idempotency record unavailable');
        throw new DomainError('UNAVAILABLE', 'The API could not look up or record this request’s Idempotency-Key; nothing was done; try again with the same key');
      }
      switch (claim.kind) {
        case 'replay':
          void reply.code(claim.answer.status).header('content-type', claim.answer.contentType).header(REPLAYED_HEADER, 'true').send(claim.answer.body);
          return true;
        case 'reused':
          throw new DomainError(
            'IDEMPOTENCY_KEY_REUSED',
            `Idempotency-Key ${key} already names another request of yours (${claim.firstRoute}, or the same route with another body); a key names one request: send a new key for a new request`,
            'Idempotency-Key',
          );
        case 'new':
        case 'in-flight':
          pending.set(request, { userId, key, request: fingerprint });
          return false;
      }
    },
    async onSend(request, reply, payload) {
      const entry = pending.get(request);
      if (entry === undefined) return payload;
      pending.delete(request);
      const status = reply.statusCode;
      try {
        if (status >= 200 && status < 300 && (typeof payload === 'string' || payload === null || payload === undefined)) {
          const contentType = String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8');
          store.answered(entry.userId, entry.key, entry.request, { status, contentType, body: payload ?? '' });
        } else {
          store.failed(entry.userId, entry.key, entry.request.digest);
        }
      } catch (err) {
        // The work is done either way: the client gets its answer; a resend then finds the record in flight
        // and reaches the process, which answers it once within the seal window.
        request.log.error({ err }, 'idempotency record not updated');
      }
      return payload;
    },
  };
}
