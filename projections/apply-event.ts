import type { Tracer } from '@opentelemetry/api';
import { DomainError, type ErrorCode } from '../domain/shared/errors';
import { positionToString, type RecordedEvent } from '../eventstore/port';
import { decode, type DecodedEvent } from '../eventstore/registry';
import { applyInSpan } from '../tracing/projection';
import type { ReadModelDb } from './db';
import type { Projection } from './projection';

/** Where in the log a projection run stopped, and why. */
export interface ProjectionFailureDetails {
  projection?: string;
  eventId?: string;
  eventType?: string;
  stream?: string;
  revision?: number;
  position?: string;
}

/** The runner stopped: an event could not be decoded or applied, or the subscription dropped. */
export class ProjectionFailedError extends Error {
  override readonly name = 'ProjectionFailedError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ProjectionFailureDetails,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const describe = (event: RecordedEvent): ProjectionFailureDetails => ({
  eventId: event.id,
  eventType: event.type,
  stream: event.stream,
  revision: event.revision,
  position: positionToString(event.position),
});

/** Decodes an event for the projections, or says which event could not be read and why. */
export function decodeForProjections(event: RecordedEvent): DecodedEvent {
  try {
    return decode(event);
  } catch (err) {
    const code = err instanceof DomainError ? err.code : 'EVENT_SCHEMA_INVALID';
    throw new ProjectionFailedError(code, `Cannot read ${event.type} at ${event.stream}@${event.revision} (position ${positionToString(event.position)}): ${messageOf(err)}`, describe(event), { cause: err });
  }
}

/** One projection's apply of one event (in a span when traced); a failure names the projection and the event. */
export function applyOne(p: Projection, db: ReadModelDb, event: RecordedEvent, decoded: DecodedEvent, tracer?: Tracer): void {
  try {
    // Without a tracer (every rebuild and as-of replay) no closure is made per projection and event.
    if (tracer === undefined) p.apply(db, decoded);
    else applyInSpan(tracer, event, p.name, () => p.apply(db, decoded));
  } catch (err) {
    throw new ProjectionFailedError(
      'PROJECTION_FAILED',
      `Projection ${p.name} failed on ${event.type} at ${event.stream}@${event.revision} (position ${positionToString(event.position)}): ${messageOf(err)}`,
      { projection: p.name, ...describe(event) },
      { cause: err },
    );
  }
}

/** The projections that handle each type, in registration order: asked once per type, not per event. */
export function handlerLookup(projections: readonly Projection[]): (type: string) => readonly Projection[] {
  const handlers = new Map<string, readonly Projection[]>();
  return (type) => {
    let found = handlers.get(type);
    if (!found) {
      found = projections.filter((p) => p.handles(type));
      handlers.set(type, found);
    }
    return found;
  };
}
