import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Actor } from '../domain/shared/actor';
import type { Identity } from '../identity/identity';
import { hashToken } from '../identity/tokens';

/** A session ends after this long without a request, however long its token would still live. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60 * 1000;

export type Resumed = { kind: 'live'; actor: Actor } | { kind: 'idle' } | { kind: 'none' };

/**
 * Browser sessions on top of the identity's tokens: the cookie holds a login token of the 'ui' kind
 * (a new one at each login; it is no API bearer token), the identity enforces expiry and revocation, and this adds the idle timeout and the CSRF
 * tokens, which are an HMAC of the session token (or, before login, of a random form nonce) with the
 * server secret: nothing to store, and a token from one session is useless in another.
 */
export interface UiSessions {
  started(token: string, expiresAt: string): void;
  /**
   * The session behind a cookie token. An automatic request (the queue's periodic reload) is checked
   * against the idle timeout like any other but does not count as activity: a screen left open on the
   * queue still times out.
   */
  resume(token: string, options?: { automatic?: boolean }): Resumed;
  end(token: string): void;
  csrfFor(seed: string): string;
  csrfValid(seed: string, given: unknown): boolean;
}

export interface UiSessionsOptions {
  identity: Pick<Identity, 'authenticate' | 'logout'>;
  db: Database.Database;
  secret: Buffer;
  idleTimeoutMs?: number;
  now?: () => number;
}

export function createUiSessions(options: UiSessionsOptions): UiSessions {
  const { identity, db, secret } = options;
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const stmt = {
    insert: db.prepare<[string, number, number]>(
      'INSERT OR REPLACE INTO ui_sessions (token_hash, last_seen_ms, expires_ms) VALUES (?, ?, ?)',
    ),
    get: db.prepare<[string], { last_seen_ms: number }>('SELECT last_seen_ms FROM ui_sessions WHERE token_hash = ?'),
    touch: db.prepare<[number, string]>('UPDATE ui_sessions SET last_seen_ms = ? WHERE token_hash = ?'),
    remove: db.prepare<[string]>('DELETE FROM ui_sessions WHERE token_hash = ?'),
    purge: db.prepare<[number]>('DELETE FROM ui_sessions WHERE expires_ms <= ?'),
  };
  const csrfFor = (seed: string): string => createHmac('sha256', secret).update(`csrf:${seed}`).digest('base64url');

  return {
    started(token, expiresAt) {
      const at = now();
      stmt.purge.run(at);
      stmt.insert.run(hashToken(token), at, Date.parse(expiresAt));
    },
    resume(token, { automatic = false } = {}) {
      const tokenHash = hashToken(token);
      const row = stmt.get.get(tokenHash);
      // A token the UI did not hand out (an API token pasted into a cookie) is not a browser session.
      if (!row) return { kind: 'none' };
      const at = now();
      if (at - row.last_seen_ms > idleMs) {
        identity.logout(token, 'ui');
        stmt.remove.run(tokenHash);
        return { kind: 'idle' };
      }
      const actor = identity.authenticate(token, 'ui');
      if (!actor) {
        stmt.remove.run(tokenHash);
        return { kind: 'none' };
      }
      if (!automatic) stmt.touch.run(at, tokenHash);
      return { kind: 'live', actor };
    },
    end(token) {
      identity.logout(token, 'ui');
      stmt.remove.run(hashToken(token));
    },
    csrfFor,
    csrfValid(seed, given) {
      if (typeof given !== 'string') return false;
      const expected = Buffer.from(csrfFor(seed));
      const actual = Buffer.from(given);
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}

export const newFormNonce = (): string => randomBytes(24).toString('base64url');
