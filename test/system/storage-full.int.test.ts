import type Database from 'better-sqlite3';
import { createHealthCheck } from '../../api/health';
import { createStorageGuard } from '../../api/storage-guard';
import { nocWorkflowId } from '../../workflows/noc/messages';
import { reportFigures } from '../support/figures';
import { apiClient, type ApiClient, type Reply } from '../support/api-client';
import { startStack, type Stack } from '../support/stack';

/**
 * Issue 14, item 4: a full disk, through the API. The event store's file may not grow
 * (`max_page_count` at its size, as a full disk is to SQLite). A NOC request and a reviewer's decision
 * are refused 503 UNAVAILABLE before any process starts or acts: no event, no process, nothing new in
 * the read models; /healthz names the store and why. Once space is back the same requests (same
 * Idempotency-Key) are taken, once.
 */
jest.setTimeout(180_000);

const TASK_QUEUE = 'system-storage-full';
const PASSWORD = 'a long enough password';
/** The room the store keeps for running processes; the test's own, small enough for a fresh file. */
const RESERVE_BYTES = 64 * 1024;
const ACCOUNTS = {
  pse: { username: 'moitt', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'MoITT officer' },
  reviewer: { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  director: { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
} as const;
type Who = keyof typeof ACCOUNTS;

let stack: Stack;
let api: ApiClient<Who>;

beforeAll(async () => {
  stack = await startStack({
    taskQueue: TASK_QUEUE,
    accounts: ACCOUNTS,
    password: PASSWORD,
    apiDeps: (deps, env) => {
      const storageGuard = createStorageGuard(deps.audit!.store, RESERVE_BYTES);
      const health = createHealthCheck({ temporalConnection: env.connection, eventStore: deps.audit!.store, storageGuard, projectionStatus: async () => [] });
      return { ...deps, storageGuard, health };
    },
  });
  api = await apiClient(stack, ACCOUNTS, PASSWORD);
});

afterAll(async () => {
  await stack?.close();
});

/** The store's own connection: max_page_count holds per connection, and the worker and the API write through this one. */
const storeDb = (): Database.Database => (stack.store as unknown as { inner: { db: Database.Database } }).inner.db;

const request = {
  deviation: 'on-premises-hosting',
  description: 'Keep the payroll system on premises',
  justification: 'Migration is scheduled for next quarter',
  dataClass: 'restricted',
  systems: ['payroll'],
  requestedMonths: 6,
};
const nocIdOf = (a: Reply): string => ((a.body.state ?? a.body) as { request: { nocId: string } }).request.nocId;
const errorOf = (a: Reply): { code?: string; message?: string } => (a.body.error ?? {}) as { code?: string; message?: string };
const key = (k: string): Record<string, string> => ({ 'idempotency-key': k });

/** What the read models say: the NOC register as a director reads it. */
async function register(): Promise<unknown> {
  await api.projected();
  const { status, body } = await api.call('GET', '/api/nocs?limit=500', 'director');
  expect(status).toBe(200);
  return body;
}

describe('the event store full under writes through the API', () => {
  it('refuses a NOC request and a decision 503 UNAVAILABLE with nothing written or started, says so on /healthz, and takes the same requests once space is back', async () => {
    const created = await api.call('POST', '/api/nocs', 'pse', request);
    expect(created.status).toBe(201);
    const nocId = nocIdOf(created);
    expect((await api.call('POST', `/api/nocs/${nocId}/start-review`, 'reviewer', {})).status).toBe(200);
    const registerBefore = await register();
    const eventsBefore = (await stack.store.readAll()).length;
    expect((await api.call('GET', '/healthz')).status).toBe(200);

    const db = storeDb();
    const maxPages = db.pragma('max_page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    let requested: Reply;
    let recommended: Reply;
    let eventsDuring: number;
    try {
      requested = await api.call('POST', '/api/nocs', 'pse', request, key('full-disk-request'));
      recommended = await api.call('POST', `/api/nocs/${nocId}/recommend`, 'reviewer', { recommendation: 'approve', reasons: 'Justified' }, key('full-disk-recommend'));
      for (const refused of [requested, recommended]) {
        expect(refused.status).toBe(503);
        expect(errorOf(refused)).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/^The event store has no space left .*nothing was done; try again once space is freed$/) });
      }
      // /healthz says what is down, and why.
      const health = await api.call('GET', '/healthz');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: 'unavailable', temporal: { ok: true }, eventStore: { ok: false, error: expect.stringMatching(/^The event store has no space left/) } });
      // Reads go on meanwhile, from the read models.
      expect(await register()).toEqual(registerBefore);
      eventsDuring = (await stack.store.readAll()).length;
      expect(eventsDuring).toBe(eventsBefore);
      expect((await stack.store.readStream(`noc-${nocId}`)).map((e) => e.type)).toEqual(['NocRequested', 'NocReviewStarted']);
    } finally {
      db.pragma(`max_page_count = ${maxPages}`);
    }
    const spaceBack = new Date();

    expect((await api.call('GET', '/healthz')).status).toBe(200);
    const again = await api.call('POST', '/api/nocs', 'pse', request, key('full-disk-request'));
    expect(again.status).toBe(201);
    const newNocId = nocIdOf(again);
    // The process behind the request started only now: the refusal had started none.
    const { startTime } = await stack.env.client.workflow.getHandle(nocWorkflowId(newNocId)).describe();
    expect(startTime.getTime()).toBeGreaterThanOrEqual(spaceBack.getTime() - 1000);
    const recommendedAgain = await api.call('POST', `/api/nocs/${nocId}/recommend`, 'reviewer', { recommendation: 'approve', reasons: 'Justified' }, key('full-disk-recommend'));
    expect(recommendedAgain.status).toBe(200);

    expect((await stack.store.readStream(`noc-${newNocId}`)).map((e) => e.type)).toEqual(['NocRequested']);
    expect((await stack.store.readStream(`noc-${nocId}`)).map((e) => e.type)).toEqual(['NocRequested', 'NocReviewStarted', 'NocRecommended']);
    const after = (await register()) as { items: { nocId: string; status: string }[] };
    expect(after.items.find((n) => n.nocId === newNocId)).toMatchObject({ status: 'requested' });
    expect(after.items.find((n) => n.nocId === nocId)).toMatchObject({ status: 'awaiting-decision' });

    reportFigures('event store full through the API', {
      refused503: 2,
      partialEvents: eventsDuring - eventsBefore,
      eventsAfterRecovery: (await stack.store.readAll()).length - eventsBefore,
    });
  });
});
