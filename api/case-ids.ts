import { createHash } from 'node:crypto';

/** Crockford's base32: no I, L, O or U, so ids read aloud and typed by hand survive. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A case id such as NOC-2026-7K3QX9TB: derived from who starts the case and the command id, so a start
 * retried with the same Idempotency-Key names the same case (and Temporal refuses to start it twice);
 * with a fresh random command id it is as random as the command id. `salt` keeps the kinds apart.
 */
function derivedCaseId(prefix: string, salt: readonly string[], userId: string, commandId: string, at: Date): string {
  const digest = createHash('sha256')
    .update([...salt, userId, commandId].join('\u0000'))
    .digest();
  let suffix = '';
  for (let i = 0; i < 8; i++) suffix += ALPHABET[(digest[i] as number) % 32];
  return `${prefix}-${at.getUTCFullYear()}-${suffix}`;
}

/** A NOC, e.g. NOC-2026-7K3QX9TB. */
export const nocIdFor = (userId: string, commandId: string, at: Date = new Date()): string => derivedCaseId('NOC', [], userId, commandId, at);

/** An accreditation application, e.g. ACC-2026-7K3QX9TB. */
export const applicationIdFor = (userId: string, commandId: string, at: Date = new Date()): string =>
  derivedCaseId('ACC', ['accreditation'], userId, commandId, at);

/** A review opened by hand, e.g. REV-2026-7K3QX9TB. (The engine's own reviews are named by their cause.) */
export const reviewIdFor = (userId: string, commandId: string, at: Date = new Date()): string => derivedCaseId('REV', ['REV'], userId, commandId, at);

/** A significant change request, e.g. CHG-2026-7K3QX9TB. */
export const changeIdFor = (userId: string, commandId: string, at: Date = new Date()): string => derivedCaseId('CHG', ['CHG'], userId, commandId, at);
