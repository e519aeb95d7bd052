import type { AccreditationEventOf } from '../domain/accreditation/events';
import type { ChangeEventOf } from '../domain/compliance/change-events';
import type { ReviewEventOf } from '../domain/compliance/review-events';
import { comparePositions, type EventStore } from '../eventstore/port';
import { decode, type DecodedEvent } from '../eventstore/registry';

/** A case about an accreditation, kept on its own stream. */
export interface RelatedCase {
  case: string;
  kind: 'compliance-review' | 'significant-change';
  /** Why it was opened: the review's trigger, or the kind of change. */
  trigger: string;
  description: string;
  openedAt: string;
}

/**
 * The compliance reviews whose subject is the accreditation, and the significant changes notified
 * under it, with every event of theirs, in log order. Read from the log, not a read model: a dossier
 * must not miss a decision a projection has not caught up with; but only the review and change
 * categories, so the cost follows them, not the whole log. Undefined for a case that is not an accreditation (`first` is the case's first event).
 */
export async function findRelatedCases(
  store: Pick<EventStore, 'readCategory'>,
  stream: string,
  first: DecodedEvent | undefined,
): Promise<{ cases: RelatedCase[]; events: DecodedEvent[] } | undefined> {
  if (first?.type !== 'AccreditationSubmitted') return undefined;
  const { applicationId } = (first as unknown as AccreditationEventOf<'AccreditationSubmitted'>).data;
  const cases: RelatedCase[] = [];
  const streams = new Set<string>();
  const events: DecodedEvent[] = [];
  const [reviews, changes] = await Promise.all([store.readCategory('review'), store.readCategory('change')]);
  const log = [...reviews, ...changes].sort((a, b) => comparePositions(a.position, b.position));
  for (const raw of log) {
    if (raw.stream === stream) continue;
    if (streams.has(raw.stream)) {
      events.push(decode(raw));
      continue;
    }
    if (raw.type === 'ReviewOpened') {
      const { data } = decode(raw) as unknown as ReviewEventOf<'ReviewOpened'>;
      if (data.applicationId !== applicationId) continue;
      streams.add(raw.stream);
      cases.push({ case: raw.stream, kind: 'compliance-review', trigger: data.trigger, description: data.description, openedAt: data.openedAt });
    } else if (raw.type === 'SignificantChangeRequested') {
      const { data } = decode(raw) as unknown as ChangeEventOf<'SignificantChangeRequested'>;
      if (data.applicationId !== applicationId) continue;
      streams.add(raw.stream);
      cases.push({ case: raw.stream, kind: 'significant-change', trigger: data.kind, description: data.description, openedAt: data.requestedAt });
    }
  }
  return { cases, events };
}
