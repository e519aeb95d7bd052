import type { RecordedEvent } from '../../eventstore/port';

/** What the whole log shows of lost or doubled writes; every list is empty for a sound log. */
export interface LogFindings {
  events: number;
  streams: number;
  /** Streams whose revisions are not 0, 1, 2, … in log order: an event lost, or written out of order. */
  gaps: string[];
  /** Event ids recorded more than once. */
  duplicateIds: string[];
  /**
   * A person's command whose events were written twice: one command (by its signed id) may cause
   * several events in one append, never the same event type twice nor events in two separate appends.
   */
  repeatedCommands: string[];
}

export function logFindings(log: readonly RecordedEvent[]): LogFindings {
  const revisions = new Map<string, number[]>();
  const ids = new Map<string, number>();
  const byCommand = new Map<string, RecordedEvent[]>();
  for (const event of log) {
    revisions.set(event.stream, [...(revisions.get(event.stream) ?? []), event.revision]);
    ids.set(event.id, (ids.get(event.id) ?? 0) + 1);
    const commandId = event.metadata.command?.commandId;
    if (commandId !== undefined) {
      const key = `${event.stream} ${commandId}`;
      byCommand.set(key, [...(byCommand.get(key) ?? []), event]);
    }
  }
  const gaps = [...revisions].filter(([, revs]) => revs.some((r, i) => r !== i)).map(([stream, revs]) => `${stream}: revisions ${revs.join(',')}`);
  const duplicateIds = [...ids].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`);
  const repeatedCommands = [...byCommand]
    .filter(([, events]) => {
      const types = events.map((e) => e.type);
      const contiguous = events.every((e, i) => i === 0 || e.revision === (events[i - 1]?.revision ?? -2) + 1);
      const oneBatch = new Set(events.map((e) => e.metadata.occurredAt)).size === 1;
      return new Set(types).size !== types.length || !contiguous || !oneBatch;
    })
    .map(([key, events]) => `${key}: ${events.map((e) => `${e.type}@${e.revision}`).join(', ')}`);
  return { events: log.length, streams: revisions.size, gaps, duplicateIds, repeatedCommands };
}
