import pino from 'pino';
import { openSqliteEventStore, type SqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { rebuildAsOf } from '../../projections/as-of';
import { openReadModelDb, type ReadModelDb } from '../../projections/db';
import { allProjections } from '../../projections/index';
import { ProjectionRunner } from '../../projections/runner';
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

  it('replays as of the end with working state held in memory across many small transactions, into the same rows', async () => {
    const expected = dumpReadModels(await perEvent(), { exclude: ['projection_checkpoints'] });
    const replayed = readModels();
    const result = await rebuildAsOf(store, allProjections(), replayed, { pageSize: 97 });

    expect(result.events).toBe(Number((await store.headPosition()).commit));
    expect(compareReadModels(expected, dumpReadModels(replayed, { exclude: ['projection_checkpoints'] }))).toEqual([]);
  });
});
