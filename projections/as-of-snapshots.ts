import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import Database from 'better-sqlite3';
import { isAtOrAfter } from '../domain/shared/time';
import { positionFromString, positionToString, type EventStore, type Position } from '../eventstore/port';
import { rebuildAsOf } from './as-of';
import { snapshotFiles, type SnapshotModel } from './as-of-snapshot-files';
import type { ReadModelDb } from './db';
import type { Projection } from './projection';

/** Where the API and `npm run snapshot:as-of` keep the snapshots, in the data folder. */
export function asOfSnapshotsPath(dataDir: string): string {
  return join(dataDir, 'as-of-snapshots.db');
}

/** Where a snapshot stands in the log. */
export interface SnapshotPlace {
  position: string;
  events: number;
  maxRecordedAt: string;
}

/**
 * Snapshots of one read model at log positions, for as-of views: a view of an instant starts from the
 * latest snapshot every event of which was recorded by then, and replays only what follows it. Each
 * snapshot is the model's whole database as SQLite serialises it, so it restores byte for byte; the
 * index here says where each stands, the image is a file of its own (projections/as-of-snapshot-files.ts)
 * that a view opens where it lies. They are derived data, like the read models: an auditor who trusts
 * none of it replays from position 0.
 */
export interface AsOfSnapshots {
  save(model: SnapshotModel, snapshot: SnapshotPlace & { image: Buffer }): void;
  /**
   * The latest snapshot that this version of the model's code built and whose events were all recorded at
   * or before `asOf` (any, without it): another version's images are another model.
   */
  nearest(model: SnapshotModel, asOf?: string): (SnapshotPlace & { sortKey: number }) | undefined;
  /**
   * The snapshot's image, to go on from in memory; undefined when its file is gone (thinned meanwhile, or
   * never restored with the index): a row whose file is gone is forgotten, so the next nearest is another.
   */
  image(model: SnapshotModel, sortKey: number): Buffer | undefined;
  /** The model as the snapshot holds it, in a database the caller writes and closes; undefined (and forgotten) like image's. */
  openView(model: SnapshotModel, sortKey: number): ReadModelDb | undefined;
  /** Where the latest snapshot of this version of the model stands in the log. */
  latestPlace(model: SnapshotModel): { position: string; events: number } | undefined;
  /**
   * Deletes the model's snapshots of other versions, and of this one all but the `latest` most recent and,
   * older, those at a multiple of `olderEvery` events; how many went.
   */
  thin(model: SnapshotModel, keep: { latest: number; olderEvery: number }): number;
  close(): void;
}

/** The folder of a snapshot index's images: beside its file, named after it. */
export function imagesDir(path: string): string {
  return join(dirname(path), `${basename(path, extname(path))}-images`);
}

/**
 * Opens the index at `path` (its images in a folder beside it); `:memory:` keeps the index in memory and
 * the images in a temporary folder removed on close.
 */
