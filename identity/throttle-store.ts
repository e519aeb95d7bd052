import type Database from 'better-sqlite3';
import { openIdentityDb } from './db';

/**
 * Where the sign-in throttle (api/login-throttle.ts) keeps its counts: in the identity database, so
 * that several API processes on one database count together and a restart keeps a lockout. Counts are
 * fixed windows, as @fastify/rate-limit's own stores keep them; times are the caller's milliseconds.
 */
export interface WindowCount {
  /** Failures counted in the window so far. */
  current: number;
  /** Milliseconds until the window ends (0 when none is open). */
  ttl: number;
}

export interface ThrottleStore {
  /** Counts one more in the key's window, opening a new window when none is open at `nowMs`. */
  incr(key: string, windowMs: number, nowMs: number): WindowCount;
  /** The key's window as it stands, changing nothing. */
  read(key: string, windowMs: number, nowMs: number): WindowCount;
  /** The address signed in to the account; it stays known until `untilMs`. */
  markKnown(account: string, address: string, untilMs: number): void;
  isKnown(account: string, address: string, nowMs: number): boolean;
}

/** Expired windows and known addresses are deleted at most this often. */
const PURGE_EVERY_MS = 60_000;

export function createSqliteThrottleStore(db: Database.Database): ThrottleStore {
  const stmt = {
    get: db.prepare<[string], { count: number; window_start_ms: number }>(
      'SELECT count, window_start_ms FROM throttle_counters WHERE key = ?',
    ),
    open: db.prepare<[string, number, number]>(
      `INSERT INTO throttle_counters (key, count, window_start_ms, window_ms) VALUES (?, 1, ?, ?)
       ON CONFLICT (key) DO UPDATE SET count = 1, window_start_ms = excluded.window_start_ms, window_ms = excluded.window_ms`,
    ),
    bump: db.prepare<[string]>('UPDATE throttle_counters SET count = count + 1 WHERE key = ?'),
    purgeCounters: db.prepare<[number]>('DELETE FROM throttle_counters WHERE window_start_ms + window_ms <= ?'),
    markKnown: db.prepare<[string, string, number]>(
      `INSERT INTO throttle_known_addresses (account, address, until_ms) VALUES (?, ?, ?)
       ON CONFLICT (account, address) DO UPDATE SET until_ms = max(until_ms, excluded.until_ms)`,
    ),
    isKnown: db.prepare<[string, string, number], { one: number }>(
      'SELECT 1 AS one FROM throttle_known_addresses WHERE account = ? AND address = ? AND until_ms > ?',
    ),
    purgeKnown: db.prepare<[number]>('DELETE FROM throttle_known_addresses WHERE until_ms <= ?'),
  };

  let purgedAt = 0;
  const purge = (nowMs: number): void => {
    if (nowMs - purgedAt < PURGE_EVERY_MS) return;
    purgedAt = nowMs;
    stmt.purgeCounters.run(nowMs);
    stmt.purgeKnown.run(nowMs);
  };

  const live = (key: string, windowMs: number, nowMs: number) => {
    const row = stmt.get.get(key);
    return row && row.window_start_ms + windowMs > nowMs ? row : undefined;
  };

  // IMMEDIATE: two processes counting the same key take the write lock before reading it.
  const incr = db.transaction((key: string, windowMs: number, nowMs: number): WindowCount => {
    purge(nowMs);
    const row = live(key, windowMs, nowMs);
    if (!row) {
      stmt.open.run(key, nowMs, windowMs);
      return { current: 1, ttl: windowMs };
    }
    stmt.bump.run(key);
    return { current: row.count + 1, ttl: windowMs - (nowMs - row.window_start_ms) };
  });

  return {
    incr: (key, windowMs, nowMs) => incr.immediate(key, windowMs, nowMs),
    read(key, windowMs, nowMs) {
      const row = live(key, windowMs, nowMs);
      return row ? { current: row.count, ttl: windowMs - (nowMs - row.window_start_ms) } : { current: 0, ttl: 0 };
    },
    markKnown(account, address, untilMs) {
      stmt.markKnown.run(account, address, untilMs);
    },
    isKnown(account, address, nowMs) {
      return stmt.isKnown.get(account, address, nowMs) !== undefined;
    },
  };
}

/** A store on its own connection to the identity database file (config.identityPath), or ':memory:'. */
export function openThrottleStore(path: string): ThrottleStore & { close(): void } {
  const db = openIdentityDb(path);
  return { ...createSqliteThrottleStore(db), close: () => db.close() };
}
