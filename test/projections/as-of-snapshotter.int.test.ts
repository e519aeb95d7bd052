import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { fillStoreWithNocEvents, generateNocHistories } from '../../bench/fixtures';
import { createEventStore } from '../../eventstore';
import type { EventStore } from '../../eventstore/port';
import { rebuildAsOf } from '../../projections/as-of';
import { imageFolder } from '../../projections/as-of-snapshot-files';
import { asOfFromSnapshot, imagesDir, KEEP_LATEST, openAsOfSnapshots, THIN_FACTOR, takeDueAsOfSnapshots } from '../../projections/as-of-snapshots';
import { startAsOfSnapshotter, type AsOfSnapshotter } from '../../projections/as-of-snapshotter';
import { openReadModelDb } from '../../projections/db';
import { allProjections } from '../../projections/index';
import { dumpModel } from '../../projections/model-dump';
import { nocRegisterProjection } from '../../projections/noc/register';
import type { Projection } from '../../projections/projection';

/**
 * Issue 15, goal 2: the projector keeps the as-of views of recent instants from replaying the whole
 * log by snapshotting every read model as the log grows, on a thread of its own.
 */
const EVERY = 300;
let dir: string;
let store: EventStore;
let snapshotter: AsOfSnapshotter | undefined;
const snapshotsPath = (): string => join(dir, 'as-of-snapshots.db');
const eventStore = () => ({ kind: 'sqlite' as const, path: join(dir, 'events.db'), synchronous: 'NORMAL' as const });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'as-of-snapshotter-'));
  store = await createEventStore(eventStore());
  await fillStoreWithNocEvents(store, 1_000);
});

afterAll(async () => {
  await snapshotter?.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function latestEvents(): Record<string, number | undefined> {
  const snapshots = openAsOfSnapshots(snapshotsPath());
  try {
    return Object.fromEntries(allProjections().map((p) => [p.name, snapshots.latestPlace(p)?.events]));
  } finally {
    snapshots.close();
  }
}

it('snapshots every read model each time the log has grown by the interval, and only then', async () => {
  snapshotter = startAsOfSnapshotter({ round: { eventStore: eventStore(), snapshotsPath: snapshotsPath(), every: EVERY }, checkMs: 3_600_000, logger: pino({ level: 'silent' }) });
  const head = (await store.readAll()).length;
  const first = await snapshotter.runOnce();
  const expected = Math.floor(head / EVERY);
  expect(expected).toBeGreaterThan(1);
  expect(first).toEqual(Object.fromEntries(allProjections().map((p) => [p.name, expected])));
  expect(new Set(Object.values(latestEvents()))).toEqual(new Set([expected * EVERY]));

  // Nothing new: no model is due, nothing is saved.
  expect(await snapshotter.runOnce()).toEqual({});

  // The log grows past the next interval: each model gets one more snapshot.
  for (const batch of generateNocHistories(EVERY - (head % EVERY) + 5, { firstIndex: 50_000, seed: 3 })) {
    await store.append(batch.stream, batch.events, 'no-stream');
  }
  expect(await snapshotter.runOnce()).toEqual(Object.fromEntries(allProjections().map((p) => [p.name, 1])));
  expect(new Set(Object.values(latestEvents()))).toEqual(new Set([(expected + 1) * EVERY]));
});

it('gives the auditors an as-of view of now that starts from the latest snapshot and equals a replay from position 0', async () => {
  const snapshots = openAsOfSnapshots(snapshotsPath());
  try {
    for (const projection of allProjections()) {
      const view = await asOfFromSnapshot(store, projection, snapshots);
      const fromZero = openReadModelDb(':memory:');
      try {
        const replayed = await rebuildAsOf(store, [projection], fromZero, {});
        expect(view.from).not.toBe('start');
        expect(view.events).toBe(replayed.events);
        expect(dumpModel(view.db, projection)).toEqual(dumpModel(fromZero, projection));
      } finally {
        view.db.close();
        fromZero.close();
      }
    }
  } finally {
    snapshots.close();
  }
});

it('starts its rounds by itself at the interval it is given', async () => {
  const path = join(dir, 'timed-snapshots.db');
  const timed = startAsOfSnapshotter({ round: { eventStore: eventStore(), snapshotsPath: path, every: EVERY }, checkMs: 50, logger: pino({ level: 'silent' }) });
  try {
    let taken: number | undefined;
    for (let i = 0; i < 200 && taken === undefined; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const snapshots = openAsOfSnapshots(path);
      taken = snapshots.latestPlace(allProjections().at(-1) as Projection)?.events;
      snapshots.close();
    }
    expect(taken).toBeGreaterThanOrEqual(EVERY);
  } finally {
    await timed.stop();
  }
});

it('keeps the latest snapshots of a model and thins the older ones to one in ten, so their room grows with the log, not its square', async () => {
  const path = join(dir, 'thinned-snapshots.db');
  const snapshots = openAsOfSnapshots(path);
  const every = 20;
  try {
    const head = (await store.readAll()).length;
    expect(await takeDueAsOfSnapshots(store, [nocRegisterProjection], snapshots, every)).toEqual({ [nocRegisterProjection.name]: Math.floor(head / every) });
    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT events, sort_key FROM as_of_snapshot_files WHERE model = ? ORDER BY events').all(nocRegisterProjection.name) as { events: number; sort_key: number }[];
    db.close();
    const kept = rows.map((r) => r.events);
    // The thinned snapshots' images are deleted with their rows.
    const images = readdirSync(imageFolder(imagesDir(path), nocRegisterProjection)).sort();
    expect(images).toEqual(rows.map((r) => `${r.sort_key}.v${nocRegisterProjection.version}.sqlite`).sort());
    const taken = Array.from({ length: Math.floor(head / every) }, (_, i) => (i + 1) * every);
    const latest = taken.slice(-KEEP_LATEST);
    expect(kept).toEqual(taken.filter((events) => latest.includes(events) || events % (every * THIN_FACTOR) === 0));
    expect(kept.length).toBeLessThan(taken.length);
  } finally {
    snapshots.close();
  }
});
