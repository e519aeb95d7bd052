import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes: guessing one is hopeless, so a fast hash is enough to store it. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Only this digest is stored: a leaked identity database does not hand out live sessions. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A password for accounts created without one, shown once to whoever created the account. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
