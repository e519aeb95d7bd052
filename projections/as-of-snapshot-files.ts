import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ReadModelDb } from './db';

/** Whose snapshot: a read model's name and the version of its code that built it. */
export interface SnapshotModel {
  readonly name: string;
  readonly version: number;
}

/**
 * The images of as-of snapshots, one SQLite file each, in a folder beside their index. A file is written
 * once (to a temporary name, synced, renamed into place) and never changed again, so a view can open it
 * where it lies: only the pages the view reads or changes are touched, whatever the model's size.
 */
export interface SnapshotFiles {
  readonly dir: string;
  write(model: SnapshotModel, sortKey: number, image: Buffer): void;
  /** The image's bytes (a snapshot taker goes on from them in memory); undefined when the file is gone. */
  read(model: SnapshotModel, sortKey: number): Buffer | undefined;
  /** The model as the snapshot holds it, in a database only the caller writes; undefined when the file is gone. */
  openView(model: SnapshotModel, sortKey: number): ReadModelDb | undefined;
  /**
   * Deletes the model's images of other versions, and of this one those below `below` that `kept` does not
   * name (thinned, or left by a crash).
   */
  sweep(model: SnapshotModel, below: number, kept: ReadonlySet<number>): void;
}

const IMAGE = /^(\d+)\.v(\d+)\.sqlite(\.tmp)?$/;

/** The folder of a model's images under `dir`. */
export function imageFolder(dir: string, model: Pick<SnapshotModel, 'name'>): string {
  return join(dir, encodeURIComponent(model.name));
}

/** Where the image of the model's snapshot at `sortKey` lies under `dir`. */
export function imageFile(dir: string, model: SnapshotModel, sortKey: number): string {
  return join(imageFolder(dir, model), `${sortKey}.v${model.version}.sqlite`);
}

export function snapshotFiles(dir: string): SnapshotFiles {
  const folder = (model: SnapshotModel) => imageFolder(dir, model);
  const file = (model: SnapshotModel, sortKey: number) => imageFile(dir, model, sortKey);
  return {
    dir,
    write(model, sortKey, image) {
      mkdirSync(folder(model), { recursive: true });
      const final = file(model, sortKey);
      const temporary = `${final}.tmp`;
      const fd = openSync(temporary, 'w');
      try {
        writeSync(fd, image);
        // Renamed only once its bytes are on disk: an image under its final name is always whole.
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, final);
    },
    read(model, sortKey) {
      try {
        return readFileSync(file(model, sortKey));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    openView(model, sortKey) {
      let db: ReadModelDb;
      try {
        db = new Database(file(model, sortKey), { fileMustExist: true, timeout: 0 });
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CANTOPEN') return undefined;
        throw err;
      }
      return holdUncommitted(db, () => readFileSync(file(model, sortKey)));
    },
    sweep(model, below, kept) {
      let names: string[];
      try {
        names = readdirSync(folder(model));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const name of names) {
        const match = IMAGE.exec(name);
        if (!match) continue;
        const [sortKey, version, temporary] = [Number(match[1]), Number(match[2]), match[3] !== undefined];
        // A taker writes only past the latest snapshot: an image below it that no row names is nobody's.
        const current = version === model.version && (sortKey >= below || (kept.has(sortKey) && !temporary));
        if (current) continue;
        try {
          unlinkSync(join(folder(model), name));
        } catch (err) {
          // Gone already (another taker swept it), or held open where that forbids deleting: the next sweep tries again.
          if (!['ENOENT', 'EBUSY', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
        }
      }
    },
  };
}

/**
 * The view's changes stay in this connection's memory and are never committed, so the file stays the
 * snapshot it was: one transaction is opened at once and held until the view is closed (closing rolls
 * it back); the replay's pages nest in it as savepoints (projections/as-of.ts). Dirty pages are never
 * spilled to the file mid-transaction, and the rollback journal lives in memory, so a crash leaves the
 * file as it was too. One connection at a time can hold a file's write lock: a second view of the
 * same snapshot gets a copy of the image in memory instead.
 */
function holdUncommitted(db: ReadModelDb, image: () => Buffer): ReadModelDb {
  try {
    db.pragma('journal_mode = MEMORY');
    db.pragma('cache_spill = OFF');
    db.pragma('temp_store = MEMORY');
    db.exec('BEGIN IMMEDIATE');
    return db;
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    return new Database(image());
  }
}
