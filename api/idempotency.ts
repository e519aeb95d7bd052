import type { FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';
import { DomainError } from '../domain/shared/errors';
import type { IdempotencyClaim, IdempotencyStore, RecordedAnswer, RequestFingerprint } from './idempotency-store';
import { requestDigest } from './idempotency-store';
import type { AnyRoute } from './route';
import { IdempotencyKey } from './routes/common';

/** Sent with an answer that is the recorded first answer of the same request, not a new one. */
export const REPLAYED_HEADER = 'idempotent-replayed';

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by buildApi; the UI's forms use the same one, over the same record. */
    idempotency: IdempotencyGate;
  }
}

/**
 * The one use of the idempotency record (api/idempotency-store.ts), for every API route that honours
 * an Idempotency-Key and every UI form that carries a command id: `before`/`beforeForm` run after the
 * sign-in and the input checks and before any work; `onSend` (a hook) records a success answer as
 * sent and frees the key after a failure, so that a retry after a 503 or a refusal does the work then.
 *
 * A resend that finds its first sending still in flight within the seal window is let through rather
 * than refused: the process still knows the command it may have taken (Temporal's update id
 * `userId:commandId`, the workflow id of a start, the notes' note id, the taken commands handed over
 * continue-as-new), so it answers it once; and the first sending of an API process that died while
 * answering would otherwise hold its key for the whole retention period. Later than that window the
 * process may have let go of the command, so an unanswered first sending is refused as of unknown outcome.
 */
export interface IdempotencyGate {
  /** Answers a replay or refuses a reused key; true when the reply was sent and the handler must not run. */
  before(route: AnyRoute, request: FastifyRequest, reply: FastifyReply, key: string | undefined): boolean;
  /**
   * A UI form post carrying `commandId` (ui/forms.ts): its success is a redirect, recorded with where it
   * went; `fields` are what identifies the request (the form's fields, its files' hashes).
   */
  beforeForm(request: FastifyRequest, reply: FastifyReply, commandId: string | undefined, fields: unknown): boolean;
  onSend: onSendHookHandler;
}

interface Pending {
  userId: string;
  key: string;
  request: RequestFingerprint;
  /** The answer to record, when it is a success worth replaying. */
  answerOf(reply: FastifyReply, payload: unknown): RecordedAnswer | undefined;
}

/** The API's JSON answers: a 2xx, as serialised. */
function apiAnswer(reply: FastifyReply, payload: unknown): RecordedAnswer | undefined {
  const status = reply.statusCode;
  if (status < 200 || status >= 300 || !(typeof payload === 'string' || payload === null || payload === undefined)) return undefined;
  return { status, contentType: String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8'), body: payload ?? '' };
}

/** A form's success: the redirect after it (a page rendered with 2xx carries a form token of its moment, and is not replayed). */
function formAnswer(reply: FastifyReply): RecordedAnswer | undefined {
  const location = reply.getHeader('location');
  if (reply.statusCode < 300 || reply.statusCode >= 400 || typeof location !== 'string') return undefined;
  return { status: reply.statusCode, contentType: 'text/plain; charset=utf-8', body: '', location };
}

export function createIdempotencyGate(store: IdempotencyStore): IdempotencyGate {
  const pending = new WeakMap<FastifyRequest, Pending>();

  /** Claims the key, answering a replay or refusing a reuse; true when the reply was sent. */
  function claim(request: FastifyRequest, reply: FastifyReply, entry: Pending): boolean {
    let found: IdempotencyClaim;
    try {
      found = store.claim(entry.userId, entry.key, entry.request);
    } catch (err) {
      // Its disk full or its file locked too long: nothing was done, and a retry with the key is safe.
      request.log.error({ err }, 'idempotency record unavailable');
      throw new DomainError('UNAVAILABLE', 'The API could not look up or record this request’s Idempotency-Key; nothing was done; try again with the same key');
    }
    switch (found.kind) {
      case 'replay': {
        const { answer } = found;
        void reply.code(answer.status).header(REPLAYED_HEADER, 'true');
        if (answer.location !== undefined) void reply.header('location', answer.location);
        void reply.header('content-type', answer.contentType).send(answer.body);
        return true;
      }
      case 'reused':
        throw new DomainError(
          'IDEMPOTENCY_KEY_REUSED',
          `Idempotency-Key ${entry.key} already names another request of yours (${found.firstRoute}, or the same route with another body); a key names one request: send a new key for a new request`,
          'Idempotency-Key',
        );
      case 'outcome-unknown':
        throw new DomainError(
          'IDEMPOTENCY_OUTCOME_UNKNOWN',
          `Idempotency-Key ${entry.key} was first sent at ${found.firstSeen} and its answer was never recorded (the API stopped while answering); the case may have taken it, and it is too late to ask it again safely: look at the case, and send a new key if it still needs doing`,
          'Idempotency-Key',
        );
      case 'new':
      case 'in-flight':
        pending.set(request, entry);
        return false;
    }
  }

  return {
    before(route, request, reply, key) {
      const userId = request.actor?.userId;
      if (!route.idempotent || key === undefined || userId === undefined) return false;
      // As parsed, before the route's schema fills defaults: what the client sent, whatever the field order.
      const body = route.rawBody ? request.body : (request.body ?? {});
      const digest = requestDigest(route.method, request.url.split('?')[0] ?? request.url, body);
      return claim(request, reply, { userId, key, request: { method: route.method, route: route.url, digest }, answerOf: apiAnswer });
    },
    beforeForm(request, reply, commandId, fields) {
      const userId = request.actor?.userId;
      const key = IdempotencyKey.safeParse(commandId);
      if (userId === undefined || !key.success) return false;
      const digest = requestDigest(request.method, request.url.split('?')[0] ?? request.url, fields);
      return claim(request, reply, { userId, key: key.data, request: { method: request.method, route: request.routeOptions.url ?? request.url, digest }, answerOf: formAnswer });
    },
    async onSend(request, reply, payload) {
      const entry = pending.get(request);
      if (entry === undefined) return payload;
      pending.delete(request);
      try {
        const answer = entry.answerOf(reply, payload);
        if (answer !== undefined) store.answered(entry.userId, entry.key, entry.request, answer);
        else store.failed(entry.userId, entry.key, entry.request.digest);
      } catch (err) {
        // The work is done either way: the client gets its answer; a resend then finds the record in flight
        // and reaches the process, which answers it once within the seal window.
        request.log.error({ err }, 'idempotency record not updated');
      }
      return payload;
    },
  };
}
