import type { z } from 'zod';
import { DomainError } from '../domain/shared/errors';
import { NocEventSchemas } from '../domain/noc/events';
import { CspEventSchemas, OfferingIdentityEventSchemas } from '../domain/csp/events';
import { AccreditationEventSchemas } from '../domain/accreditation/events';
import { PseEventSchemas } from '../domain/pse/events';
import { MonitoringEventSchemas } from '../domain/compliance/monitoring-events';
import { ReviewEventSchemas } from '../domain/compliance/review-events';
import { ChangeEventSchemas } from '../domain/compliance/change-events';
import { TransitionEventSchemas } from '../domain/compliance/transition-events';
import { TransitionEventSchemasV1, transitionNoticeV1ToV2, transitionStartedV1ToV2 } from '../domain/compliance/transition-events-v1';
import { AccountEventSchemas } from '../domain/account/events';
import { FrameworkRegisterEventSchemas } from '../domain/framework/register-events';
import { CspRegistrationEventSchemas } from '../domain/csp-registration/events';
import { NoteEventSchemas } from '../domain/notes/events';
import { EventMetadata } from './envelope';
import { AuditEventSchemas } from './integrity/checkpoint-events';
import type { RecordedEvent } from './port';
import { checkUpcasterChain, schemaVersionOf, unchangedFrom, upcast, upcaster, type Upcaster } from './upcasting';

/**
 * Every event type the system writes, with its current schema version and the upcasters that lift
 * older versions (eventstore/upcasting.ts). Reading validates: an unknown type or version fails loudly
 * instead of being dropped. Writing always writes the current version.
 */
interface EventTypeEntry {
  version: number;
  schema: z.ZodType;
  upcasters: readonly Upcaster[];
}

const registry = new Map<string, EventTypeEntry>();

export function registerEventTypes(
  schemas: Record<string, z.ZodType>,
  options: { version?: number; upcasters?: Record<string, readonly Upcaster[]> } = {},
): void {
  const version = options.version ?? 1;
  for (const [type, schema] of Object.entries(schemas)) {
    if (registry.has(type)) throw new Error(`Event type ${type} registered twice`);
    const upcasters = options.upcasters?.[type] ?? [];
    checkUpcasterChain(type, version, upcasters);
    registry.set(type, { version, schema, upcasters });
  }
}

registerEventTypes(NocEventSchemas);
const { OfferingUpdated, ...cspEventsV1 } = CspEventSchemas;
registerEventTypes(cspEventsV1);
// v2 adds `changeId`: the approved significant change that made the update.
registerEventTypes({ OfferingUpdated }, { version: 2, upcasters: { OfferingUpdated: [unchangedFrom(1)] } });
registerEventTypes(OfferingIdentityEventSchemas);
const { AccreditationRenewed, ...accreditationEventsV1 } = AccreditationEventSchemas;
registerEventTypes(accreditationEventsV1);
// v2 adds the framework a renewal was scored against, the scores it added and the result.
registerEventTypes({ AccreditationRenewed }, { version: 2, upcasters: { AccreditationRenewed: [unchangedFrom(1)] } });
registerEventTypes(PseEventSchemas);
registerEventTypes(AuditEventSchemas);
registerEventTypes(MonitoringEventSchemas);
registerEventTypes(ReviewEventSchemas);
const { SignificantChangeRequested, ...changeEventsV1 } = ChangeEventSchemas;
registerEventTypes(changeEventsV1);
// v2 adds `offeringChanges`: what the change does to the offering's register entry once approved.
registerEventTypes({ SignificantChangeRequested }, { version: 2, upcasters: { SignificantChangeRequested: [unchangedFrom(1)] } });
const { RevocationTransitionStarted, PseTransitionNoticeIssued, ...transitionEventsV1 } = TransitionEventSchemas;
registerEventTypes(transitionEventsV1);
// v2 names the ending's instant `endedAt` (v1: `revokedAt`, whatever the ending) and always says its cause.
registerEventTypes(
  { RevocationTransitionStarted, PseTransitionNoticeIssued },
  {
    version: 2,
    upcasters: {
      RevocationTransitionStarted: [upcaster(1, { from: TransitionEventSchemasV1.RevocationTransitionStarted, to: RevocationTransitionStarted }, transitionStartedV1ToV2)],
      PseTransitionNoticeIssued: [upcaster(1, { from: TransitionEventSchemasV1.PseTransitionNoticeIssued, to: PseTransitionNoticeIssued }, transitionNoticeV1ToV2)],
    },
  },
);
registerEventTypes(AccountEventSchemas);
registerEventTypes(FrameworkRegisterEventSchemas);
registerEventTypes(CspRegistrationEventSchemas);
registerEventTypes(NoteEventSchemas);

export function currentVersion(type: string): number {
  const entry = registry.get(type);
  if (!entry) throw new DomainError('EVENT_SCHEMA_UNKNOWN', `Unknown event type ${type}`);
  return entry.version;
}

export function isKnownEventType(type: string): boolean {
  return registry.has(type);
}

/** Validates data about to be written against the current schema of its type. */
export function validateForWrite(type: string, data: unknown): unknown {
  const entry = registry.get(type);
  if (!entry) throw new DomainError('EVENT_SCHEMA_UNKNOWN', `Unknown event type ${type}`);
  const parsed = entry.schema.safeParse(data);
  if (!parsed.success) {
    throw new DomainError('EVENT_SCHEMA_INVALID', `${type} v${entry.version}: ${parsed.error.message}`);
  }
  return parsed.data;
}

export interface DecodedEvent<T = unknown> extends RecordedEvent {
  data: T;
}

const whereOf = (event: RecordedEvent): string => `${event.stream}@${event.revision}`;

/**
 * Validates an event read back — metadata, type, version — and lifts an older version to the current
 * one. Every reader of events goes through here; the event as stored is not touched.
 */
export function decode(event: RecordedEvent): DecodedEvent {
  // Only an error names the event (whereOf): built for every event, the text would be a cost of every replay.
  let version: number;
  try {
    version = schemaVersionOf(event.metadata);
  } catch (err) {
    throw new DomainError('EVENT_SCHEMA_INVALID', `${whereOf(event)}: ${(err as Error).message}`);
  }
  // Copied only when the version had to be inferred: zod does not change what it is given.
  const meta = EventMetadata.safeParse(event.metadata.schemaVersion === version ? event.metadata : { ...event.metadata, schemaVersion: version });
  if (!meta.success) {
    throw new DomainError('EVENT_SCHEMA_INVALID', `${whereOf(event)}: metadata invalid: ${meta.error.message}`);
  }
  const entry = registry.get(event.type);
  if (!entry) throw new DomainError('EVENT_SCHEMA_UNKNOWN', `${whereOf(event)}: unknown event type ${event.type}`);
  let data: unknown;
  try {
    data = upcast(event.type, version, entry.version, entry.upcasters, event.data);
  } catch (err) {
    if (err instanceof DomainError) throw new DomainError(err.code, `${whereOf(event)}: ${event.type}: ${err.message}`);
    throw err;
  }
  const parsed = entry.schema.safeParse(data);
  if (!parsed.success) {
    throw new DomainError('EVENT_SCHEMA_INVALID', `${whereOf(event)}: ${event.type} v${entry.version}: ${parsed.error.message}`);
  }
  // meta.data is zod's own copy: it already says the current version unless the event was lifted.
  const metadata = meta.data.schemaVersion === entry.version ? meta.data : { ...meta.data, schemaVersion: entry.version };
  return { ...event, data: parsed.data, metadata };
}
