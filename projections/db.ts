import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** The read-model database: one better-sqlite3 file that the projector writes and the API reads. */
export type ReadModelDb = Database.Database;

export interface OpenReadModelOptions {
  /** The API opens it read-only; only the projector writes. */
  readonly?: boolean;
}

/**
 * Opens (and creates) the read-model database. WAL lets the API read while the projector writes;
 * synchronous NORMAL is enough because every read model can be rebuilt from the event store, and the
 * checkpoint commits in the same transaction as the rows it covers, so a lost tail is simply re-projected.
 */
export function openReadModelDb(path: string, options: OpenReadModelOptions = {}): ReadModelDb {
  const memory = path === ':memory:' || path === '';
  if (!memory && !options.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  // Another process (a rebuild CLI, the API) may hold the lock briefly; wait rather than fail.
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    if (!memory) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // 64 MiB of page cache (SQLite's default is 2 MiB): a rebuild touches every table's b-trees for
    // every event, and past a few hundred thousand events they no longer fit the default.
    db.pragma('cache_size = -65536');
    ensureCheckpointTable(db);
  }
  return db;
}

/** One row per projection: how far it has read the log, under which version of its code, and why it stopped. */
export function ensureCheckpointTable(db: ReadModelDb): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS projection_checkpoints (
      name TEXT PRIMARY KEY,
      -- NULL until the projection has applied its first event; then positionToString() of the last one.
      position TEXT,
      version INTEGER NOT NULL,
      updated_at TEXT NOT NULL,
      -- Set when the projection stopped on an event it could not apply; cleared by the next commit.
      error TEXT
    )
  `);
}
