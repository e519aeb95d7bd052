import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { Registry } from 'prom-client';
import { MeasuredEventStore } from '../../metrics/event-store';
import { registerHttpMetrics } from '../../metrics/http';
import { registerOpenCases } from '../../metrics/open-cases';
import { registerProjectorMetrics } from '../../metrics/projector';
import { createProcessRegistry } from '../../metrics/registry';
import { registerTimerLateness } from '../../metrics/timers';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { openReadModelDb } from '../../projections/db';

/**
 * Every `cloud_office_*` name the Grafana dashboard and the alert rules (and their tests' input series)
 * use is one the processes register: a renamed metric fails here, not on an empty panel or an alert
 * that can never fire. The registries are built as the three main.ts files build them.
 */
const ROOT = join(__dirname, '..', '..');
const SOURCES = ['docker/grafana/dashboards/cloud-office.json', 'docker/prometheus/alerts.yml', 'docker/prometheus/alerts.test.yml'];

/** The series names a registry exposes: a histogram's `_bucket`, `_sum` and `_count`, the others' own name. */
async function exposedNames(registries: Registry[]): Promise<Set<string>> {
  const names = new Set<string>();
  for (const registry of registries) {
    for (const metric of await registry.getMetricsAsJSON()) {
      if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
      else if (String(metric.type) === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
      else names.add(metric.name);
    }
  }
  return names;
}

async function processRegistries(): Promise<{ registries: Registry[]; close: () => Promise<void> }> {
  const store = await openSqliteEventStore({ path: ':memory:' });
  const db = openReadModelDb(':memory:');
  const app = Fastify();
  const api = createProcessRegistry('api');
  registerHttpMetrics(app, api);
  new MeasuredEventStore(store, api);
  const worker = createProcessRegistry('worker', { defaults: false });
  new MeasuredEventStore(store, worker);
  registerTimerLateness(worker);
  const projector = createProcessRegistry('projector', { defaults: false });
  registerProjectorMetrics({ registry: projector, store, db, outboxBacklog: () => 0 });
  registerOpenCases(projector, db);
  return {
    registries: [api, worker, projector],
    close: async () => {
      await app.close();
      await store.close();
      db.close();
    },
  };
}

function referencedNames(file: string): string[] {
  return [...new Set(readFileSync(join(ROOT, file), 'utf8').match(/\bcloud_office_[a-z0-9_]+/g) ?? [])];
}

describe('the metric names the dashboard and the alert rules use', () => {
  it.each(SOURCES)('are all registered by the processes: %s', async (file) => {
    const { registries, close } = await processRegistries();
    try {
      const registered = await exposedNames(registries);
      const used = referencedNames(file);
      expect(used.length).toBeGreaterThan(0);
      expect(used.filter((name) => !registered.has(name))).toEqual([]);
    } finally {
      await close();
    }
  });

  it('include the series the dashboard panels are for', () => {
    const used = referencedNames(SOURCES[0]!);
    for (const name of [
      'cloud_office_http_requests_total',
      'cloud_office_http_request_duration_seconds_bucket',
      'cloud_office_open_cases',
      'cloud_office_timer_lateness_seconds_bucket',
      'cloud_office_projection_lag_seconds',
      'cloud_office_mail_outbox_backlog',
      'cloud_office_mail_delivery_failures_total',
      'cloud_office_eventstore_append_duration_seconds_bucket',
      'cloud_office_nodejs_eventloop_lag_p99_seconds',
      'cloud_office_process_resident_memory_bytes',
    ]) {
      expect(used).toContain(name);
    }
  });
});
