import { z } from 'zod';
import { DomainError } from '../../domain/shared/errors';

/** Client-chosen command ids: retried requests with the same key do their work once. */
export const IdempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:-]+$/, 'must be 1 to 200 letters, digits, dots, colons, dashes or underscores');

export const IDEMPOTENCY_HEADER = 'idempotency-key';

export function readIdempotencyKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const raw = headers[IDEMPOTENCY_HEADER];
  if (raw === undefined) return undefined;
  const parsed = IdempotencyKey.safeParse(Array.isArray(raw) ? raw[0] : raw);
  if (!parsed.success) {
    throw new DomainError('VALIDATION_FAILED', `Idempotency-Key: ${parsed.error.issues[0]?.message ?? 'invalid'}`, 'Idempotency-Key');
  }
  return parsed.data;
}