export function openAsOfSnapshots(path: string): AsOfSnapshots {
  const memory = path === ':memory:';
  if (!memory) mkdirSync(dirname(path), { recursive: true });
  const files = snapshotFiles(memory ? mkdtempSync(join(tmpdir(), 'as-of-snapshots-')) : imagesDir(path));
  const db = new Database(path);
  // Until December 2026 the images were BLOBs in the index: derived data, dropped, taken again as files.
  const blobs = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'as_of_snapshots'").get();
  if (blobs) {
    db.exec('DROP TABLE IF EXISTS as_of_snapshots');
    try {
      db.exec('VACUUM');
    } catch (err) {
      // Another process (the API, the projector's snapshotter) holds the file: the room stays free pages.
      if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    }
  }
  db.exec(`CREATE TABLE IF NOT EXISTS as_of_snapshot_files (
    model TEXT NOT NULL, version INTEGER NOT NULL, global_position TEXT NOT NULL, sort_key INTEGER NOT NULL, events INTEGER NOT NULL,
    max_recorded_at TEXT NOT NULL, PRIMARY KEY (model, version, sort_key))`);
  type Row = { global_position: string; sort_key: number; events: number; max_recorded_at: string };
  type Key = { model: string; version: number };
  const key = (model: SnapshotModel): Key => ({ model: model.name, version: model.version });
  const put = db.prepare<[Key & { position: string; sortKey: number; events: number; maxRecordedAt: string }]>(
    'INSERT OR REPLACE INTO as_of_snapshot_files VALUES (:model, :version, :position, :sortKey, :events, :maxRecordedAt)',
  );
  // max_recorded_at grows with the position, so the latest one not after the instant is the nearest usable.
  const byInstant = db.prepare<[Key & { asOf: string }], Row>(
    'SELECT * FROM as_of_snapshot_files WHERE model = :model AND version = :version AND max_recorded_at <= :asOf ORDER BY sort_key DESC LIMIT 1',
  );
  const latest = db.prepare<[Key], Row>('SELECT * FROM as_of_snapshot_files WHERE model = :model AND version = :version ORDER BY sort_key DESC LIMIT 1');
  const thinOthers = db.prepare<[Key]>('DELETE FROM as_of_snapshot_files WHERE model = :model AND version != :version');
  const thin = db.prepare<[Key & { latest: number; olderEvery: number }]>(
    `DELETE FROM as_of_snapshot_files WHERE model = :model AND version = :version AND events % :olderEvery != 0
       AND sort_key < COALESCE((SELECT sort_key FROM as_of_snapshot_files WHERE model = :model AND version = :version ORDER BY sort_key DESC LIMIT 1 OFFSET :latest - 1), 0)`,
  );
  const keys = db.prepare<[Key], number>('SELECT sort_key FROM as_of_snapshot_files WHERE model = :model AND version = :version').pluck();
  const forget = db.prepare<[Key & { sortKey: number }]>('DELETE FROM as_of_snapshot_files WHERE model = :model AND version = :version AND sort_key = :sortKey');
  // A row is written after its file, so a row whose file is gone will not get it back.
  const orForget = <T>(model: SnapshotModel, sortKey: number, found: T | undefined): T | undefined => {
    if (found === undefined) forget.run({ ...key(model), sortKey });
    return found;
  };
  return {
    save(model, s) {
      const sortKey = Number(positionFromString(s.position).commit);
      // The image first: a row always names a whole file.
      files.write(model, sortKey, s.image);
      put.run({ ...key(model), position: s.position, sortKey, events: s.events, maxRecordedAt: s.maxRecordedAt });
    },
    nearest(model, asOf) {
      const row = asOf === undefined ? latest.get(key(model)) : byInstant.get({ ...key(model), asOf: new Date(asOf).toISOString() });
      return row ? { position: row.global_position, sortKey: row.sort_key, events: row.events, maxRecordedAt: row.max_recorded_at } : undefined;
    },
    image: (model, sortKey) => orForget(model, sortKey, files.read(model, sortKey)),
    openView: (model, sortKey) => orForget(model, sortKey, files.openView(model, sortKey)),
    thin(model, keep) {
      const gone = db.transaction(() => thinOthers.run(key(model)).changes + thin.run({ ...key(model), ...keep }).changes)();
      files.sweep(model, latest.get(key(model))?.sort_key ?? 0, new Set(keys.all(key(model))));
      return gone;
    },
    latestPlace(model) {
      const row = latest.get(key(model));
      return row ? { position: row.global_position, events: row.events } : undefined;
    },
    close() {
      db.close();
      if (memory) rmSync(files.dir, { recursive: true, force: true });
    },
  };
}

/** Where a replay goes on from: the snapshot's place, as rebuildAsOf takes it. */
export function fromPlace(place: SnapshotPlace): { after: Position; events: number; lastRecordedAt: string } {
  return { after: positionFromString(place.position), events: place.events, lastRecordedAt: place.maxRecordedAt };
}

