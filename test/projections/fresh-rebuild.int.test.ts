import pino from 'pino';
import { openSqliteEventStore, type SqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { rebuildAsOf } from '../../projections/as-of';
import { openReadModelDb, type ReadModelDb } from '../../projections/db';
import { allProjections } from '../../projections/index';
import { ProjectionRunner } from '../../projections/runner';
import { generateNocHistories } from '../../bench/fixtures';
import { officeEventMix } from '../support/office-event-mix';
import { CHECKPOINT_POSITIONS, compareReadModels, dumpReadModels, rowCounts, type ReadModelDump } from '../support/read-model-dump';

/**
 * A rebuild replays the log into a scratch file where projections keep their working state in memory,
 * then swaps the tables in; the per-event path applies one event at a time to the live file. Both must
 * leave every table of every read model with exactly the same rows.
 */
describe('rebuilding every read model through a scratch file', () => {
  let store: SqliteEventStore;
  const opened: ReadModelDb[] = [];
  const runners: ProjectionRunner[] = [];

  beforeAll(async () => {
    store = await openSqliteEventStore({ path: ':memory:', pollMs: 10 });
    for (const a of officeEventMix({ nocEvents: 3_000, seed: 11, nocEpoch: '2026-01-01T00:00:00.000Z' })) await store.append(a.stream, a.events, a.expected);
  });
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop();
    for (const db of opened.splice(0)) db.close();
  });
  afterAll(async () => {
    await store.close();
  });

  function runner(db: ReadModelDb): ProjectionRunner {
    const r = new ProjectionRunner({ store, db, projections: allProjections(), logger: pino({ level: 'silent' }) });
    runners.push(r);
    return r;
  }

  function readModels(): ReadModelDb {
    const db = openReadModelDb(':memory:');
    opened.push(db);
    return db;
  }

  const dump = (db: ReadModelDb): ReadModelDump => dumpReadModels(db, { columns: CHECKPOINT_POSITIONS });

  /** The read models as the live path writes them: one event after another, in batches of 100. */
  async function perEvent(): Promise<ReadModelDb> {
    const db = readModels();
    const r = new ProjectionRunner({ store, db, projections: allProjections(), maxBatch: 100, logger: pino({ level: 'silent' }) });
    runners.push(r);
    await r.start();
    await r.waitFor(await store.headPosition());
    return db;
  }

  it('writes into a fresh database exactly the rows the per-event path writes, every table of every read model', async () => {
    const expected = dump(await perEvent());
    const db = readModels();
    await runner(db).rebuild();

    expect(compareReadModels(expected, dump(db))).toEqual([]);
    const counts = rowCounts(expected);
    // Every kind of read model had rows to compare (the NOC histories all end, so no NOC task stays open).
    const tables = ['noc_register', 'noc_history', 'noc_notifications', 'notices', 'notice_cases', 'notice_mail_pending', 'pf_noc_versions', 'cmp_reviews'];
    expect(tables.filter((t) => (counts[t] ?? 0) === 0)).toEqual([]);
  });

  it('swaps the rebuilt tables into a database that already holds the models, leaving the same rows, then follows the log', async () => {
    const db = await perEvent();
    const before = dump(db);
    const r = runner(db);
    await r.rebuild();
    expect(compareReadModels(before, dump(db))).toEqual([]);

    await r.rebuild('notices');
    expect(compareReadModels(before, dump(db))).toEqual([]);
    expect(r.health().state).toBe('running');
  });

  /** Every index and trigger, by name with its definition: what the API's queries rely on besides the rows. */
  const schemaOf = (db: ReadModelDb): { name: string; sql: string | null }[] =>
    db.prepare("SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name").all() as { name: string; sql: string | null }[];

  it('replays as of the end with working state held in memory across many small transactions, each read in several chunks, into the same rows and indexes', async () => {
    const live = await perEvent();
    const expected = dumpReadModels(live, { exclude: ['projection_checkpoints'] });
    const replayed = readModels();
    const result = await rebuildAsOf(store, allProjections(), replayed, { pageSize: 97, readChunk: 10 });

    expect(result.events).toBe(Number((await store.headPosition()).commit));
    expect(compareReadModels(expected, dumpReadModels(replayed, { exclude: ['projection_checkpoints'] }))).toEqual([]);
    // The indexes a replay leaves out while it writes are all there once it has finished.
    expect(schemaOf(replayed)).toEqual(schemaOf(live));
  });

  it('leaves the live database with every index after a rebuild swapped its tables in', async () => {
    const fresh = readModels();
    await runner(fresh).rebuild();
    expect(schemaOf(fresh)).toEqual(schemaOf(await perEvent()));
  });
});

/**
 * The office mix ends every NOC's history, so its queue ends empty. Here each history stops partway,
 * so tasks stay open at the end and many are replaced across the replay's transactions: what a
 * rebuild holds in memory and writes per transaction must still come out as the per-event rows.
 */
describe('rebuilding while NOC cases are still in progress', () => {
  let store: SqliteEventStore;
  const opened: ReadModelDb[] = [];
  const runners: ProjectionRunner[] = [];

  beforeAll(async () => {
    store = await openSqliteEventStore({ path: ':memory:', pollMs: 10 });
    let i = 0;
    for (const h of generateNocHistories(3_000, { seed: 23, epoch: '2026-01-01T00:00:00.000Z' })) {
      await store.append(h.stream, h.events.slice(0, 1 + (i++ % h.events.length)), 'no-stream');
    }
  });
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop();
    for (const db of opened.splice(0)) db.close();
  });
  afterAll(async () => {
    await store.close();
  });

  async function readModels(maxBatch?: number): Promise<{ db: ReadModelDb; runner: ProjectionRunner }> {
    const db = openReadModelDb(':memory:');
    opened.push(db);
    const runner = new ProjectionRunner({ store, db, projections: allProjections(), logger: pino({ level: 'silent' }), ...(maxBatch ? { maxBatch } : {}) });
    runners.push(runner);
    return { db, runner };
  }

  it('leaves the same open tasks, cases and versions after a rebuild and an as-of replay as the per-event path', async () => {
    const live = await readModels(100);
    await live.runner.start();
    await live.runner.waitFor(await store.headPosition());
    const expected = dumpReadModels(live.db, { exclude: ['projection_checkpoints'] });
    expect(['noc_tasks', 'noc_queue_cases', 'pf_noc_versions'].filter((t) => (rowCounts(expected)[t] ?? 0) === 0)).toEqual([]);

    const rebuilt = await readModels();
    await rebuilt.runner.rebuild();
    expect(compareReadModels(expected, dumpReadModels(rebuilt.db, { exclude: ['projection_checkpoints'] }))).toEqual([]);

    const replayed = openReadModelDb(':memory:');
    opened.push(replayed);
    await rebuildAsOf(store, allProjections(), replayed, { pageSize: 61, readChunk: 8 });
    expect(compareReadModels(expected, dumpReadModels(replayed, { exclude: ['projection_checkpoints'] }))).toEqual([]);
  });
});
