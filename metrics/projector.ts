import { Counter, Gauge, type Registry } from 'prom-client';
import type { EventStore } from '../eventstore/port';
import { readCheckpoints } from '../projections/checkpoints';
import type { ReadModelDb } from '../projections/db';
import { eventsBehind } from '../projections/lag';
import type { MailPassResult } from '../projections/mail/dispatcher';
import { METRIC_PREFIX } from './registry';

export interface ProjectorMetricsDeps {
  registry: Registry;
  store: EventStore;
  db: ReadModelDb;
  /** Notices not mailed yet (the dispatcher's pendingCount). */
  outboxBacklog: () => number;
  now?: () => number;
}

/**
 * The projector's series. Lag is read at scrape time from the checkpoints and the log, never kept up
 * to date per event: a scrape every 15 s costs two small reads per read model, an event costs nothing.
 * The seconds are the age of the oldest event a read model has not applied yet (0 when caught up),
 * which is what a reader of that model is missing, unlike the gap between two recorded times, which
 * stays small while a stalled projection falls ever further behind.
 */
export function registerProjectorMetrics(deps: ProjectorMetricsDeps): { mailPass: (result: MailPassResult) => void } {
  const { registry, store, db } = deps;
  const now = deps.now ?? Date.now;
  // Both lag gauges are collected in the same scrape, concurrently: they share one reading.
  let inFlight: Promise<LagSample[]> | undefined;
  const sample = (): Promise<LagSample[]> => (inFlight ??= readLag(store, db, now).finally(() => (inFlight = undefined)));
  new Gauge({
    name: `${METRIC_PREFIX}projection_lag_events`,
    help: 'Events in the log a read model has not applied yet',
    labelNames: ['model'] as const,
    registers: [registry],
    async collect() {
      const lag = await sample();
      this.reset();
      for (const entry of lag) this.set({ model: entry.model }, entry.events);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}projection_lag_seconds`,
    help: 'Age of the oldest event a read model has not applied yet (0 when caught up)',
    labelNames: ['model'] as const,
    registers: [registry],
    async collect() {
      const lag = await sample();
      this.reset();
      for (const entry of lag) this.set({ model: entry.model }, entry.seconds);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}mail_outbox_backlog`,
    help: 'Notices not mailed yet, including those waiting to retry',
    registers: [registry],
    collect() {
      this.set(deps.outboxBacklog());
    },
  });
  const sent = new Counter({
    name: `${METRIC_PREFIX}mail_sent_total`,
    help: 'Notices mailed',
    registers: [registry],
  });
  const failed = new Counter({
    name: `${METRIC_PREFIX}mail_delivery_failures_total`,
    help: 'Attempts to mail a notice that failed (each is retried later)',
    registers: [registry],
  });
  return {
    mailPass(result) {
      if (result.sent > 0) sent.inc(result.sent);
      if (result.failed > 0) failed.inc(result.failed);
    },
  };
}

interface LagSample {
  model: string;
  events: number;
  seconds: number;
}

async function readLag(store: EventStore, db: ReadModelDb, now: () => number): Promise<LagSample[]> {
  const head = await store.headPosition();
  const samples: LagSample[] = [];
  for (const checkpoint of readCheckpoints(db)) {
    const behind = await eventsBehind(store, checkpoint.position, head);
    if (behind.events === 0) {
      samples.push({ model: checkpoint.name, events: 0, seconds: 0 });
      continue;
    }
    const [oldest] = await store.readAll({ ...(checkpoint.position === null ? {} : { after: checkpoint.position }), maxCount: 1 });
    const seconds = oldest ? Math.max(0, (now() - Date.parse(oldest.recordedAt)) / 1000) : 0;
    samples.push({ model: checkpoint.name, events: behind.events, seconds });
  }
  return samples;
}
