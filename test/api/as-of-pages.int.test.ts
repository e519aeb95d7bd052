import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { fillStoreWithNocEvents, generateNocHistories } from '../../bench/fixtures';
import { AsOfViews } from '../../api/as-of-views';
import { createAuditThread, type AuditThread } from '../../api/audit-thread';
import type { ApiDeps } from '../../api/deps';
import type { EventStore } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import type { Identity } from '../../identity';
import { allProjections } from '../../projections';
import { rebuildAsOf } from '../../projections/as-of';
import { openReadModelDb } from '../../projections/db';
import { dumpModel, tableKeysOf } from '../../projections/model-dump';
import { composeOffice } from '../../server/compose';
import { createTestIdentity, seedEnrolledAccount } from '../support/identity';
import { officeWithFakes } from './fakes';

/**
 * An as-of view answers a page of each table, in the order of its primary key, and a cursor to the next:
 * a view of a national register holds millions of rows, which one answer cannot. Paged on the audit
 * thread and on the API's own thread alike.
 */
let dir: string;
let store: EventStore;
let identity: Identity;
let thread: AuditThread;
let offices: { threaded: FastifyInstance; sliced: FastifyInstance };
let token: string;
let views: AsOfViews;
const register = allProjections().find((p) => p.name === 'noc-register')!;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'as-of-pages-'));
  const path = join(dir, 'events.db');
  store = await openSqliteEventStore({ path, synchronous: 'OFF' });
  await fillStoreWithNocEvents(store, 400);
  identity = await createTestIdentity();
  token = (await seedEnrolledAccount(identity, { username: 'asma', role: 'auditor', jurisdiction: 'federal', password: 'a long enough password' })).token;
  thread = createAuditThread({ eventStorePath: path, trustedKeys: {} });
  const office = (audit: ApiDeps['audit']) => composeOffice(officeWithFakes({ dataDir: dir, identity, eventStore: store }, { audit }));
  views = new AsOfViews();
  offices = { threaded: office({ store, trustedKeys: {}, thread }), sliced: office({ store, trustedKeys: {}, views }) };
});

afterAll(async () => {
  for (const app of Object.values(offices ?? {})) await app.close();
  await thread?.close();
  views?.close();
  identity.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** NOC histories appended by the tests, so each test's are new streams. */
let appended = 0;

type Answer = { events: number; tables: Record<string, Record<string, unknown>[]>; next: Record<string, string | null> };

async function get(app: FastifyInstance, url: string): Promise<{ status: number; body: Answer & { error?: { code: string; field?: string } } }> {
  const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: res.json() };
}

/** The whole register as of now, each table sorted by its primary key. */
async function wholeRegister(): Promise<Record<string, Record<string, unknown>[]>> {
  const db = openReadModelDb(':memory:');
  try {
    await rebuildAsOf(store, [register], db);
    const { tables } = dumpModel(db, register);
    const keys = tableKeysOf(register);
    const byKey = (key: string[]) => (a: Record<string, unknown>, b: Record<string, unknown>) => {
      for (const c of key) if (a[c] !== b[c]) return (a[c] as string | number) < (b[c] as string | number) ? -1 : 1;
      return 0;
    };
    return Object.fromEntries(Object.entries(tables).map(([t, rows]) => [t, [...rows].sort(byKey(keys.get(t)!))]));
  } finally {
    db.close();
  }
}

describe.each([
  ['on the audit thread', () => offices.threaded],
  ['on the API’s thread', () => offices.sliced],
])('an as-of view answered in pages %s', (_where, app) => {
  it('gives the first page of every table with a cursor to the next, and a table read page by page holds every row once, in key order', async () => {
    const whole = await wholeRegister();
    const first = await get(app(), '/api/audit/read-models/noc-register?from=start&limit=7');
    expect(first.status).toBe(200);
    expect(Object.keys(first.body.tables).sort()).toEqual(Object.keys(whole).sort());
    for (const [table, rows] of Object.entries(whole)) {
      expect(first.body.tables[table]).toEqual(rows.slice(0, 7));
      expect(first.body.next[table] === null).toBe(rows.length <= 7);
    }

    const history: Record<string, unknown>[] = [];
    let url = '/api/audit/read-models/noc-register?from=start&table=noc_history&limit=7';
    for (let pages = 0; ; pages++) {
      const page = await get(app(), url);
      expect(page.status).toBe(200);
      expect(Object.keys(page.body.tables)).toEqual(['noc_history']);
      history.push(...(page.body.tables.noc_history ?? []));
      const next = page.body.next.noc_history;
      if (next === null) break;
      expect(pages).toBeLessThan(whole.noc_history!.length);
      url = `/api/audit/read-models/noc-register?from=start&table=noc_history&limit=7&after=${encodeURIComponent(next!)}`;
    }
    expect(whole.noc_history!.length).toBeGreaterThan(7);
    expect(history).toEqual(whole.noc_history);
  });

  it('keeps a view between answers: a view of now takes in what was recorded since, a view of a past instant does not', async () => {
    const before = new Date().toISOString();
    const count = async (query: string) => (await get(app(), `/api/audit/read-models/noc-register?table=noc_register&limit=1000&${query}`)).body;
    const [nowFirst, pastFirst] = [await count('from=snapshot'), await count(`asOf=${encodeURIComponent(before)}`)];
    await new Promise((resolve) => setTimeout(resolve, 5));
    const later = [...generateNocHistories(30, { seed: 99, firstIndex: 5_000_000 + appended })];
    appended += later.length;
    for (const h of later) await store.append(h.stream, h.events, 'no-stream');
    const added = later.reduce((n, h) => n + h.events.length, 0);
    const [nowThen, pastThen] = [await count('from=snapshot'), await count(`asOf=${encodeURIComponent(before)}`)];
    expect(nowThen.events).toBe(nowFirst.events + added);
    expect(nowThen.tables.noc_register!.length).toBe(nowFirst.tables.noc_register!.length + later.length);
    expect(pastThen).toEqual(pastFirst);
    // What the kept view says is what a view built afresh says.
    const whole = await wholeRegister();
    expect(nowThen.tables.noc_register).toEqual(whole.noc_register);
  });

  it('refuses a table the model does not have, a cursor without its table or not of that table, and a limit out of range, naming the field', async () => {
    const cases: [string, string][] = [
      ['table=noc_tasks', 'table'],
      ['after=WzFd', 'after'],
      ['table=noc_history&after=not-a-cursor', 'after'],
      [`table=noc_history&after=${Buffer.from('["only one of two"]').toString('base64url')}`, 'after'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
    ];
    for (const [query, field] of cases) {
      const refused = await get(app(), `/api/audit/read-models/noc-register?${query}`);
      expect({ query, status: refused.status, error: refused.body.error }).toMatchObject({ query, status: 400, error: { code: 'VALIDATION_FAILED', field } });
    }
  });
});
