import { Counter, Histogram, type Registry } from 'prom-client';
import type { AppendResult, EventStore, EventToAppend, ExpectedRevision } from '../eventstore/port';
import { EventStoreDecorator } from '../eventstore/store-decorator';
import { METRIC_PREFIX } from './registry';

/** Seconds: an embedded SQLite append takes about a millisecond; a busy lock or a remote store, much more. */
const APPEND_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Stream names carry case ids; the category (`noc`, `accreditation`, …) is what a dashboard groups by. */
export function streamCategory(stream: string): string {
  const dash = stream.indexOf('-');
  return dash <= 0 ? stream : stream.slice(0, dash);
}

/**
 * The event-store port with its appends measured, wrapped once where a process composes its store, so
 * both adapters (and the hash chain over them, whose linking is part of an append's cost) are measured
 * alike. Reads pass through untouched.
 */
export class MeasuredEventStore extends EventStoreDecorator {
  private readonly latency: Histogram<'category' | 'outcome'>;
  private readonly appended: Counter<'category'>;

  constructor(
    inner: EventStore,
    registry: Registry,
  ) {
    super(inner);
    this.latency = new Histogram({
      name: `${METRIC_PREFIX}eventstore_append_duration_seconds`,
      help: 'Time an append to the event store took, by stream category and outcome (ok or error)',
      labelNames: ['category', 'outcome'],
      buckets: APPEND_BUCKETS,
      registers: [registry],
    });
    this.appended = new Counter({
      name: `${METRIC_PREFIX}eventstore_appended_events_total`,
      help: 'Events appended to the event store by this process, by stream category',
      labelNames: ['category'],
      registers: [registry],
    });
  }

  override async append(stream: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    const category = streamCategory(stream);
    const stop = this.latency.startTimer({ category });
    try {
      const result = await this.inner.append(stream, events, expectedRevision);
      stop({ outcome: 'ok' });
      this.appended.inc({ category }, events.length);
      return result;
    } catch (err) {
      stop({ outcome: 'error' });
      throw err;
    }
  }
}
