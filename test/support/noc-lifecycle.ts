import { serveMetrics, type MetricsListener } from '../../metrics/serve';
import { apiClient, type ApiClient } from './api-client';
import { startStack, type Stack } from './stack';

/**
 * A stack with every process's metrics on its own /metrics listener (free ports on the loopback, as
 * main.ts serves them), and the NOC lifecycle the metrics tests script on it: one NOC requested,
 * reviewed, recommended, approved and left to expire on its own timer, a second left under review.
 * Shared by the tests that read the metrics directly and through a real Prometheus.
 */
export const LIFECYCLE_PASSWORD = 'a long enough password';
export const LIFECYCLE_ACCOUNTS = {
  pse: { username: 'moitt', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'MoITT officer' },
  reviewer: { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  director: { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
} as const;
export type LifecycleWho = keyof typeof LIFECYCLE_ACCOUNTS;

const REQUEST = {
  deviation: 'on-premises-hosting',
  description: 'Keep the payroll system on premises',
  justification: 'Migration is scheduled for next quarter',
  dataClass: 'restricted',
  systems: ['payroll'],
  requestedMonths: 6,
};

export type ProcessName = 'api' | 'worker' | 'projector';

export interface MetricsStack {
  stack: Stack;
  client: ApiClient<LifecycleWho>;
  listeners: Record<ProcessName, MetricsListener>;
  close(): Promise<void>;
}

export async function startMetricsStack(taskQueue: string): Promise<MetricsStack> {
  const stack = await startStack({ taskQueue, accounts: LIFECYCLE_ACCOUNTS, password: LIFECYCLE_PASSWORD, metrics: true });
  const listeners = {} as Record<ProcessName, MetricsListener>;
  for (const name of ['api', 'worker', 'projector'] as const) listeners[name] = await serveMetrics(stack.metrics![name], { host: '127.0.0.1', port: 0 });
  const client = await apiClient(stack, LIFECYCLE_ACCOUNTS, LIFECYCLE_PASSWORD);
  return {
    stack,
    client,
    listeners,
    async close() {
      for (const listener of Object.values(listeners)) await listener.close();
      await stack.close();
    },
  };
}

/** Polls until `check` passes (a bounded wait for the processes to settle, not a timing assertion). */
export async function eventually<T>(check: () => Promise<T>, limitMs: number): Promise<T> {
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

async function registerStatus(client: ApiClient<LifecycleWho>, nocId: string): Promise<string | undefined> {
  const res = await client.call('GET', '/api/nocs?limit=500', 'director');
  const items = (res.body.items ?? res.body.nocs ?? res.body) as { nocId: string; status: string }[];
  return items.find((r) => r.nocId === nocId)?.status;
}

/**
 * Requests (201), starts the review of (200), recommends and approves for two seconds (200 each) the
 * NOC `expiring`, waits for its expiry timer to expire it; requests and starts the review of `pending`.
 * Returns when the register shows both.
 */
export async function runNocLifecycle(client: ApiClient<LifecycleWho>): Promise<{ expiring: string; pending: string }> {
  const requestNoc = async (): Promise<string> => {
    const created = await client.call('POST', '/api/nocs', 'pse', REQUEST);
    expect(created.status).toBe(201);
    return (created.body.state as { request: { nocId: string } }).request.nocId;
  };
  const expectStatus = async (status: number, path: string, who: LifecycleWho, body: unknown) => expect((await client.call('POST', path, who, body)).status).toBe(status);
  const expiring = await requestNoc();
  await expectStatus(200, `/api/nocs/${expiring}/start-review`, 'reviewer', {});
  await expectStatus(200, `/api/nocs/${expiring}/recommend`, 'reviewer', { recommendation: 'approve', reasons: 'Justified' });
  const validUntil = new Date(Date.now() + 2000).toISOString();
  await expectStatus(200, `/api/nocs/${expiring}/decide`, 'director', { decision: 'approve', reasons: 'Agreed', validUntil });
  const pending = await requestNoc();
  await expectStatus(200, `/api/nocs/${pending}/start-review`, 'reviewer', {});
  await eventually(async () => expect(await registerStatus(client, expiring)).toBe('expired'), 15_000);
  await eventually(async () => expect(await registerStatus(client, pending)).toBe('under-review'), 5_000);
  return { expiring, pending };
}
