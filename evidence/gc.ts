import type { EventStore, Position } from '../eventstore/port';
import type { EvidenceStore, StoredEvidence } from './port';
import { filesNamedBy } from './references';

export interface EvidenceCollection {
  /** Files stored, all told. */
  stored: number;
  /** Files some event names: kept whatever their age. */
  referenced: number;
  /** Files no event names but stored within the grace period: an upload whose case is not yet submitted. */
  young: number;
  /** Files no event names, older than the grace period: removed (or, in a dry run, the ones that would be). */
  removed: StoredEvidence[];
}

const PAGE = 1000;

/** Every hash any event in the log names. */
export async function referencedHashes(events: Pick<EventStore, 'readAll'>): Promise<Set<string>> {
  const named = new Set<string>();
  let after: Position | undefined;
  for (;;) {
    const page = await events.readAll({ ...(after === undefined ? {} : { after }), maxCount: PAGE });
    for (const event of page) for (const file of filesNamedBy(event.type, event.data)) named.add(file.sha256);
    if (page.length < PAGE) break;
    after = page[page.length - 1]?.position;
  }
  return named;
}

/**
 * Removes the stored files that no event names and that were stored before `olderThan`. The log is read
 * before the store is listed, so a file named by an event is never taken for unreferenced; the grace
 * period covers an upload whose command is still on its way (uploaded, checked, not yet recorded).
 */
export async function collectUnreferencedEvidence(
  events: Pick<EventStore, 'readAll'>,
  store: Pick<EvidenceStore, 'list' | 'remove'>,
  options: { olderThan: Date; dryRun: boolean; onRemoved?: (file: StoredEvidence) => void },
): Promise<EvidenceCollection> {
  const named = await referencedHashes(events);
  const result: EvidenceCollection = { stored: 0, referenced: 0, young: 0, removed: [] };
  for await (const file of store.list()) {
    result.stored += 1;
    if (named.has(file.sha256)) {
      result.referenced += 1;
    } else if (file.storedAt.getTime() >= options.olderThan.getTime()) {
      result.young += 1;
    } else {
      if (!options.dryRun) await store.remove(file.sha256);
      result.removed.push(file);
      options.onRemoved?.(file);
    }
  }
  return result;
}
