import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { categoryOf } from '../eventstore/envelope';
import type { AppendResult, EventStore, EventToAppend, ExpectedRevision } from '../eventstore/port';
import { EventStoreDecorator } from '../eventstore/store-decorator';
import { CORRELATION_ID, EVENT_COUNT, EVENT_TYPE, STREAM } from './attributes';

/** Always W3C, whatever the process registered: the projector reads it back with the same format. */
const w3c = new W3CTraceContextPropagator();

/**
 * The event-store port with every append in a span, wrapped outermost where a process composes its store
 * (outside the hash chain, which then seals the trace context with the rest of the metadata). Each event
 * appended leaves with the append span's `traceparent` in its metadata, so the projector, another process
 * reading the log later, continues the same trace. Composed only when tracing is on.
 */
export class TracedEventStore extends EventStoreDecorator {
  constructor(
    inner: EventStore,
    private readonly tracer: Tracer,
  ) {
    super(inner);
  }

  override async append(stream: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    const correlationId = events[0]?.metadata.correlationId;
    // The span that asked for the append (a request, an activity) is about the same case.
    if (correlationId !== undefined) trace.getActiveSpan()?.setAttribute(CORRELATION_ID, correlationId);
    const attributes = {
      [STREAM]: stream,
      [EVENT_COUNT]: events.length,
      [EVENT_TYPE]: [...new Set(events.map((e) => e.type))],
      ...(correlationId === undefined ? {} : { [CORRELATION_ID]: correlationId }),
    };
    return this.tracer.startActiveSpan(`AppendEvents:${categoryOf(stream)}`, { kind: SpanKind.PRODUCER, attributes }, async (span) => {
      const carrier: Record<string, string> = {};
      w3c.inject(context.active(), carrier, { set: (c, k, v) => void (c[k] = v) });
      const traced = carrier.traceparent === undefined ? events : events.map((e) => ({ ...e, metadata: { ...e.metadata, traceparent: carrier.traceparent } }));
      try {
        return await this.inner.append(stream, traced, expectedRevision);
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        span.end();
      }
    });
  }
}

/** The context an event's metadata carries, for a span that continues its trace; undefined without one. */
export function contextOfEvent(metadata: { traceparent?: string }) {
  if (metadata.traceparent === undefined) return undefined;
  const extracted = w3c.extract(context.active(), { traceparent: metadata.traceparent }, { get: (c, k) => c[k], keys: (c) => Object.keys(c) });
  return trace.getSpanContext(extracted) === undefined ? undefined : extracted;
}
