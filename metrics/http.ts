import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type MetricObjectWithValues, type MetricValue, type MetricValueWithName, type Registry } from 'prom-client';
import { METRIC_PREFIX } from './registry';

/** Seconds: from a cached read (milliseconds) to a slow Temporal update (seconds). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The label a request without a matched route gets: raw URLs would give every scanner's path its own series. */
export const UNMATCHED_ROUTE = 'unmatched';

const REQUESTS = { name: `${METRIC_PREFIX}http_requests_total`, help: 'HTTP requests answered, by method, route pattern and status code' };
const DURATION = { name: `${METRIC_PREFIX}http_request_duration_seconds`, help: 'Time from receiving a request to sending its response, by method and route pattern' };

type CountLabel = 'method' | 'route' | 'status';
type TimeLabel = 'method' | 'route';

/** One (method, route): its latency histogram, and its count by status. */
class RouteCell {
  readonly timed: { method: string; route: string };
  /** Observations per bucket (not cumulative), the last one past every bound (+Inf). */
  readonly buckets = new Array<number>(DURATION_BUCKETS.length + 1).fill(0);
  sum = 0;
  count = 0;
  readonly byStatus = new Map<number, StatusCell>();

  constructor(method: string, route: string) {
    this.timed = { method, route };
  }

  observe(seconds: number): void {
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > (DURATION_BUCKETS[i] as number)) i++;
    this.buckets[i] = (this.buckets[i] as number) + 1;
    this.sum += seconds;
    this.count++;
  }
}

interface StatusCell {
  labels: { method: string; route: string; status: string };
  value: number;
}

/** Every (method, route) seen, found by route, then method: no key string is built per request. */
class RouteCells {
  private readonly byRoute = new Map<string, Map<string, RouteCell>>();

  of(method: string, route: string): RouteCell {
    let byMethod = this.byRoute.get(route);
    if (byMethod === undefined) this.byRoute.set(route, (byMethod = new Map()));
    let cell = byMethod.get(method);
    if (cell === undefined) byMethod.set(method, (cell = new RouteCell(method, route)));
    return cell;
  }

  *[Symbol.iterator](): Iterator<RouteCell> {
    for (const byMethod of this.byRoute.values()) yield* byMethod.values();
  }
}

/**
 * The series as prom-client's own Counter and Histogram give them to the registry (the same values and
 * labels, series grouped by route; `test/metrics/http.unit.test.ts` compares the two expositions),
 * counted in plain fields: prom-client checks and hashes the labels of every call (and the histogram
 * makes a closure and two objects per observation), about 5 % of the procurement check's CPU profile.
 * These two metrics are written only by the hook below.
 */
class RouteCounter extends Counter<CountLabel> {
  constructor(
    registry: Registry,
    private readonly cells: RouteCells,
  ) {
    super({ ...REQUESTS, labelNames: ['method', 'route', 'status'], registers: [registry] });
  }

  override async get(): Promise<MetricObjectWithValues<MetricValue<CountLabel>>> {
    const values: MetricValue<CountLabel>[] = [];
    for (const cell of this.cells) for (const s of cell.byStatus.values()) values.push({ value: s.value, labels: s.labels });
    return exposed({ ...REQUESTS, type: 'counter', values, aggregator: 'sum' });
  }

  override reset(): void {
    // prom-client's constructor resets too, before the cells are given.
    for (const cell of (this.cells as RouteCells | undefined) ?? []) for (const s of cell.byStatus.values()) s.value = 0;
  }
}

/**
 * A metric's values as prom-client's own metrics give them to the registry; its declarations ask for a
 * `collect` and an enum `type` that the objects prom-client makes do not carry either.
 */
function exposed<V>(metric: { name: string; help: string; type: 'counter' | 'histogram'; aggregator: 'sum'; values: V[] }): MetricObjectWithValues<V & MetricValue<string>> {
  return metric as unknown as MetricObjectWithValues<V & MetricValue<string>>;
}

/** A histogram value as prom-client's registry reads it: the route's labels kept apart (`sharedLabels`). */
type HistogramValue = Omit<MetricValueWithName<TimeLabel>, 'labels'> & {
  labels: { le?: number | string };
  sharedLabels: Record<string, string>;
  exemplar: null | undefined;
};

class RouteHistogram extends Histogram<TimeLabel> {
  constructor(
    registry: Registry,
    private readonly cells: RouteCells,
  ) {
    super({
      ...DURATION,
      labelNames: ['method', 'route'],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
  }

  /** What the registry writes out (prom-client's `getForPromString`). */
  async getForPromString(): Promise<MetricObjectWithValues<HistogramValue>> {
    const values: HistogramValue[] = [];
    for (const cell of this.cells) {
      let cumulative = 0;
      DURATION_BUCKETS.forEach((le, i) => {
        cumulative += cell.buckets[i] as number;
        values.push({ labels: { le }, sharedLabels: cell.timed, value: cumulative, metricName: `${DURATION.name}_bucket`, exemplar: null });
      });
      values.push(
        { labels: { le: '+Inf' }, sharedLabels: cell.timed, value: cell.count, metricName: `${DURATION.name}_bucket`, exemplar: null },
        { labels: {}, sharedLabels: cell.timed, value: cell.sum, metricName: `${DURATION.name}_sum`, exemplar: undefined },
        { labels: {}, sharedLabels: cell.timed, value: cell.count, metricName: `${DURATION.name}_count`, exemplar: undefined },
      );
    }
    return exposed({ ...DURATION, type: 'histogram', values, aggregator: 'sum' });
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<TimeLabel>>> {
    const data = await this.getForPromString();
    // As prom-client's: the route's labels folded into each value's own.
    const values = data.values.map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } as Record<TimeLabel | 'le', string | number> }));
    return exposed({ ...DURATION, type: 'histogram', values, aggregator: 'sum' });
  }

  override reset(): void {
    for (const cell of (this.cells as RouteCells | undefined) ?? []) {
      cell.buckets.fill(0);
      cell.sum = 0;
      cell.count = 0;
    }
  }
}

/**
 * Request rate, errors and latency per route pattern (`/api/nocs/:id`, not the URL), counted once a
 * response has been sent (Fastify's onResponse), whatever answered it: a handler, the error handler,
 * the throttles or the router's 404.
 */
export function registerHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const cells = new RouteCells();
  new RouteCounter(registry, cells);
  new RouteHistogram(registry, cells);
  // A callback hook, not an async one: no promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    const cell = cells.of(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE);
    let status = cell.byStatus.get(reply.statusCode);
    if (status === undefined) {
      status = { labels: { ...cell.timed, status: String(reply.statusCode) }, value: 0 };
      cell.byStatus.set(reply.statusCode, status);
    }
    status.value++;
    cell.observe(reply.elapsedTime / 1000);
    done();
  });
}
