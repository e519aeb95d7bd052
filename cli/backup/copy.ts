import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { EVENT_STORE_FILE, sha256OfFile, type ManifestFile } from './manifest';

export type CopiedDatabase = { file: ManifestFile; lastPosition?: number | null; events?: number };
export type DatabaseCopy = { source: string; target: string };

/** How often a set is tried before the backup gives up, each try a few milliseconds. */
const SNAPSHOT_ATTEMPTS = 200;

function open(source: string): Database.Database {
  const db = new Database(source, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Starts a read transaction: everything read through the connection, the backup included, is then one snapshot. */
function beginSnapshot(db: Database.Database): void {
  db.exec('BEGIN');
  // A read transaction starts at its first read, not at BEGIN.
  db.prepare('SELECT count(*) FROM sqlite_schema').get();
}

function endSnapshot(db: Database.Database): void {
  if (db.inTransaction) db.exec('ROLLBACK');
}

/**
 * Copies live SQLite databases with SQLite's online backup API, each from a snapshot held by a read
 * transaction: in WAL mode writers in other processes carry on, and no write made meanwhile can
 * restart a copy or show in it. Databases copied together agree as of one instant, as Temporal's and
 * the event store must: a process
 * the engine starts after the engine's copy appends its first events to the log, and a log copied later
 * would hold events of a process the restored engine never started. A read transaction is opened on
 * each in order, and the set is kept only if none but the last changed between the first opening and the
 * last (`PRAGMA data_version`, asked of a connection outside the snapshots, changes with any other
 * connection's commit, in any process): each snapshot then shows its database as it was when the last
 * one opened, so together they are one instant. Otherwise the snapshots are dropped and taken again.
 * Each database is then copied from its snapshot and its read transaction ended, so a writer on a
 * rollback-journal file is held up only while its own file is copied (in WAL mode, as the office runs
 * Temporal's dev server, config/temporal-dev-server.ts, no writer waits at all).
 */
export async function backupSqliteTogether(copies: DatabaseCopy[]): Promise<CopiedDatabase[]> {
  const watchers = copies.slice(0, -1).map((c) => open(c.source));
  const readers = copies.map((c) => open(c.source));
  try {
    for (let attempt = 1; ; attempt += 1) {
      const before = watchers.map((w) => w.pragma('data_version', { simple: true }));
      try {
        for (const reader of readers) beginSnapshot(reader);
      } catch (err) {
        readers.forEach(endSnapshot);
        throw err;
      }
      if (watchers.every((w, i) => w.pragma('data_version', { simple: true }) === before[i])) break;
      readers.forEach(endSnapshot);
      if (attempt === SNAPSHOT_ATTEMPTS) {
        throw new Error(`${copies.map((c) => c.source).join(' and ')} kept changing: no consistent copy of them in ${SNAPSHOT_ATTEMPTS} attempts; try again when the office is less busy`);
      }
      await sleep(attempt);
    }
    for (const [i, c] of copies.entries()) {
      const reader = readers[i] as Database.Database;
      await copyFrom(reader, c);
      // Ended at once: an engine on a rollback-journal file waits for no more than its own copy.
      endSnapshot(reader);
    }
  } finally {
    readers.forEach(endSnapshot);
    for (const db of [...watchers, ...readers]) db.close();
  }
  const copied: CopiedDatabase[] = [];
  for (const c of copies) copied.push(await finishCopy(c));
  return copied;
}

/** One backup step, read from the connection's snapshot, into `<target>.partial`. */
async function copyFrom(snapshot: Database.Database, { target }: DatabaseCopy): Promise<void> {
  rmSync(partialOf(target), { force: true });
  await snapshot.backup(partialOf(target), { progress: () => 0x7fffffff });
}

const partialOf = (target: string): string => `${target}.partial`;

/**
 * Checks the copy and switches it to a rollback journal, so it is one self-contained file (the office
 * turns WAL back on when it opens it), then puts it in place.
 */
async function finishCopy({ source, target }: DatabaseCopy): Promise<CopiedDatabase> {
  const partial = partialOf(target);
  const copy = new Database(partial);
  let head: { lastPosition: number | null; events: number } | undefined;
  try {
    copy.pragma('journal_mode = DELETE');
    const integrity = copy.pragma('quick_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`the copy of ${source} fails SQLite's check: ${String(integrity)}`);
    if (target.endsWith(EVENT_STORE_FILE)) {
      const row = copy.prepare('SELECT MAX(global_position) AS last, COUNT(*) AS n FROM events').get() as { last: number | null; n: number };
      head = { lastPosition: row.last, events: row.n };
    }
  } finally {
    copy.close();
  }
  renameSync(partial, target);
  const file: ManifestFile = { path: target.split(sep).slice(-1)[0] as string, kind: 'sqlite', bytes: statSync(target).size, sha256: await sha256OfFile(target) };
  return head ? { file, ...head } : { file };
}

function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.tmp-'))
    .map((e) => join(e.parentPath, e.name));
}

/**
 * Evidence files are content-addressed and never change: a file already in the backup folder (from an
 * earlier backup into it) is kept, only missing ones are copied. Each is hashed as it stands in the
 * backup, so the manifest vouches for what was written.
 */
export async function copyEvidence(sourceRoot: string, targetRoot: string, folder: string): Promise<{ files: ManifestFile[]; copied: number }> {
  const files: ManifestFile[] = [];
  let copied = 0;
  for (const source of filesUnder(join(sourceRoot, folder))) {
    const path = relative(sourceRoot, source).split(sep).join('/');
    const target = join(targetRoot, path);
    if (!existsSync(target)) {
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(source, `${target}.partial`);
      renameSync(`${target}.partial`, target);
      copied += 1;
    }
    files.push({ path, kind: 'evidence', bytes: statSync(target).size, sha256: await sha256OfFile(target) });
  }
  return { files, copied };
}
