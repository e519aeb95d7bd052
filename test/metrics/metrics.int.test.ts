import { readCheckpoints } from '../../projections/checkpoints';
import { serveMetrics, type MetricsListener } from '../../metrics/serve';
import { startStack, type Stack } from '../support/stack';
import { findSamples, parseExposition, valueOf, type Sample } from '../support/prometheus';

/**
 * The processes' /metrics after a scripted NOC lifecycle on the real dev server: one NOC requested,
 * reviewed, recommended, approved and left to expire on its own timer, a second left under review. Each
 * registry is wired as its process's main.ts wires it and read over HTTP, as Prometheus reads it.
 */
const TASK_QUEUE = 'metrics-int';
const PASSWORD = 'a long enough password';
const ACCOUNTS = {
  pse: { username: 'moitt', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'MoITT officer' },
  reviewer: { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  director: { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
} as const;
type Who = keyof typeof ACCOUNTS;

const REQUEST = {
  deviation: 'on-premises-hosting',
  description: 'Keep the payroll system on premises',
  justification: 'Migration is scheduled for next quarter',
  dataClass: 'restricted',
  systems: ['payroll'],
  requestedMonths: 6,
};

let stack: Stack;
const listeners: Partial<Record<'api' | 'worker' | 'projector', MetricsListener>> = {};
const tokens = {} as Record<Who, string>;

beforeAll(async () => {
  stack = await startStack({ taskQueue: TASK_QUEUE, accounts: ACCOUNTS, password: PASSWORD, metrics: true });
  for (const name of ['api', 'worker', 'projector'] as const) listeners[name] = await serveMetrics(stack.metrics![name], { host: '127.0.0.1', port: 0 });
  for (const who of Object.keys(ACCOUNTS) as Who[]) {
    const res = await call('POST', '/api/auth/login', undefined, { username: ACCOUNTS[who].username, password: PASSWORD, code: stack.totp.code(ACCOUNTS[who].username) });
    tokens[who] = (res.body as { token: string }).token;
  }
});

afterAll(async () => {
  for (const listener of Object.values(listeners)) await listener.close();
  await stack?.close();
});

async function call(method: string, path: string, who?: Who, body?: unknown) {
  const res = await fetch(`${stack.base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function scrape(name: 'api' | 'worker' | 'projector'): Promise<Sample[]> {
  const res = await fetch(`http://127.0.0.1:${listeners[name]!.port}/metrics`);
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

/** Polls until `check` passes (a bounded wait for the processes to settle, not a timing assertion). */
async function eventually<T>(check: () => Promise<T>, limitMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() - started > limitMs) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function registerStatus(nocId: string): Promise<string | undefined> {
  const res = await call('GET', '/api/nocs?limit=500', 'director');
  const items = (res.body.items ?? res.body.nocs ?? res.body) as { nocId: string; status: string }[];
  return items.find((r) => r.nocId === nocId)?.status;
}

async function requestNoc(): Promise<string> {
  const created = await call('POST', '/api/nocs', 'pse', REQUEST);
  expect(created.status).toBe(201);
  return (created.body.state as { request: { nocId: string } }).request.nocId;
}

describe('the metrics after a NOC lifecycle', () => {
  it('show each route used, the appends and the expiry timer, the open NOCs by status and every read model caught up', async () => {
    const expiring = await requestNoc();
    expect((await call('POST', `/api/nocs/${expiring}/start-review`, 'reviewer', {})).status).toBe(200);
    expect((await call('POST', `/api/nocs/${expiring}/recommend`, 'reviewer', { recommendation: 'approve', reasons: 'Justified' })).status).toBe(200);
    const validUntil = new Date(Date.now() + 2000).toISOString();
    expect((await call('POST', `/api/nocs/${expiring}/decide`, 'director', { decision: 'approve', reasons: 'Agreed', validUntil })).status).toBe(200);
    const pending = await requestNoc();
    expect((await call('POST', `/api/nocs/${pending}/start-review`, 'reviewer', {})).status).toBe(200);
    await eventually(async () => expect(await registerStatus(expiring)).toBe('expired'), 15_000);
    await eventually(async () => expect(await registerStatus(pending)).toBe('under-review'), 5_000);

    const api = await scrape('api');
    const requests = (route: string, method: string, status: string) => valueOf(api, 'cloud_office_http_requests_total', { method, route, status });
    expect(requests('/api/nocs', 'POST', '201')).toBe(2);
    expect(requests('/api/nocs/:nocId/start-review', 'POST', '200')).toBe(2);
    expect(requests('/api/nocs/:nocId/recommend', 'POST', '200')).toBe(1);
    expect(requests('/api/nocs/:nocId/decide', 'POST', '200')).toBe(1);
    expect(requests('/api/auth/login', 'POST', '200')).toBe(3);
    expect(valueOf(api, 'cloud_office_http_request_duration_seconds_count', { method: 'POST', route: '/api/nocs' })).toBe(2);
    expect(valueOf(api, 'cloud_office_process_resident_memory_bytes', { process: 'api' })).toBeGreaterThan(0);
    // Only the operators' listener serves them, never the public port.
    expect((await fetch(`${stack.base}/metrics`)).status).toBe(404);

    const worker = await scrape('worker');
    // Requested, review started, recommended, approved, expired; then requested and review started.
    expect(valueOf(worker, 'cloud_office_eventstore_append_duration_seconds_count', { category: 'noc', outcome: 'ok' })).toBe(7);
    expect(valueOf(worker, 'cloud_office_eventstore_appended_events_total', { category: 'noc' })).toBe(7);
    expect(valueOf(worker, 'cloud_office_timer_lateness_seconds_count', { kind: 'noc.expiry' })).toBe(1);
    expect(valueOf(worker, 'cloud_office_timer_lateness_seconds_sum', { kind: 'noc.expiry' })).toBeGreaterThanOrEqual(0);

    const models = readCheckpoints(stack.readModels).map((c) => c.name);
    expect(models.length).toBeGreaterThan(0);
    const projector = await eventually(async () => {
      const samples = await scrape('projector');
      for (const model of models) expect(valueOf(samples, 'cloud_office_projection_lag_events', { model })).toBe(0);
      return samples;
    }, 5_000);
    for (const model of models) expect(valueOf(projector, 'cloud_office_projection_lag_seconds', { model })).toBe(0);
    expect(valueOf(projector, 'cloud_office_open_cases', { kind: 'noc', status: 'under-review', jurisdiction: 'federal' })).toBe(1);
    expect(findSamples(projector, 'cloud_office_open_cases', { status: 'expired' })).toEqual([]);
    expect(valueOf(projector, 'cloud_office_mail_outbox_backlog')).toBeGreaterThanOrEqual(0);
    expect(valueOf(projector, 'cloud_office_mail_delivery_failures_total')).toBe(0);
  });
});
