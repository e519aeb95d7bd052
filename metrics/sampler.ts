import type { Registry } from 'prom-client';
import { METRIC_PREFIX } from './registry';
import { SERIES, type OperationsSamples, type Sample } from './samples';

export type CollectSamples = () => Sample[] | Promise<Sample[]>;

export interface Sampler {
  /** Takes one sample now (the interval's own turn waits for it): for shutdown and tests. */
  sampleNow(): Promise<void>;
  /** Stops the interval after a last sample, so the figures up to shutdown are kept. */
  stop(): Promise<void>;
}

/**
 * Every `intervalMs`, writes what `collect` reads into the samples file. One sampling at a time: a slow
 * one delays the next rather than overlapping it. A failed sampling is reported and skipped; a chart
 * with a gap is better than a process that stops for its operators' page.
 */
export function startSampler(options: {
  samples: OperationsSamples;
  collect: CollectSamples;
  intervalMs: number;
  now?: () => number;
  onError?: (err: unknown) => void;
}): Sampler {
  const now = options.now ?? Date.now;
  let chain: Promise<void> = Promise.resolve();
  const sampleNow = (): Promise<void> =>
    (chain = chain.then(async () => {
      try {
        options.samples.record(new Date(now()).toISOString(), await options.collect());
      } catch (err) {
        options.onError?.(err);
      }
    }));
  const timer = setInterval(() => void sampleNow(), options.intervalMs);
  timer.unref();
  return {
    sampleNow,
    async stop() {
      clearInterval(timer);
      await sampleNow();
    },
  };
}

/** How many observations per timer kind one interval keeps for its p99; count and max stay exact past it. */
const KEPT_PER_KIND = 1000;

/**
 * The worker's timer lateness over one sampling interval, per kind: how many timers fired, the greatest
 * lateness and the 99th percentile (nearest rank). Beyond KEPT_PER_KIND observations in one
 * interval the p99 comes from a uniform sample of them (reservoir sampling), so memory stays bounded
 * whatever the burst. Every interval also writes the total fired (0 too), which says the worker sampled.
 */
export function latenessWindow(random: () => number = Math.random): {
  observe(kind: string, seconds: number): void;
  drain(): Sample[];
} {
  let window = new Map<string, { count: number; max: number; kept: number[] }>();
  return {
    observe(kind, seconds) {
      const entry = window.get(kind) ?? { count: 0, max: -Infinity, kept: [] };
      window.set(kind, entry);
      entry.count += 1;
      entry.max = Math.max(entry.max, seconds);
      if (entry.kept.length < KEPT_PER_KIND) entry.kept.push(seconds);
      else {
        const slot = Math.floor(random() * entry.count);
        if (slot < KEPT_PER_KIND) entry.kept[slot] = seconds;
      }
    },
    drain() {
      const drained = window;
      window = new Map();
      let fired = 0;
      const samples: Sample[] = [];
      for (const [kind, entry] of [...drained].sort(([a], [b]) => a.localeCompare(b))) {
        fired += entry.count;
        const sorted = [...entry.kept].sort((a, b) => a - b);
        const p99 = sorted[Math.max(0, Math.ceil(0.99 * sorted.length) - 1)] as number;
        samples.push({ series: SERIES.timersFired, labels: { kind }, value: entry.count });
        samples.push({ series: SERIES.timerLatenessMax, labels: { kind }, value: entry.max });
        samples.push({ series: SERIES.timerLatenessP99, labels: { kind }, value: p99 });
      }
      samples.push({ series: SERIES.timersFired, labels: {}, value: fired });
      return samples;
    },
  };
}

async function valuesOf(registry: Registry, name: string): Promise<{ labels: Record<string, string>; value: number }[]> {
  const metric = registry.getSingleMetric(`${METRIC_PREFIX}${name}`);
  if (!metric) return [];
  const { values } = await metric.get();
  return values.map((v) => ({ labels: Object.fromEntries(Object.entries(v.labels).map(([k, l]) => [k, String(l)])), value: v.value }));
}

/**
 * The projector's figures, read from its own registry as a scrape of /metrics would read them: lag
 * per read model, the outbox backlog, delivery failures in the interval (the counter's increase) and
 * open cases per kind and jurisdiction (the statuses summed: the page shows queue sizes per province).
 */
export function projectorSamples(registry: Registry): CollectSamples {
  let failuresBefore = 0;
  return async () => {
    const samples: Sample[] = [];
    for (const v of await valuesOf(registry, 'projection_lag_seconds')) samples.push({ series: SERIES.projectionLagSeconds, labels: v.labels, value: v.value });
    for (const v of await valuesOf(registry, 'projection_lag_events')) samples.push({ series: SERIES.projectionLagEvents, labels: v.labels, value: v.value });
    for (const v of await valuesOf(registry, 'mail_outbox_backlog')) samples.push({ series: SERIES.mailOutboxBacklog, labels: {}, value: v.value });
    const failures = (await valuesOf(registry, 'mail_delivery_failures_total')).reduce((sum, v) => sum + v.value, 0);
    samples.push({ series: SERIES.mailDeliveryFailures, labels: {}, value: Math.max(0, failures - failuresBefore) });
    failuresBefore = failures;
    const open = new Map<string, { kind: string; jurisdiction: string; value: number }>();
    for (const v of await valuesOf(registry, 'open_cases')) {
      const kind = v.labels.kind ?? 'unknown';
      const jurisdiction = v.labels.jurisdiction ?? 'unknown';
      const key = `${kind}\u0000${jurisdiction}`;
      const entry = open.get(key) ?? { kind, jurisdiction, value: 0 };
      entry.value += v.value;
      open.set(key, entry);
    }
    for (const { kind, jurisdiction, value } of open.values()) samples.push({ series: SERIES.openCases, labels: { kind, jurisdiction }, value });
    return samples;
  };
}
