import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { EventStore } from '../../eventstore/port';
import { imageFolder } from '../../projections/as-of-snapshot-files';
import { asOfFromSnapshot, imagesDir, openAsOfSnapshots, takeAsOfSnapshots, takeDueAsOfSnapshots, type AsOfSnapshots } from '../../projections/as-of-snapshots';
import { dumpModel } from '../../projections/model-dump';
import { nocRegisterProjection } from '../../projections/noc/register';
import { digestOf, latestImageFile, nocLogWithLaterInstants, registerFromZero, replayOverLatestSnapshot } from '../support/register-log';
import { ROOT } from '../cli/run-tool';

const EVERY = 400;
const model = nocRegisterProjection;

let dir: string;
let store: EventStore;
let instants: string[];

/** The digest of the register's latest image file. */
const latestDigest = (snapshots: AsOfSnapshots, path: string): string => digestOf(latestImageFile(snapshots, path));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'snapshot-files-'));
  ({ store, instants } = await nocLogWithLaterInstants(120, 11));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

it('opens a view on the snapshot file where it lies, and leaves the file byte for byte as it was, while the view is open and after', async () => {
  const path = join(dir, 'untouched.db');
  const snapshots = openAsOfSnapshots(path);
  try {
    await takeAsOfSnapshots(store, nocRegisterProjection, snapshots, EVERY);
    const before = latestDigest(snapshots, path);
    // The view's changes stay in its memory, not its file, even with a page cache of ten pages to spill from.
    const { db, latest, applied } = await replayOverLatestSnapshot(store, snapshots);
    try {
      expect(db.memory).toBe(false);
      expect(applied).toBeGreaterThan(100);
      expect(db.inTransaction).toBe(true);
      expect(latestDigest(snapshots, path)).toEqual(before);
      const expected = await registerFromZero(store);
      expect(latest.events + applied).toBe(expected.events);
      expect(dumpModel(db, nocRegisterProjection)).toEqual(expected.dump);
    } finally {
      db.close();
    }
    expect(latestDigest(snapshots, path)).toEqual(before);
    // A view opened after it starts from the same snapshot, unchanged.
    const again = await asOfFromSnapshot(store, nocRegisterProjection, snapshots);
    expect(dumpModel(again.db, nocRegisterProjection)).toEqual((await registerFromZero(store)).dump);
    again.db.close();
  } finally {
    snapshots.close();
  }
});

it('leaves the snapshot file whole when the process holding a view over it is killed', async () => {
  const [path, eventsPath] = [join(dir, 'killed.db'), join(dir, 'killed-events.db')];
  const { store: fileStore } = await nocLogWithLaterInstants(120, 11, eventsPath);
  const snapshots = openAsOfSnapshots(path);
  try {
    await takeAsOfSnapshots(fileStore, nocRegisterProjection, snapshots, EVERY);
    const before = latestDigest(snapshots, path);
    // node itself, not tsx's command (which runs the script in a child of its own that a kill would miss).
    const holder = spawn(process.execPath, ['--import', 'tsx', join('test', 'support', 'as-of-view-holder.ts'), path, eventsPath], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => holder.on('close', resolve));
    const said = await new Promise<string>((resolve, reject) => {
      let out = '';
      holder.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk).includes('\n') && resolve(out));
      holder.on('close', (code) => reject(new Error(`the holder exited with ${code} before holding a view: ${out}`)));
    });
    expect(Number(/holding (\d+)/.exec(said)?.[1])).toBeGreaterThan(100);
    holder.kill('SIGKILL');
    await exited;
    expect(latestDigest(snapshots, path)).toEqual(before);
    const view = await asOfFromSnapshot(fileStore, nocRegisterProjection, snapshots);
    try {
      expect(view.from).not.toBe('start');
      expect(dumpModel(view.db, nocRegisterProjection)).toEqual((await registerFromZero(fileStore)).dump);
    } finally {
      view.db.close();
    }
  } finally {
    snapshots.close();
    await fileStore.close();
  }
});

