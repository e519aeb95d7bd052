import { ANY, NO_STREAM, STREAM_EXISTS, type AppendExpectedRevision, type RecordedEvent as EsdbRecordedEvent } from '@eventstore/db-client';
import type { ExpectedRevision, Position, RecordedEvent } from '../port';
import { fromEsdbMetadata } from './metadata';

/** EventStoreDB's own events ($statsCollected, $metadata, …) have types starting with `$`. */
export function isSystemEventType(type: string): boolean {
  return type.startsWith('$');
}

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no-stream':
      return NO_STREAM;
    case 'stream-exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      return BigInt(expected);
  }
}

export function toPosition(p: { commit: bigint; prepare: bigint }): Position {
  return { commit: p.commit, prepare: p.prepare };
}

export function fromEsdbRecorded(event: EsdbRecordedEvent): RecordedEvent {
  if (!event.position) {
    // Servers before 22.6 leave positions out of stream reads; checkpoints would be meaningless.
    throw new Error(`EventStoreDB returned ${event.streamId}@${event.revision} without its log position (server older than 22.6?)`);
  }
  if (!event.isJson) throw new Error(`EventStoreDB event ${event.streamId}@${event.revision} is not JSON`);
  return {
    id: event.id,
    stream: event.streamId,
    revision: Number(event.revision),
    position: toPosition(event.position),
    type: event.type,
    data: event.data,
    metadata: fromEsdbMetadata(event.metadata),
    recordedAt: event.created.toISOString(),
  };
}
