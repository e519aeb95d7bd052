import { Counter } from 'prom-client';
import { createProcessRegistry, METRIC_PREFIX } from '../../metrics/registry';
import { serveMetrics, serveMetricsIfConfigured } from '../../metrics/serve';
import { findSamples, parseExposition, valueOf } from '../support/prometheus';

describe('a process metrics listener', () => {
  it('serves the registry in the text format at GET /metrics, with memory and event-loop delay among the defaults', async () => {
    const registry = createProcessRegistry('worker');
    new Counter({ name: `${METRIC_PREFIX}probe_total`, help: 'probe', registers: [registry] }).inc(3);
    const listener = await serveMetrics(registry, { host: '127.0.0.1', port: 0 });
    try {
      const response = await fetch(`http://127.0.0.1:${listener.port}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const samples = parseExposition(await response.text());
      expect(valueOf(samples, 'cloud_office_probe_total', { process: 'worker' })).toBe(3);
      expect(valueOf(samples, 'cloud_office_process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(findSamples(samples, 'cloud_office_nodejs_eventloop_lag_p99_seconds')).toHaveLength(1);
      expect(valueOf(samples, 'cloud_office_nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    } finally {
      await listener.close();
    }
  });

  it('answers 404 to any other path or method', async () => {
    const listener = await serveMetrics(createProcessRegistry('api', { defaults: false }), { host: '127.0.0.1', port: 0 });
    try {
      expect((await fetch(`http://127.0.0.1:${listener.port}/`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${listener.port}/metrics`, { method: 'POST' })).status).toBe(404);
    } finally {
      await listener.close();
    }
  });

  it('opens no listener when its port is 0', async () => {
    await expect(serveMetricsIfConfigured(createProcessRegistry('api', { defaults: false }), { host: '127.0.0.1', port: 0 })).resolves.toBeUndefined();
  });
});
