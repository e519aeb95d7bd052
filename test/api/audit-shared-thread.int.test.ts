import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { fillStoreWithNocEvents } from '../../bench/fixtures';
import { loadConfig } from '../../config/config';
import type { EventStore } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import type { Identity } from '../../identity';
import { composeOffice } from '../../server/compose';
import { createTestIdentity, seedEnrolledAccount } from '../support/identity';
import { FakeNocGateway, FakeNocQueries } from './fakes';

/**
 * An auditor's whole-log request (an as-of replay from position 0, a full verification) must not hold the
 * API's thread: a cheap request sent while it runs is answered before it ends. Asserted by order of
 * completion, never by time. The log's size: AUDIT_REPLAY_EVENTS (default 20 000).
 */
const EVENTS = Number(process.env.AUDIT_REPLAY_EVENTS ?? 20_000);

let dir: string;
let store: EventStore;
let identity: Identity;
let app: FastifyInstance;
let base: string;
let token: string;
/** Resolves each time the audit store's whole-log read is called: the replay has begun. */
let onWholeLogRead: (() => void) | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'audit-thread-'));
  store = await openSqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'OFF' });
  await fillStoreWithNocEvents(store, EVENTS);
  const watched = new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (key === 'readAll') {
        return (...args: Parameters<EventStore['readAll']>) => {
          onWholeLogRead?.();
          return target.readAll(...args);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  identity = await createTestIdentity();
  token = (await seedEnrolledAccount(identity, { username: 'asma', role: 'auditor', jurisdiction: 'federal', password: 'a long enough password' })).token;
  app = composeOffice({
    config: { ...loadConfig({}), dataDir: dir },
    identity,
    nocGateway: new FakeNocGateway(),
    nocQueries: new FakeNocQueries(),
    eventStore: store,
    health: async () => ({ status: 'ok', temporal: { ok: true }, eventStore: { ok: true }, projections: [] }),
    logger: pino({ level: 'silent' }),
    audit: { store: watched, trustedKeys: {} },
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app.close();
  identity.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the whole-log request; once the store's first page is read, asks the cheap route; the order both finish in. */
async function cheapAnswerDuring(path: string): Promise<{ order: string[]; long: Response; cheap: Response }> {
  const order: string[] = [];
  const started = new Promise<void>((resolve) => {
    onWholeLogRead = () => {
      onWholeLogRead = undefined;
      resolve();
    };
  });
  const long = fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } }).then((res) => {
    order.push('whole-log request');
    return res;
  });
  await started;
  const cheap = await fetch(`${base}/healthz`).then((res) => {
    order.push('cheap request');
    return res;
  });
  return { order, long: await long, cheap };
}

describe('the API while an auditor’s whole-log request runs', () => {
  it('answers a cheap route before an as-of replay from position 0 ends, and the replay still applies every event', async () => {
    const { order, long, cheap } = await cheapAnswerDuring('/api/audit/read-models/noc-register');
    expect(order).toEqual(['cheap request', 'whole-log request']);
    expect(cheap.status).toBe(200);
    expect(long.status).toBe(200);
    expect(((await long.json()) as { events: number }).events).toBe(EVENTS);
  });

  it('answers a cheap route before a full verification ends, and the verification still checks every event', async () => {
    const { order, long, cheap } = await cheapAnswerDuring('/api/audit/verification?from=start');
    expect(order).toEqual(['cheap request', 'whole-log request']);
    expect(cheap.status).toBe(200);
    expect(long.status).toBe(200);
    expect(((await long.json()) as { events: number; scope: unknown }).events).toBe(EVENTS);
  });
});
