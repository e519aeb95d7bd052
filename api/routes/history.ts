import type { z } from 'zod';
import { streamName, type StreamCategory } from '../../eventstore/envelope';
import { positionToString, type EventStore, type RecordedEvent } from '../../eventstore/port';
import { decode } from '../../eventstore/registry';
import type { CaseHistoryEntry } from '../schemas/accreditation';

/** A case's detail: its process's live view beside every event of its stream, oldest first. */
export async function caseDetail<V>(
  store: Pick<EventStore, 'readStream'>,
  category: StreamCategory,
  id: string,
  live: V,
): Promise<{ live: V; history: z.infer<typeof CaseHistoryEntry>[] }> {
  const events = await store.readStream(streamName(category, id));
  return { live, history: events.map(caseHistoryEntry) };
}

/** An event as a case's history shows it; one that no longer decodes is shown as stored, with the reason. */
export function caseHistoryEntry(event: RecordedEvent): z.infer<typeof CaseHistoryEntry> {
  const base = { type: event.type, revision: event.revision, position: positionToString(event.position), recordedAt: event.recordedAt };
  try {
    const decoded = decode(event);
    return { ...base, actor: decoded.metadata.actor, data: decoded.data, metadata: decoded.metadata };
  } catch (err) {
    return {
      ...base,
      actor: event.metadata.actor,
      data: event.data,
      metadata: event.metadata,
      decodeError: err instanceof Error ? err.message : String(err),
    };
  }
}
