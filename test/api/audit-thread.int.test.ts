import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { fillStoreWithNocEvents } from '../../bench/fixtures';
import { createAuditThread, type AuditThread } from '../../api/audit-thread';
import type { EventStore } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import type { Identity } from '../../identity';
import { composeOffice } from '../../server/compose';
import { createTestIdentity, seedEnrolledAccount } from '../support/identity';
import { officeWithFakes } from './fakes';

/**
 * An auditor's whole-log request (an as-of replay from position 0, a full verification) must not hold the
 * API's thread: a cheap request sent while it runs is answered before it ends. Two offices over the same
 * file: one runs the work on the audit thread (api/audit-thread.ts), one on its own thread in slices (the
 * fallback where the store is not a file, EventStoreDB). Asserted by order of completion, never by time.
 * The log's size: AUDIT_REPLAY_EVENTS (default 20 000).
 */
const EVENTS = Number(process.env.AUDIT_REPLAY_EVENTS ?? 20_000);

let dir: string;
let store: EventStore;
let identity: Identity;
let thread: AuditThread;
let busyThread: AuditThread;
let threaded: { app: FastifyInstance; base: string };
let sliced: { app: FastifyInstance; base: string };
let crowded: { app: FastifyInstance; base: string };
let token: string;
/** Called once the whole-log work has begun: the thread took the job, or the sliced replay read its first page. */
let onWorkStarted: (() => void) | undefined;

function started(): void {
  const notify = onWorkStarted;
  onWorkStarted = undefined;
  notify?.();
}

async function office(audit: Parameters<typeof composeOffice>[0]['audit']): Promise<{ app: FastifyInstance; base: string }> {
  const app = composeOffice(officeWithFakes({ dataDir: dir, identity, eventStore: store }, { audit }));
  return { app, base: await app.listen({ host: '127.0.0.1', port: 0 }) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'audit-thread-'));
  const path = join(dir, 'events.db');
  store = await openSqliteEventStore({ path, synchronous: 'OFF' });
  await fillStoreWithNocEvents(store, EVENTS);
  const watched = new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (key === 'readAll') {
        return (...args: Parameters<EventStore['readAll']>) => {
          started();
          return target.readAll(...args);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  identity = await createTestIdentity();
  token = (await seedEnrolledAccount(identity, { username: 'asma', role: 'auditor', jurisdiction: 'federal', password: 'a long enough password' })).token;
  thread = createAuditThread({ eventStorePath: path, trustedKeys: {} }, { onStarted: started });
  busyThread = createAuditThread({ eventStorePath: path, trustedKeys: {} }, { queueLimit: 1 });
  threaded = await office({ store, trustedKeys: {}, thread });
  sliced = await office({ store: watched, trustedKeys: {} });
  crowded = await office({ store, trustedKeys: {}, thread: busyThread });
});

afterAll(async () => {
  for (const o of [threaded, sliced, crowded]) await o?.app.close();
  await thread?.close();
  await busyThread?.close();
  identity.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(base: string, path: string): Promise<Response> {
  return fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
}

/** Starts the whole-log request; once its work has begun, asks the cheap route; the order both finish in. */
async function cheapAnswerDuring(base: string, path: string): Promise<{ order: string[]; long: Response; cheap: Response }> {
  const order: string[] = [];
  const begun = new Promise<void>((resolve) => {
    onWorkStarted = resolve;
  });
  const long = get(base, path).then((res) => {
    order.push('whole-log request');
    return res;
  });
  await begun;
  const cheap = await fetch(`${base}/healthz`).then((res) => {
    order.push('cheap request');
    return res;
  });
  return { order, long: await long, cheap };
}

describe.each([
  ['on the audit thread', () => threaded.base],
  ['on the API’s thread in slices (no audit thread)', () => sliced.base],
])('the API while an auditor’s whole-log request runs %s', (_where, base) => {
  it('answers a cheap route before an as-of replay from position 0 ends, and the replay still applies every event', async () => {
    const { order, long, cheap } = await cheapAnswerDuring(base(), '/api/audit/read-models/noc-register?from=start');
    expect(order).toEqual(['cheap request', 'whole-log request']);
    expect(cheap.status).toBe(200);
    expect(long.status).toBe(200);
    expect(((await long.json()) as { events: number }).events).toBe(EVENTS);
  });

  it('answers a cheap route before a full verification ends, and the verification still checks every event', async () => {
    const { order, long, cheap } = await cheapAnswerDuring(base(), '/api/audit/verification?from=start');
    expect(order).toEqual(['cheap request', 'whole-log request']);
    expect(cheap.status).toBe(200);
    expect(long.status).toBe(200);
    expect(((await long.json()) as { events: number; scope: unknown }).events).toBe(EVENTS);
  });
});

describe('the audit thread', () => {
  it('gives the same as-of view and the same verification as the sliced run on the API’s thread', async () => {
    for (const path of ['/api/audit/read-models/noc-register?asOf=2030-01-01T00:00:00Z', '/api/audit/verification?from=start']) {
      const [fromThread, fromSlices] = await Promise.all([get(threaded.base, path), get(sliced.base, path)]);
      expect(fromThread.status).toBe(200);
      expect(await fromThread.json()).toEqual(await fromSlices.json());
    }
  });

  it('refuses a job beyond its queue with 503 AUDIT_THREAD_BUSY and Retry-After, and still answers the ones it took', async () => {
    const answers = await Promise.all([1, 2, 3].map(() => get(crowded.base, '/api/audit/verification?from=start')));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 503]);
    const refused = answers.find((a) => a.status === 503) as Response;
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('AUDIT_THREAD_BUSY');
  });

  it('refuses jobs once closed', async () => {
    const closing = createAuditThread({ eventStorePath: join(dir, 'events.db'), trustedKeys: {} });
    await closing.close();
    await expect(closing.run({ kind: 'verify', mode: 'full', record: false })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
