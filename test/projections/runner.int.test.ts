import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { generateNocHistories } from '../../bench/fixtures';
import { DEFAULT_NOC_POLICY } from '../../domain/noc/policy';
import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import { positionToString, type EventStore, type Position } from '../../eventstore/port';
import type { DecodedEvent } from '../../eventstore/registry';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { readCheckpoints } from '../../projections/checkpoints';
import { openReadModelDb, type ReadModelDb } from '../../projections/db';
import { allProjections } from '../../projections/index';
import type { Projection } from '../../projections/projection';
import { ProjectionFailedError, ProjectionRunner } from '../../projections/runner';
import { NOC_REGISTER } from '../../projections/noc/register';
import { dump } from './support';

const TABLES = ['noc_register', 'noc_history', 'noc_queue_cases', 'noc_tasks', 'noc_notification_cases', 'noc_notifications'];

let dir: string;
let store: EventStore;
let opened: ReadModelDb[];
let runners: ProjectionRunner[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runner-'));
  store = await openSqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'OFF', pollMs: 20 });
  opened = [];
  runners = [];
});

afterEach(async () => {
  for (const r of runners) await r.stop();
  await store.close();
  for (const db of opened) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

function readModels(name = 'readmodels.db'): ReadModelDb {
  const db = openReadModelDb(join(dir, name));
  opened.push(db);
  return db;
}

function runner(db: ReadModelDb, projections: Projection[] = allProjections(), maxBatch?: number, logger?: Logger): ProjectionRunner {
  const r = new ProjectionRunner({ store, db, projections, ...(maxBatch === undefined ? {} : { maxBatch }), ...(logger ? { logger } : {}) });
  runners.push(r);
  return r;
}

/** Appends NOC histories of `count` events in all, NOC ids from `firstIndex` on; returns the new head. */
async function appendNocEvents(count: number, firstIndex = 0): Promise<Position> {
  for (const h of generateNocHistories(count, { firstIndex, seed: 3 + firstIndex })) await store.append(h.stream, h.events, 'no-stream');
  return store.headPosition();
}

function tables(db: ReadModelDb): Record<string, unknown[]> {
  return Object.fromEntries(TABLES.map((t) => [t, dump(db, t)]));
}

/** The read models as a runner on a fresh database projects them from the whole log. */
async function fromScratch(): Promise<Record<string, unknown[]>> {
  const db = readModels(`reference-${randomUUID()}.db`);
  const r = runner(db);
  await r.start();
  await r.waitFor(await store.headPosition());
  await r.stop();
  return tables(db);
}

/** Wraps a projection to count how often each event reaches apply. */
function counting(p: Projection, counts: Map<string, number>): Projection {
  return {
    ...p,
    apply(db, event) {
      const key = `${p.name}:${event.id}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      p.apply(db, event);
    },
  };
}

/** A projection that records every event it sees in a table, and throws on the event at `failAt`. */
function probe(failAt?: bigint) {
  const applied: bigint[] = [];
  const projection: Projection = {
    name: 'probe',
    version: 1,
    setup: (db) => db.exec('CREATE TABLE IF NOT EXISTS probe_events (position INTEGER PRIMARY KEY)'),
    handles: () => true,
    apply(db, event: DecodedEvent) {
      applied.push(event.position.commit);
      db.prepare('INSERT INTO probe_events (position) VALUES (?)').run(event.position.commit);
      if (event.position.commit === failAt) throw new Error('the probe refuses this event');
    },
    reset: (db) => db.exec('DROP TABLE IF EXISTS probe_events'),
  };
  return { projection, applied };
}

const unknownEvent = (occurredAt = '2025-01-01T00:00:00.000Z') => ({
  id: randomUUID(),
  type: 'NocTeleported',
  data: { to: 'the moon' },
  metadata: {
    schemaVersion: 1,
    actor: { userId: SYSTEM_ACTOR.userId, role: SYSTEM_ACTOR.role },
    occurredAt,
    correlationId: 'noc:NOC-X',
    causationId: 'test',
    policyVersion: DEFAULT_NOC_POLICY.version,
  },
});

describe('the projection runner on the SQLite event store', () => {
  it('catches up with the log, then follows new events as they are appended', async () => {
    const head = await appendNocEvents(1500);
    const db = readModels();
    const r = runner(db);
    await r.start();
    await r.waitFor(head);
    const streams = new Set((await store.readAll()).map((e) => e.stream)).size;
    expect(db.prepare('SELECT COUNT(*) AS n FROM noc_register').get()).toEqual({ n: streams });
    expect(await r.status()).toEqual(
      allProjections().map(({ name, version }) => ({ name, version, position: positionToString(head), lag: 0, lagExact: true })),
    );

    const later = await appendNocEvents(400, 100_000);
    await r.waitFor(later);
    expect(r.health()).toEqual({ state: 'running', caughtUp: true });
    expect(tables(db)).toEqual(await fromScratch());
  });

  it('resumes from its checkpoint after a restart, applying no event twice', async () => {
    const counts = new Map<string, number>();
    const wrapped = () => allProjections().map((p) => counting(p, counts));
    const db = readModels();
    const first = runner(db, wrapped());
    await first.start();
    await first.waitFor(await appendNocEvents(800));
    await first.stop();

    const head = await appendNocEvents(600, 100_000);
    const second = runner(db, wrapped());
    expect((await second.status()).map((s) => s.lag)).toEqual(allProjections().map(() => 600));
    await second.start();
    await second.waitFor(head);

    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    const events = await store.readAll();
    expect(counts.size).toBe(allProjections().reduce((n, p) => n + events.filter((e) => p.handles(e.type)).length, 0));
    expect(tables(db)).toEqual(await fromScratch());
  });

  it('commits a batch with its checkpoint or not at all: an apply that throws mid-batch leaves neither rows nor checkpoint', async () => {
    const head = await appendNocEvents(40);
    const db = readModels();
    const ok = runner(db, [...allProjections(), probe().projection]);
    await ok.start();
    await ok.waitFor(head);
    await ok.stop();
    const before = tables(db);
    const probeRows = db.prepare('SELECT COUNT(*) AS n FROM probe_events').get();

    // One history appended at once arrives as one batch; the probe throws on its third event.
    const [history] = [...generateNocHistories(7, { firstIndex: 500, seed: 9 })];
    if (!history) throw new Error('no history generated');
    await store.append(history.stream, history.events, 'no-stream');
    const failAt = head.commit + 3n;
    const { projection, applied } = probe(failAt);
    const failing = runner(db, [...allProjections(), projection]);
    await failing.start();
    await expect(failing.waitFor(await store.headPosition())).rejects.toThrow(ProjectionFailedError);

    // Events before the failing one were applied inside the transaction, and rolled back with it.
    expect(applied).toEqual([head.commit + 1n, head.commit + 2n, head.commit + 3n]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM probe_events').get()).toEqual(probeRows);
    expect(tables(db)).toEqual(before);
    expect(readCheckpoints(db).map((c) => [c.name, c.position && positionToString(c.position)])).toEqual(
      [...allProjections().map((p) => p.name), 'probe'].sort().map((name) => [name, positionToString(head)]),
    );
    expect(failing.health()).toMatchObject({ state: 'failed', error: expect.stringContaining('Projection probe failed on') });
  });

  it('rebuilds a projection, or all of them, into exactly the rows it had', async () => {
    const head = await appendNocEvents(2000);
    const db = readModels();
    const r = runner(db);
    await r.start();
    await r.waitFor(head);
    const before = tables(db);

    await r.rebuild('noc-queue');
    expect(tables(db)).toEqual(before);
    await r.rebuild();
    expect(tables(db)).toEqual(before);
    expect(readCheckpoints(db).every((c) => c.position !== null && positionToString(c.position) === positionToString(head))).toBe(true);

    // It keeps following the log afterwards.
    const later = await appendNocEvents(100, 100_000);
    await r.waitFor(later);
    expect(r.health().state).toBe('running');
    await expect(r.rebuild('no-such-projection')).rejects.toThrow(/No projection named no-such-projection/);
  });

  it('rebuilds a projection whose version changed when it starts, and only that one', async () => {
    const head = await appendNocEvents(600);
    const db = readModels();
    const r1 = runner(db);
    await r1.start();
    await r1.waitFor(head);
    await r1.stop();
    const before = tables(db);
    // Rows as an older version of the code left them.
    db.prepare("UPDATE noc_register SET description = 'written by version 1'").run();

    const resets: string[] = [];
    const bumped = allProjections().map((p) => (p.name === NOC_REGISTER ? { ...p, version: 2, reset: (d: ReadModelDb) => (resets.push(p.name), p.reset(d)) } : p));
    const r2 = runner(db, bumped);
    await r2.start();
    await r2.waitFor(head);
    expect(resets).toEqual([NOC_REGISTER]);
    expect(tables(db)).toEqual(before);
    expect(readCheckpoints(db).map((c) => [c.name, c.version])).toEqual(
      allProjections()
        .sort((x, y) => (x.name < y.name ? -1 : 1))
        .map((p) => [p.name, p.name === NOC_REGISTER ? 2 : p.version]),
    );
  });

  it('stops with a clear error on an event type it does not know, records it, and does not skip it on restart', async () => {
    const head = await appendNocEvents(100);
    const db = readModels();
    const r = runner(db);
    await r.start();
    await r.waitFor(head);

    await store.append('noc-NOC-X', [unknownEvent()], 'any');
    const bad = await store.headPosition();
    const failure = await r.waitFor(bad).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(ProjectionFailedError);
    expect(failure).toMatchObject({
      code: 'EVENT_SCHEMA_UNKNOWN',
      details: { eventType: 'NocTeleported', stream: 'noc-NOC-X', revision: 0, position: positionToString(bad) },
    });
    expect((failure as Error).message).toMatch(/EVENT_SCHEMA_UNKNOWN: Cannot read NocTeleported at noc-NOC-X@0 .*unknown event type NocTeleported/);

    expect(r.health()).toMatchObject({ state: 'failed', error: expect.stringContaining('NocTeleported') });
    const status = await r.status();
    expect(status.map((s) => [s.position, s.lag, s.error !== undefined])).toEqual(allProjections().map(() => [positionToString(head), 1, true]));
    // Another process (the API's health check) reads the error from the database.
    expect(readCheckpoints(db).map((c) => c.error)).toEqual(allProjections().map(() => expect.stringContaining('NocTeleported')));

    await r.stop();
    const again = runner(db);
    await again.start();
    await expect(again.waitFor(bad)).rejects.toMatchObject({ code: 'EVENT_SCHEMA_UNKNOWN' });
    expect(readCheckpoints(db).every((c) => c.position !== null && positionToString(c.position) === positionToString(head))).toBe(true);
  });

  it('lets a rebuild from another process run beside it, neither applying an event twice', async () => {
    const head = await appendNocEvents(1000);
    const db = readModels();
    const messages: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        messages.push((JSON.parse(chunk.toString('utf8')) as { msg: string }).msg);
        done();
      },
    });
    const projector = runner(db, allProjections(), undefined, pino({ level: 'warn' }, sink));
    await projector.start();
    await projector.waitFor(head);

    // The rebuild CLI: its own connection to the same file.
    const cli = runner(readModels(), allProjections(), 50);
    const rebuilt = cli.rebuild(NOC_REGISTER);
    const more = await appendNocEvents(500, 100_000);
    await rebuilt;
    await cli.stop();
    await projector.waitFor(more);

    expect(messages).toContain('projection checkpoints changed under the runner: reloading them');
    expect(projector.health().state).toBe('running');
    expect(tables(db)).toEqual(await fromScratch());
  });
});
