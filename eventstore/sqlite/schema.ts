import type Database from 'better-sqlite3';

export type SqliteSynchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

/**
 * The log: one row per event, its rowid is the global position (AUTOINCREMENT so a position is never
 * reused, even after the last row is deleted). `streams` holds each stream's last revision so the
 * expected-revision check is one primary-key lookup.
 */
export const EVENTS_SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  global_position INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  stream TEXT NOT NULL,
  revision INTEGER NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  UNIQUE (stream, revision)
);
CREATE TABLE IF NOT EXISTS streams (
  stream TEXT PRIMARY KEY,
  revision INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** How long a writer waits for another process's write transaction before giving up. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * WAL lets readers (projectors in other processes) run beside the writer; `synchronous` trades
 * durability of the last commits on power loss for speed (FULL: every commit is on disk).
 */
export function applyPragmas(db: Database.Database, synchronous: SqliteSynchronous, busyTimeoutMs = BUSY_TIMEOUT_MS): void {
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
}
