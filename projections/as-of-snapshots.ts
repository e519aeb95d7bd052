import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { isAtOrAfter } from '../domain/shared/time';
import { positionFromString, positionToString, type EventStore, type Position } from '../eventstore/port';
import { rebuildAsOf } from './as-of';
import type { ReadModelDb } from './db';
import type { Projection } from './projection';

/** Where the API and `npm run snapshot:as-of` keep the snapshots, in the data folder. */
export function asOfSnapshotsPath(dataDir: string): string {
  return join(dataDir, 'as-of-snapshots.db');
}

/**
 * Snapshots of one read model at log positions, for as-of views: a view of an instant starts from the
 * latest snapshot every event of which was recorded by then, and replays only what follows it. Each
 * snapshot is the model's whole database as SQLite serialises it, so it restores byte for byte. They
 * are derived data, like the read models: an auditor who trusts none of it replays from position 0.
 */
export interface AsOfSnapshots {
  save(model: string, snapshot: { position: string; events: number; maxRecordedAt: string; image: Buffer }): void;
  /** The latest snapshot of the model whose events were all recorded at or before `asOf` (any, without it). */
  nearest(model: string, asOf?: string): { position: string; events: number; maxRecordedAt: string; image: Buffer } | undefined;
  /** Where the model's latest snapshot stands in the log, without reading its image. */
  latestPlace(model: string): { position: string; events: number } | undefined;
  /** Deletes the model's snapshots but the `latest` most recent and, older, those at a multiple of `olderEvery` events; how many went. */
  thin(model: string, keep: { latest: number; olderEvery: number }): number;
  close(): void;
}

export function openAsOfSnapshots(path: string): AsOfSnapshots {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.exec(`CREATE TABLE IF NOT EXISTS as_of_snapshots (
    model TEXT NOT NULL, global_position TEXT NOT NULL, sort_key INTEGER NOT NULL, events INTEGER NOT NULL,
    max_recorded_at TEXT NOT NULL, image BLOB NOT NULL, PRIMARY KEY (model, sort_key))`);
  type Row = { global_position: string; events: number; max_recorded_at: string; image: Buffer };
  const put = db.prepare('INSERT OR REPLACE INTO as_of_snapshots VALUES (?, ?, ?, ?, ?, ?)');
  // max_recorded_at grows with the position, so the latest one not after the instant is the nearest usable.
  const byInstant = db.prepare<[string, string], Row>(
    'SELECT * FROM as_of_snapshots WHERE model = ? AND max_recorded_at <= ? ORDER BY sort_key DESC LIMIT 1',
  );
  const latest = db.prepare<[string], Row>('SELECT * FROM as_of_snapshots WHERE model = ? ORDER BY sort_key DESC LIMIT 1');
  const thin = db.prepare<{ model: string; latest: number; olderEvery: number }>(
    `DELETE FROM as_of_snapshots WHERE model = :model AND events % :olderEvery != 0
       AND sort_key < COALESCE((SELECT sort_key FROM as_of_snapshots WHERE model = :model ORDER BY sort_key DESC LIMIT 1 OFFSET :latest - 1), 0)`,
  );
  const latestPlace = db.prepare<[string], { global_position: string; events: number }>(
    'SELECT global_position, events FROM as_of_snapshots WHERE model = ? ORDER BY sort_key DESC LIMIT 1',
  );
  return {
    save(model, s) {
      put.run(model, s.position, Number(positionFromString(s.position).commit), s.events, s.maxRecordedAt, s.image);
    },
    nearest(model, asOf) {
      const row = asOf === undefined ? latest.get(model) : byInstant.get(model, new Date(asOf).toISOString());
      return row ? { position: row.global_position, events: row.events, maxRecordedAt: row.max_recorded_at, image: row.image } : undefined;
    },
    thin(model, keep) {
      return thin.run({ model, ...keep }).changes;
    },
    latestPlace(model) {
      const row = latestPlace.get(model);
      return row ? { position: row.global_position, events: row.events } : undefined;
    },
    close() {
      db.close();
    },
  };
}

/** Replays the model from its latest snapshot (or position 0) and saves a snapshot every `every` events. */
export async function takeAsOfSnapshots(store: EventStore, projection: Projection, snapshots: AsOfSnapshots, every: number): Promise<number> {
  const latest = snapshots.nearest(projection.name);
  const db = latest ? new Database(latest.image) : new Database(':memory:');
  let saved = 0;
  try {
    await rebuildAsOf(store, [projection], db, {
      pageSize: every,
      ...(latest ? { from: { after: positionFromString(latest.position), events: latest.events, lastRecordedAt: latest.maxRecordedAt } } : {}),
      afterPage: ({ position, events, maxRecordedAt }) => {
        snapshots.save(projection.name, { position: positionToString(position), events, maxRecordedAt, image: db.serialize() });
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
    const place = snapshots.latestPlace(projection.name)?.position ?? 'start';
    let due = dueFrom.get(place);
    if (due === undefined) {
      const ahead = await store.readAll({ ...(place === 'start' ? {} : { after: positionFromString(place) }), maxCount: every });
      due = ahead.length === every;
      dueFrom.set(place, due);
    }
    if (!due) continue;
    saved[projection.name] = await takeAsOfSnapshots(store, projection, snapshots, every);
    snapshots.thin(projection.name, { latest: KEEP_LATEST, olderEvery: every * THIN_FACTOR });
  }
  return saved;
}

/**
 * The model as of an instant, from the nearest snapshot (or position 0 when none fits), in a new
 * in-memory database the caller closes; `from` says where the replay started.
 */
export async function asOfFromSnapshot(
  store: EventStore,
  projection: Projection,
  snapshots: AsOfSnapshots,
  options: { asOf?: string; pageSize?: number; betweenPages?: () => Promise<void> } = {},
): Promise<{ db: ReadModelDb; events: number; from: string; position?: Position; lastRecordedAt?: string }> {
  const snapshot = snapshots.nearest(projection.name, options.asOf);
  const usable = snapshot && (options.asOf === undefined || isAtOrAfter(options.asOf, snapshot.maxRecordedAt)) ? snapshot : undefined;
  const db = usable ? new Database(usable.image) : new Database(':memory:');
  const { asOf, ...rest } = options;
  const result = await rebuildAsOf(store, [projection], db, {
    ...rest,
    ...(asOf !== undefined ? { asOf } : {}),
    ...(usable ? { from: { after: positionFromString(usable.position), events: usable.events, lastRecordedAt: usable.maxRecordedAt } } : {}),
  });
  return { db, ...result, from: usable ? usable.position : 'start' };
}
