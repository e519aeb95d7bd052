import type Database from 'better-sqlite3';

export type SqliteSynchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

/**
 * The log: one row per event, its rowid is the global position (AUTOINCREMENT so a position is never
 * reused, even after the last row is deleted). `streams` holds each stream's last revision so the
 * expected-revision check is one primary-key lookup, and the hash-chain link of the event at that
 * revision (`head_hash`, valid only while `head_hash_revision` equals `revision`), so the link an append
 * chains onto comes in the same lookup instead of a second read of the head event's row.
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
  revision INTEGER NOT NULL,
  head_hash TEXT,
  head_hash_revision INTEGER
) WITHOUT ROWID;
`;

/**
 * Creates the tables, and gives a `streams` table of an earlier release (stream and revision only) the
 * head-hash columns. Their rows start with the hash unknown (NULL), as do rows an earlier release's
 * process, still writing to the same file, moves on: it sets `revision` alone, so `head_hash_revision`
 * no longer matches and the store reads the head event's link from its row, as it always did.
 */
export function ensureSchema(db: Database.Database): void {
  db.exec(EVENTS_SCHEMA);
  const hasHeadHash = (): boolean =>
    (db.pragma('table_info(streams)') as { name: string }[]).some((column) => column.name === 'head_hash_revision');
  if (hasHeadHash()) return;
  // Under the write lock, checked again: another process opening the same file may have added them.
  db.transaction(() => {
    if (hasHeadHash()) return;
    db.exec('ALTER TABLE streams ADD COLUMN head_hash TEXT; ALTER TABLE streams ADD COLUMN head_hash_revision INTEGER;');
  }).immediate();
}

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
