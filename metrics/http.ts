import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import { METRIC_PREFIX } from './registry';

/** Seconds: from a cached read (milliseconds) to a slow Temporal update (seconds). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The label a request without a matched route gets: raw URLs would give every scanner's path its own series. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The labels of one (method, route, status): the counter's, and the histogram's (no status). */
interface LabelSets {
  counted: { method: string; route: string; status: string };
  timed: { method: string; route: string };
}

/**
 * Request rate, errors and latency per route pattern (`/api/nocs/:id`, not the URL), counted once a
 * response has been sent (Fastify's onResponse), whatever answered it: a handler, the error handler,
 * the throttles or the router's 404.
 */
export function registerHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const requests = new Counter({
    name: `${METRIC_PREFIX}http_requests_total`,
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'Time from receiving a request to sending its response, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  // The label sets, made once per (method, route, status): prom-client checks every label of every
  // call, which on objects built per request (a fresh shape each time) was a tenth of a cached
  // answer's cost. Bounded: methods and route patterns are the server's own, statuses are few.
  // Found by route, then method, then status, so that no key string is built per request either.
  const labelSets = new Map<string, Map<string, Map<number, LabelSets>>>();
  // A callback hook, not an async one: no promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    let byMethod = labelSets.get(route);
    if (byMethod === undefined) labelSets.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(request.method);
    if (byStatus === undefined) byMethod.set(request.method, (byStatus = new Map()));
    let labels = byStatus.get(reply.statusCode);
    if (labels === undefined) {
      labels = { counted: { method: request.method, route, status: String(reply.statusCode) }, timed: { method: request.method, route } };
      byStatus.set(reply.statusCode, labels);
    }
    requests.inc(labels.counted);
    duration.observe(labels.timed, reply.elapsedTime / 1000);
    done();
  });
}
