import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { START, comparePositions, type EventStore, type Position } from '../eventstore/port';
import { rebuildAsOf } from './as-of';
import { dropDeferredSchema, finishSchema } from './deferred-schema';
import { writeCheckpoint } from './checkpoints';
import type { ReadModelDb } from './db';
import type { Projection } from './projection';

/** Events per transaction while filling the scratch file: each commit writes the pages it dirtied once. */
const REBUILD_PAGE = 25_000;

/**
 * A scratch database for a rebuild: nobody else opens it and it is thrown away if anything fails, so it
 * needs no journal, no fsync and no locking between transactions; a large page cache keeps the b-trees
 * of every read model in memory while the log is replayed.
 */
function openScratch(path: string): ReadModelDb {
  const db = new Database(path);
  // better-sqlite3 opens connections in SQLite's defensive mode, which ignores journal_mode = OFF (it
  // answers "delete" and keeps writing a rollback journal); the pragma is allowed outside it, and the
  // mode it sets outlives it.
  db.unsafeMode(true);
  db.pragma('journal_mode = OFF');
  db.unsafeMode(false);
  if (db.pragma('journal_mode', { simple: true }) !== 'off') throw new Error(`The rebuild's scratch file ${path} kept its journal`);
  db.pragma('synchronous = OFF');
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -262144');
  return db;
}

function tableNames(db: ReadModelDb): Set<string> {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
  return new Set(rows.map((r) => r.name));
}

/**
 * The tables each projection owns: those its reset drops. Tables its setup creates that survive a reset
 * (the mail dispatcher's, which record what was mailed, not what the log says) are not rebuilt.
 */
function ownedTables(projections: readonly Projection[]): Map<string, string[]> {
  const probe = new Database(':memory:');
  try {
    for (const p of projections) p.setup(probe);
    const owned = new Map<string, string[]>();
    for (const p of projections) {
      const before = tableNames(probe);
      p.reset(probe);
      const after = tableNames(probe);
      owned.set(p.name, [...before].filter((t) => !after.has(t)).sort());
      p.setup(probe);
    }
    return owned;
  } finally {
    probe.close();
  }
}

/** Beside the read models (the same disk), or in tmp for an in-memory database. */
function scratchPathFor(db: ReadModelDb): string {
  const memory = db.memory || db.name === '' || db.name === ':memory:';
  const base = memory ? join(tmpdir(), 'cloud-office-readmodels') : db.name;
  return `${base}.rebuild-${process.pid}-${Date.now()}`;
}

const quote = (name: string): string => JSON.stringify(name);

/**
 * The scratch file needs no triggers: the only ones (the mail's pending list) write tables a rebuild
 * does not own, which are not copied; the copy into the live database fires them there, row by row,
 * as the per-event path would have.
 */
function dropTriggers(db: ReadModelDb): void {
  const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as { name: string }[];
  for (const t of triggers) db.exec(`DROP TRIGGER ${quote(t.name)}`);
}

const columnsOf = (db: ReadModelDb, schema: string, table: string): { name: string }[] =>
  db.prepare(`PRAGMA ${schema}.table_info(${quote(table)})`).all() as { name: string }[];

/**
 * Copies a rebuilt table into the live one. When both have the same columns (as a setup creates them),
 * `INSERT INTO … SELECT *` lets SQLite move the records and index entries without decoding them (its
 * transfer optimization: an empty table without triggers, with the same indexes in the scratch file);
 * otherwise the columns are named.
 */
function copyStatement(db: ReadModelDb, table: string): string {
  const live = columnsOf(db, 'main', table);
  if (JSON.stringify(live) === JSON.stringify(columnsOf(db, 'rebuilt', table))) return `INSERT INTO main.${quote(table)} SELECT * FROM rebuilt.${quote(table)}`;
  const columns = live.map((c) => quote(c.name)).join(', ');
  return `INSERT INTO main.${quote(table)} (${columns}) SELECT ${columns} FROM rebuilt.${quote(table)}`;
}

/**
 * Rebuilds `targets` from the whole log up to `head` into a scratch file beside `db`, then swaps their
 * tables into `db` in one write transaction together with their checkpoints (at `head`): readers see the
 * old rows until the commit and the rebuilt ones after it, never an empty or half-built model. A writer
 * that moved on meanwhile (the projector) finds the checkpoints moved back to `head` and re-applies
 * what followed, as it does after any rebuild from another process.
 */
export async function rebuildIntoScratch(store: EventStore, db: ReadModelDb, targets: readonly Projection[], head: Position): Promise<number> {
  const owned = ownedTables(targets);
  const path = scratchPathFor(db);
  const scratch = openScratch(path);
  let events: number;
  try {
    events = (await rebuildAsOf(store, targets, scratch, { upTo: head, pageSize: REBUILD_PAGE, afterSetup: dropTriggers, withoutDeferredSchema: true })).events;
  } finally {
    scratch.close();
  }
  try {
    // Unqualified names resolve to main before an attached database, but only where main has the
    // table: every target's tables must exist in main before the scratch file is attached.
    db.transaction(() => {
      for (const p of targets) p.setup(db);
    }).immediate();
    db.prepare('ATTACH DATABASE ? AS rebuilt').run(path);
    try {
      const now = new Date().toISOString();
      db.transaction(() => {
        for (const p of targets) {
          p.reset(db);
          p.setup(db);
          // The copy fills empty tables: their deferred indexes and triggers are put back once over the copied rows, inside this transaction.
          const deferred = dropDeferredSchema(db, [p], { triggers: true });
          for (const table of owned.get(p.name) ?? []) db.exec(copyStatement(db, table));
          finishSchema(db, deferred);
          writeCheckpoint(db, p.name, comparePositions(head, START) === 0 ? null : head, p.version, now);
        }
      }).immediate();
    } finally {
      db.exec('DETACH DATABASE rebuilt');
    }
  } finally {
    rmSync(path, { force: true });
  }
  return events;
}
