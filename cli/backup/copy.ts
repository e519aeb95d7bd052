import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import Database from 'better-sqlite3';
import { EVENT_STORE_FILE, sha256OfFile, type ManifestFile } from './manifest';

export type CopiedDatabase = { file: ManifestFile; lastPosition?: number | null; events?: number };
export type DatabaseCopy = { source: string; target: string };

/** Long enough to wait out a writer's transaction; the engine's own writers wait as long for the hold below. */
const WAIT_FOR_WRITERS_MS = 10_000;

function open(source: string): Database.Database {
  const db = new Database(source, { fileMustExist: true });
  db.pragma(`busy_timeout = ${WAIT_FOR_WRITERS_MS}`);
  return db;
}

/** Starts a read transaction: everything read through the connection, the backup included, is then one snapshot. */
function beginSnapshot(db: Database.Database): void {
  db.exec('BEGIN');
  // A read transaction starts at its first read, not at BEGIN.
  db.prepare('SELECT count(*) FROM sqlite_schema').get();
}

function endTransaction(db: Database.Database): void {
  if (db.inTransaction) db.exec('ROLLBACK');
}

// By its code, not its class: better-sqlite3's native part throws the SqliteError class of the first copy
// of the module loaded in the process, which a test runner's module registry may have replaced since.
const isBusy = (err: unknown): boolean => String((err as { code?: unknown } | null)?.code ?? '').startsWith('SQLITE_BUSY');

/**
 * Takes a write transaction that writes nothing (`BEGIN IMMEDIATE`), or answers "busy" at once. SQLite
 * answers "busy" without waiting where waiting could deadlock (this connection took its read lock on a
 * rollback-journal file and asks for the write lock while another process holds it and waits to
 * commit), and its own busy wait sleeps between tries (1 ms rising to 100 ms), which a writer committing
 * flat out can outrun for the whole timeout: the caller tries again at the next turn instead.
 */
function tryHold(db: Database.Database): void {
  db.pragma('busy_timeout = 0');
  try {
    db.exec('BEGIN IMMEDIATE');
  } finally {
    db.pragma(`busy_timeout = ${WAIT_FOR_WRITERS_MS}`);
  }
}

/**
 * Holds every database of `holds` still, opens a snapshot on each reader, and lets the holds go; on
 * "busy" all are let go and asked for again at the next turn of the event loop, so the first gap between
 * the writers' commits is taken.
 */
async function openSnapshotsTogether(holds: Database.Database[], readers: Database.Database[]): Promise<void> {
  const deadline = Date.now() + WAIT_FOR_WRITERS_MS;
  for (;;) {
    try {
      holds.forEach(tryHold);
      readers.forEach(beginSnapshot);
      return;
    } catch (err) {
      readers.forEach(endTransaction);
      if (!isBusy(err) || Date.now() >= deadline) throw err;
    } finally {
      holds.forEach(endTransaction);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Copies live SQLite databases with SQLite's online backup API, each from a snapshot held by a read
 * transaction: in WAL mode writers in other processes carry on, and no write made meanwhile can
 * restart a copy or show in it. Databases copied together agree as of one instant, as Temporal's and
 * the event store must: a process the engine starts after the engine's copy appends its first events to
 * the log, and a log copied later would hold events of a process the restored engine never started.
 *
 * To make the instant, every database but the last is held still by a write transaction taken and
 * written nothing (`BEGIN IMMEDIATE`: no other connection, in any process, can commit to it meanwhile),
 * a snapshot is opened on each, and the holds are let go. Each held snapshot shows its database as it
 * was when the last snapshot opened, so together they are one instant, however busy the writers. The
 * hold lasts as long as opening the snapshots takes (well under a millisecond); a writer meeting it
 * waits within its busy timeout (the dev server's is 5 s, config/temporal-dev-server.ts). Each database
 * is then copied from its snapshot and its read transaction ended, so a writer on a rollback-journal
 * file is held up only while its own file is copied (in WAL mode, as the office runs the dev server, no
 * writer waits for the copy at all).
 */
export async function backupSqliteTogether(copies: DatabaseCopy[]): Promise<CopiedDatabase[]> {
  const holds = copies.slice(0, -1).map((c) => open(c.source));
  const readers = copies.map((c) => open(c.source));
  try {
    await openSnapshotsTogether(holds, readers);
    for (const [i, c] of copies.entries()) {
      const reader = readers[i] as Database.Database;
      await copyFrom(reader, c);
      // Ended at once: an engine on a rollback-journal file waits for no more than its own copy.
      endTransaction(reader);
    }
  } finally {
    readers.forEach(endTransaction);
    for (const db of [...holds, ...readers]) db.close();
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