/** Replays the model from its latest snapshot (or position 0) and saves a snapshot every `every` events. */
export async function takeAsOfSnapshots(store: EventStore, projection: Projection, snapshots: AsOfSnapshots, every: number): Promise<number> {
  const latest = openNearest(snapshots, projection, undefined, (sortKey) => snapshots.image(projection, sortKey));
  const from = latest?.place;
  // In memory: the taker writes every page, and each image it saves is this database serialised.
  const db = latest ? new Database(latest.opened) : new Database(':memory:');
  let saved = 0;
  try {
    await rebuildAsOf(store, [projection], db, {
      pageSize: every,
      ...(from ? { from: fromPlace(from) } : {}),
      afterPage: ({ position, events, maxRecordedAt }) => {
        snapshots.save(projection, { position: positionToString(position), events, maxRecordedAt, image: db.serialize() });
        saved += 1;
      },
    });
  } finally {
    db.close();
  }
  return saved;
}

/** How many of a model's snapshots are kept whole; of older ones, one in THIN_FACTOR. */
export const KEEP_LATEST = 10;
export const THIN_FACTOR = 10;

/**
 * Snapshots each model whose log has grown by at least `every` events since its latest snapshot (or
 * since position 0), going on from that snapshot; the snapshots saved, by model. A model not due costs
 * one read of fewer than `every` events, shared by the models whose latest snapshots stand at the same place.
 * Each image is the whole model, so keeping them all would grow as the square of the log: the latest
 * KEEP_LATEST are kept, and of older ones only those at a multiple of THIN_FACTOR × `every` events, so
 * an as-of view of a recent instant replays at most `every` events and one of an old instant at most
 * THIN_FACTOR times that.
 */
export async function takeDueAsOfSnapshots(store: EventStore, projections: readonly Projection[], snapshots: AsOfSnapshots, every: number): Promise<Record<string, number>> {
  const dueFrom = new Map<string, boolean>();
  const saved: Record<string, number> = {};
  for (const projection of projections) {
    const place = snapshots.latestPlace(projection)?.position ?? 'start';
    let due = dueFrom.get(place);
    if (due === undefined) {
      const ahead = await store.readAll({ ...(place === 'start' ? {} : { after: positionFromString(place) }), maxCount: every });
      due = ahead.length === every;
      dueFrom.set(place, due);
    }
    if (!due) continue;
    saved[projection.name] = await takeAsOfSnapshots(store, projection, snapshots, every);
    snapshots.thin(projection, { latest: KEEP_LATEST, olderEvery: every * THIN_FACTOR });
  }
  return saved;
}

/**
 * The nearest snapshot (of `asOf`, or the latest) opened by `open`, going on to the next nearest while a
 * file is gone (each such row is forgotten, so this ends); undefined when none is left.
 */
function openNearest<T>(snapshots: AsOfSnapshots, model: SnapshotModel, asOf: string | undefined, open: (sortKey: number) => T | undefined): { place: SnapshotPlace; opened: T } | undefined {
  for (;;) {
    const snapshot = snapshots.nearest(model, asOf);
    if (!snapshot || (asOf !== undefined && !isAtOrAfter(asOf, snapshot.maxRecordedAt))) return undefined;
    const opened = open(snapshot.sortKey);
    if (opened !== undefined) return { place: snapshot, opened };
  }
}

/**
 * The model as of an instant, from the nearest snapshot (or position 0 when none fits), in a database
 * the caller closes: the snapshot's file held in an uncommitted transaction, or memory; `from` says
 * where the replay started.
 */
export async function asOfFromSnapshot(
  store: EventStore,
  projection: Projection,
  snapshots: AsOfSnapshots,
  options: { asOf?: string; pageSize?: number; betweenPages?: () => Promise<void> } = {},
): Promise<{ db: ReadModelDb; events: number; from: string; position?: Position; lastRecordedAt?: string }> {
  const nearest = openNearest(snapshots, projection, options.asOf, (sortKey) => snapshots.openView(projection, sortKey));
  const usable = nearest?.place;
  const view = nearest?.opened ?? new Database(':memory:');
  const { asOf, ...rest } = options;
  try {
    const result = await rebuildAsOf(store, [projection], view, {
      ...rest,
      ...(asOf !== undefined ? { asOf } : {}),
      ...(usable ? { from: fromPlace(usable) } : {}),
    });
    return { db: view, ...result, from: usable ? usable.position : 'start' };
  } catch (err) {
    view.close();
    throw err;
  }
}
