import Fastify from 'fastify';
import { Counter, Histogram } from 'prom-client';
import { registerHttpMetrics } from '../../metrics/http';
import { createProcessRegistry } from '../../metrics/registry';
import { parseExposition, valueOf } from '../support/prometheus';

describe('the HTTP request metrics', () => {
  it('count and time requests by route pattern and status, not by raw URL', async () => {
    const registry = createProcessRegistry('api', { defaults: false });
    const app = Fastify();
    registerHttpMetrics(app, registry);
    app.get('/api/nocs/:id', async (request, reply) => ((request.params as { id: string }).id === 'missing' ? reply.code(404).send({}) : { ok: true }));
    await app.inject({ method: 'GET', url: '/api/nocs/N1' });
    await app.inject({ method: 'GET', url: '/api/nocs/N2?x=1' });
    await app.inject({ method: 'GET', url: '/api/nocs/missing' });
    await app.inject({ method: 'GET', url: '/no/such/path' });
    await app.close();

    const samples = parseExposition(await registry.metrics());
    const route = { method: 'GET', route: '/api/nocs/:id' };
    expect(valueOf(samples, 'cloud_office_http_requests_total', { ...route, status: '200' })).toBe(2);
    expect(valueOf(samples, 'cloud_office_http_requests_total', { ...route, status: '404' })).toBe(1);
    expect(valueOf(samples, 'cloud_office_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(valueOf(samples, 'cloud_office_http_request_duration_seconds_count', route)).toBe(3);
    expect(valueOf(samples, 'cloud_office_http_request_duration_seconds_bucket', { ...route, le: '+Inf' })).toBe(3);
    expect(samples.some((s) => s.labels.route?.includes('N1'))).toBe(false);
  });

  it('expose exactly what prom-client\'s own counter and histogram would, fed the same answers', async () => {
    const registry = createProcessRegistry('api', { defaults: false });
    const reference = createProcessRegistry('api', { defaults: false });
    const requests = new Counter({ name: 'cloud_office_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status code', labelNames: ['method', 'route', 'status'], registers: [reference] });
    const duration = new Histogram({
      name: 'cloud_office_http_request_duration_seconds',
      help: 'Time from receiving a request to sending its response, by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [reference],
    });
    const app = Fastify();
    registerHttpMetrics(app, registry);
    // After the metrics' hook: what it was given, fed to prom-client's own metrics.
    app.addHook('onResponse', (request, reply, done) => {
      const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched' };
      requests.inc({ ...labels, status: String(reply.statusCode) });
      duration.observe(labels, reply.elapsedTime / 1000);
      done();
    });
    app.get('/api/things/:id', async (request, reply) => {
      const { id } = request.params as { id: string };
      if (id === 'slow') await new Promise((resolve) => setTimeout(resolve, 30));
      return id === 'gone' ? reply.code(410).send({}) : { id };
    });
    app.post('/api/things', async (_request, reply) => reply.code(201).send({}));
    for (const url of ['/api/things/a', '/api/things/gone', '/api/things/slow', '/nowhere', '/api/things/b?x=1']) await app.inject({ method: 'GET', url });
    await app.inject({ method: 'POST', url: '/api/things', payload: {} });
    await app.inject({ method: 'DELETE', url: '/api/things/a' });
    await app.close();

    // The same lines, series by series (the two may list series in another order, as Prometheus allows).
    const lines = async (r: typeof registry): Promise<string[]> => (await r.metrics()).split('\n').sort();
    expect(await lines(registry)).toEqual(await lines(reference));
    const json = async (r: typeof registry) =>
      (await r.getMetricsAsJSON()).map((m) => ({ ...m, values: [...m.values].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) }));
    expect(await json(registry)).toEqual(await json(reference));

    // Reset as prom-client resets: counts start again from zero.
    registry.resetMetrics();
    reference.resetMetrics();
    expect(parseExposition(await registry.metrics()).every((s) => s.value === 0)).toBe(true);
  });
});
