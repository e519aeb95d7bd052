import { readCheckpoints } from '../../projections/checkpoints';
import { eventually, runNocLifecycle, startMetricsStack, type MetricsStack, type ProcessName } from '../support/noc-lifecycle';
import { findSamples, parseExposition, valueOf, type Sample } from '../support/prometheus';

/**
 * The processes' /metrics after a scripted NOC lifecycle on the real dev server (test/support/noc-lifecycle.ts):
 * one NOC requested, reviewed, recommended, approved and left to expire on its own timer, a second left
 * under review. Each registry is wired as its process's main.ts wires it and read over HTTP, as
 * Prometheus reads it.
 */
let running: MetricsStack;

beforeAll(async () => {
  running = await startMetricsStack('metrics-int');
});

afterAll(async () => {
  await running?.close();
});

async function scrape(name: ProcessName): Promise<Sample[]> {
  const res = await fetch(`http://127.0.0.1:${running.listeners[name].port}/metrics`);
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

describe('the metrics after a NOC lifecycle', () => {
  it('show each route used, the appends and the expiry timer, the open NOCs by status and every read model caught up', async () => {
    await runNocLifecycle(running.client);

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
    expect((await fetch(`${running.stack.base}/metrics`)).status).toBe(404);

    const worker = await scrape('worker');
    // Requested, review started, recommended, approved, expired; then requested and review started.
    expect(valueOf(worker, 'cloud_office_eventstore_append_duration_seconds_count', { category: 'noc', outcome: 'ok' })).toBe(7);
    expect(valueOf(worker, 'cloud_office_eventstore_appended_events_total', { category: 'noc' })).toBe(7);
    expect(valueOf(worker, 'cloud_office_timer_lateness_seconds_count', { kind: 'noc.expiry' })).toBe(1);
    expect(valueOf(worker, 'cloud_office_timer_lateness_seconds_sum', { kind: 'noc.expiry' })).toBeGreaterThanOrEqual(0);

    const models = readCheckpoints(running.stack.readModels).map((c) => c.name);
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