it('gives two views of the same snapshot at once each its own instant, the second from a copy in memory', async () => {
  const snapshots = openAsOfSnapshots(join(dir, 'two-views.db'));
  try {
    await takeAsOfSnapshots(store, nocRegisterProjection, snapshots, EVERY);
    // Two instants after the latest snapshot, so that both views start from it.
    const afterSnapshot = instants.filter((instant) => instant > snapshots.nearest(model)!.maxRecordedAt);
    expect(afterSnapshot.length).toBeGreaterThan(2);
    const [earlier, latest] = [afterSnapshot[Math.floor(afterSnapshot.length / 2)]!, afterSnapshot.at(-1)!];
    const first = await asOfFromSnapshot(store, nocRegisterProjection, snapshots, { asOf: latest });
    const second = await asOfFromSnapshot(store, nocRegisterProjection, snapshots, { asOf: earlier });
    try {
      expect(second.from).toBe(first.from);
      expect(second.db.memory).toBe(true);
      for (const [view, asOf] of [[first, latest], [second, earlier]] as const) {
        const expected = await registerFromZero(store, asOf);
        expect(view.events).toBe(expected.events);
        expect(dumpModel(view.db, nocRegisterProjection)).toEqual(expected.dump);
      }
    } finally {
      first.db.close();
      second.db.close();
    }
  } finally {
    snapshots.close();
  }
});

it('goes on from the next nearest snapshot when the file of the nearest is gone, and forgets its row', async () => {
  const path = join(dir, 'lost-file.db');
  const snapshots = openAsOfSnapshots(path);
  const every = 150;
  try {
    expect(await takeAsOfSnapshots(store, nocRegisterProjection, snapshots, every)).toBeGreaterThan(1);
    const lost = snapshots.nearest(model)!;
    // Thinned by another process after this one found it, or not restored with the index.
    rmSync(latestImageFile(snapshots, path));
    const view = await asOfFromSnapshot(store, nocRegisterProjection, snapshots);
    try {
      expect(view.from).not.toBe('start');
      expect(view.from).not.toBe(lost.position);
      expect(dumpModel(view.db, nocRegisterProjection)).toEqual((await registerFromZero(store)).dump);
    } finally {
      view.db.close();
    }
    expect(snapshots.latestPlace(model)?.events).toBe(lost.events - every);
    // The next round of the taker goes on from there and takes the lost one again.
    expect(await takeAsOfSnapshots(store, nocRegisterProjection, snapshots, every)).toBe(1);
    expect(snapshots.latestPlace(model)?.events).toBe(lost.events);
  } finally {
    snapshots.close();
  }
});

it("uses no snapshot another version of the model's code built, and the next round takes them again from position 0", async () => {
  const path = join(dir, 'versions.db');
  const snapshots = openAsOfSnapshots(path);
  const older = { ...nocRegisterProjection, version: nocRegisterProjection.version - 1 };
  try {
    const taken = await takeAsOfSnapshots(store, older, snapshots, EVERY);
    expect(taken).toBeGreaterThan(0);
    expect(snapshots.latestPlace(model)).toBeUndefined();
    const view = await asOfFromSnapshot(store, nocRegisterProjection, snapshots);
    expect(view.from).toBe('start');
    view.db.close();
    expect(await takeDueAsOfSnapshots(store, [nocRegisterProjection], snapshots, EVERY)).toEqual({ [model.name]: taken });
    // The older version's rows and images went with the round's thinning.
    expect(snapshots.latestPlace(older)).toBeUndefined();
    const images = readdirSync(imageFolder(imagesDir(path), model));
    expect(images.length).toBe(taken);
    expect(images.every((name) => name.endsWith(`.v${model.version}.sqlite`))).toBe(true);
  } finally {
    snapshots.close();
  }
});

it('drops the images an older index kept as BLOBs, so that the snapshots are taken again as files', async () => {
  const path = join(dir, 'old-index.db');
  const old = new Database(path);
  old.exec(`CREATE TABLE as_of_snapshots (model TEXT NOT NULL, global_position TEXT NOT NULL, sort_key INTEGER NOT NULL, events INTEGER NOT NULL,
    max_recorded_at TEXT NOT NULL, image BLOB NOT NULL, PRIMARY KEY (model, sort_key))`);
  old.prepare('INSERT INTO as_of_snapshots VALUES (?, ?, ?, ?, ?, ?)').run(model.name, '400/400', 400, 400, instants[0], Buffer.alloc(4096));
  old.close();
  const snapshots = openAsOfSnapshots(path);
  try {
    expect(snapshots.latestPlace(model)).toBeUndefined();
    expect(await takeAsOfSnapshots(store, nocRegisterProjection, snapshots, EVERY)).toBeGreaterThan(0);
    const tables = new Database(path, { readonly: true });
    expect(tables.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()).toEqual(['as_of_snapshot_files']);
    tables.close();
  } finally {
    snapshots.close();
  }
});
