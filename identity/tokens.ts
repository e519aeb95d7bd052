import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes: guessing one is hopeless, so a fast hash is enough to store it. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Only this digest is stored: a leaked identity database does not hand out live sessions. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * What a session token is for: the API's bearer tokens and the UI's cookies are distinct kinds, so a
 * cookie lifted from a browser is no bearer token and an API token pasted into a cookie opens no page.
 */
export type TokenKind = 'api' | 'ui';

/**
 * The stored digest binds the token to its kind: looking a token up as the other kind finds nothing.
 * API tokens keep the plain digest they always had, so sessions live across the upgrade.
 */
export function sessionDigest(token: string, kind: TokenKind): string {
  return hashToken(kind === 'api' ? token : `${kind}:${token}`);
}

/** A password for accounts created without one, shown once to whoever created the account. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
