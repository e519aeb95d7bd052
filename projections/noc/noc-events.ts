import { NOC_EVENT_TYPES, type NocEvent, type NocEventType } from '../../domain/noc/events';
import type { NocStatus } from '../../domain/noc/state';
import type { DecodedEvent } from '../../eventstore/registry';

/** What the NOC projections see of an event: its decoded data, typed by its type. */
export type NocRecordedEvent = DecodedEvent & NocEvent;

const NOC_TYPES = new Set<string>(NOC_EVENT_TYPES);

export function isNocEventType(type: string): type is NocEventType {
  return NOC_TYPES.has(type);
}

/** The registry has validated the data against the schema of its type, so the union is sound. */
export function asNocEvent(event: DecodedEvent): NocRecordedEvent {
  if (!isNocEventType(event.type)) throw new Error(`${event.type} is not a NOC event`);
  return event as NocRecordedEvent;
}

const STREAM_PREFIX = 'noc-';

/** A NOC's events live in the stream `noc-<nocId>` (SPEC §4). */
export function nocIdOf(event: { stream: string }): string {
  if (!event.stream.startsWith(STREAM_PREFIX)) throw new Error(`${event.stream} is not a NOC stream`);
  return event.stream.slice(STREAM_PREFIX.length);
}

/**
 * The status each event leaves the NOC in (null: unchanged), as domain/noc/evolve.ts sets it. The
 * projections keep rows, not the whole case, so they read the status from here; a unit test checks
 * this table against evolveNoc for every event type.
 */
export const NOC_STATUS_AFTER: Record<NocEventType, NocStatus | null> = {
  NocRequested: 'requested',
  NocReviewStarted: 'under-review',
  NocInformationRequested: 'awaiting-pse',
  NocInformationProvided: 'under-review',
  NocLapsed: 'lapsed',
  NocRecommended: 'awaiting-decision',
  NocApproved: 'active',
  NocRejected: 'rejected',
  NocExpiryReminderDue: null,
  NocExtensionRequested: 'extension-requested',
  NocExtensionApproved: 'active',
  NocExtensionRejected: 'active',
  NocExpired: 'expired',
  NocRevoked: 'revoked',
  NocWithdrawn: 'withdrawn',
};
