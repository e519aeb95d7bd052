import Fastify from 'fastify';
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
});
