import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fillStoreWithNocEvents, generateNocHistories } from '../../bench/fixtures';
import type { EventStore } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { rebuildAsOf } from '../../projections/as-of';
import { imageFile } from '../../projections/as-of-snapshot-files';
import { fromPlace, imagesDir, type AsOfSnapshots, type SnapshotPlace } from '../../projections/as-of-snapshots';
import { openReadModelDb, type ReadModelDb } from '../../projections/db';
import { dumpModel } from '../../projections/model-dump';
import { nocRegisterProjection } from '../../projections/noc/register';

/**
 * A log of NOC histories for as-of tests, in memory or in the file at `path`: 600 NOC events, then
 * `later` more histories each recorded a millisecond or more apart, so that instants fall between
 * snapshots and after the last; with every distinct recording instant of the log.
 */
export async function nocLogWithLaterInstants(later: number, seed: number, path = ':memory:'): Promise<{ store: EventStore; instants: string[] }> {
  const store = await openSqliteEventStore({ path });
  await fillStoreWithNocEvents(store, 600);
  await new Promise((r) => setTimeout(r, 5));
  for (const batch of generateNocHistories(later, { firstIndex: 100_000, seed })) {
    await store.append(batch.stream, batch.events, 'no-stream');
    await new Promise((r) => setTimeout(r, 1));
  }
  return { store, instants: [...new Set((await store.readAll()).map((e) => e.recordedAt))] };
}

/** The NOC register replayed from position 0 (up to `asOf`): every row, and the events it took. */
export async function registerFromZero(store: EventStore, asOf?: string): Promise<{ dump: ReturnType<typeof dumpModel>; events: number }> {
  const db = openReadModelDb(':memory:');
  try {
    const result = await rebuildAsOf(store, [nocRegisterProjection], db, asOf === undefined ? {} : { asOf });
    return { dump: dumpModel(db, nocRegisterProjection), events: result.events };
  } finally {
    db.close();
  }
}

/**
 * A view on the register's latest snapshot with the rest of the log replayed into it under a page cache
 * of ten pages, so that a view that could spill its changes to the snapshot's file would have; with the
 * snapshot it opened and the events the replay applied after it.
 */
export async function replayOverLatestSnapshot(store: EventStore, snapshots: AsOfSnapshots): Promise<{ db: ReadModelDb; latest: SnapshotPlace; applied: number }> {
  const latest = snapshots.nearest(nocRegisterProjection);
  if (!latest) throw new Error('no snapshot was taken');
  const db = snapshots.openView(nocRegisterProjection, latest.sortKey);
  if (!db) throw new Error("the latest snapshot's file is gone");
  try {
    db.pragma('cache_size = 10');
    const replayed = await rebuildAsOf(store, [nocRegisterProjection], db, { pageSize: 25, from: fromPlace(latest) });
    return { db, latest, applied: replayed.events - latest.events };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The image file of the register's latest snapshot, for the index at `path`. */
export function latestImageFile(snapshots: AsOfSnapshots, path: string): string {
  const latest = snapshots.nearest(nocRegisterProjection);
  if (!latest) throw new Error('no snapshot was taken');
  return imageFile(imagesDir(path), nocRegisterProjection, latest.sortKey);
}

export const digestOf = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
