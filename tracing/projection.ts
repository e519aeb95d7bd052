import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { positionToString, type RecordedEvent } from '../eventstore/port';
import { CORRELATION_ID, EVENT_POSITION, EVENT_TYPE, READ_MODEL, STREAM } from './attributes';
import { contextOfEvent } from './event-store';

/**
 * Runs one projection's apply of one event in a span that continues the trace the event was appended in
 * (its metadata's traceparent): the read model's update is the last step of the action that caused it.
 * Events written without tracing (and every event when the projector has no tracer) are applied as is.
 */
export function applyInSpan(tracer: Tracer | undefined, event: RecordedEvent, readModel: string, apply: () => void): void {
  const parent = tracer === undefined ? undefined : contextOfEvent(event.metadata);
  if (tracer === undefined || parent === undefined) return apply();
  const span = tracer.startSpan(
    `ApplyEvent:${readModel}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [READ_MODEL]: readModel,
        [STREAM]: event.stream,
        [EVENT_TYPE]: event.type,
        [EVENT_POSITION]: positionToString(event.position),
        [CORRELATION_ID]: event.metadata.correlationId,
      },
    },
    parent,
  );
  try {
    apply();
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}
