import { z } from 'zod';
import { DomainError, ERROR_CODES, isErrorCode, type ErrorCode, type ErrorKind } from '../domain/shared/errors';
import { validationError } from '../identity/validation';

/** Each kind of error has one HTTP status; the code says which rule, the status says what to do about it. */
export const STATUS_OF_KIND: Record<ErrorKind, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  rule: 422,
  'rate-limited': 429,
  internal: 500,
  unavailable: 503,
};

/**
 * Retry-After (seconds) on every 503 UNAVAILABLE: "not now" answers (the process engine lagging or
 * unreachable, the event store full) are worth a retry after a pause, with the same Idempotency-Key.
 */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

export const ErrorBody = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    /** The input field the error is about, as a dotted path ("systems.0"), when there is one. */
    field: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export function statusOf(error: DomainError): number {
  return STATUS_OF_KIND[error.kind];
}

export function errorBody(error: DomainError): ErrorBody {
  return { error: error.toJSON() };
}

/**
 * Whatever was thrown, as a DomainError: domain refusals pass through, zod failures become
 * VALIDATION_FAILED naming the first field, Fastify's own client errors (bad content type, body too
 * large) are validation errors, and anything else is an internal error whose details stay in the log:
 * the client learns only the request id, which finds the log line.
 */
export function asDomainError(err: unknown, requestId?: string): DomainError {
  if (err instanceof DomainError) return err;
  if (err instanceof z.ZodError) return validationError(err);
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (isErrorCode(e.code)) return new DomainError(e.code, String(e.message ?? e.code));
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 && typeof e.message === 'string') {
    return new DomainError('VALIDATION_FAILED', e.message);
  }
  return new DomainError('INTERNAL_ERROR', `An internal error stopped this request; it is logged${requestId ? ` under request id ${requestId}` : ''}`);
}
