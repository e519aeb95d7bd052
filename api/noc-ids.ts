import { createHash } from 'node:crypto';

/** Crockford's base32: no I, L, O or U, so ids read aloud and typed by hand survive. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The NOC's id, e.g. NOC-2026-7K3QX9TB. It is derived from who asks and the command id, so a request
 * retried with the same Idempotency-Key names the same NOC (and Temporal refuses to start it twice);
 * with a fresh random command id it is as random as the command id.
 */
export function nocIdFor(userId: string, commandId: string, at: Date = new Date()): string {
  const digest = createHash('sha256').update(`${userId}\u0000${commandId}`).digest();
  let suffix = '';
  for (let i = 0; i < 8; i++) suffix += ALPHABET[(digest[i] as number) % 32];
  return `NOC-${at.getUTCFullYear()}-${suffix}`;
}
