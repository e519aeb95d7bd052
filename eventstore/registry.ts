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
import { AccountEventSchemas } from '../domain/account/events';
import { FrameworkRegisterEventSchemas } from '../domain/framework/register-events';
import { CspRegistrationEventSchemas } from '../domain/csp-registration/events';
import { NoteEventSchemas } from '../domain/notes/events';
import { EventMetadata } from './envelope';
import { AuditEventSchemas } from './integrity/checkpoint-events';
import type { RecordedEvent } from './port';

/**
 * Every event type the system writes, with its current schema version and the upcasters that lift
 * older versions. Reading validates: an unknown type or version fails loudly instead of being dropped.
 */
interface EventTypeEntry {
  version: number;
  schema: z.ZodType;
  /** upcasters[v] lifts data of version v to version v + 1. */
  upcasters: Record<number, (data: unknown) => unknown>;
}

const registry = new Map<string, EventTypeEntry>();

export function registerEventTypes(
  schemas: Record<string, z.ZodType>,
  options: { version?: number; upcasters?: Record<string, Record<number, (data: unknown) => unknown>> } = {},
): void {
  for (const [type, schema] of Object.entries(schemas)) {
    if (registry.has(type)) throw new Error(`Event type ${type} registered twice`);
    registry.set(type, { version: options.version ?? 1, schema, upcasters: options.upcasters?.[type] ?? {} });
  }
}

/** Lifts data whose newer version only adds optional fields: version v data is version v + 1 data as it is. */
const unchanged = (data: unknown): unknown => data;

registerEventTypes(NocEventSchemas);
const { OfferingUpdated, ...cspEventsV1 } = CspEventSchemas;
registerEventTypes(cspEventsV1);
// v2 adds `changeId`: the approved significant change that made the update.
registerEventTypes({ OfferingUpdated }, { version: 2, upcasters: { OfferingUpdated: { 1: unchanged } } });
registerEventTypes(OfferingIdentityEventSchemas);
const { AccreditationRenewed, ...accreditationEventsV1 } = AccreditationEventSchemas;
registerEventTypes(accreditationEventsV1);
// v2 adds the framework a renewal was scored against, the scores it added and the result.
registerEventTypes({ AccreditationRenewed }, { version: 2, upcasters: { AccreditationRenewed: { 1: unchanged } } });
registerEventTypes(PseEventSchemas);
registerEventTypes(AuditEventSchemas);
registerEventTypes(MonitoringEventSchemas);
registerEventTypes(ReviewEventSchemas);
const { SignificantChangeRequested, ...changeEventsV1 } = ChangeEventSchemas;
registerEventTypes(changeEventsV1);
// v2 adds `offeringChanges`: what the change does to the offering's register entry once approved.
registerEventTypes({ SignificantChangeRequested }, { version: 2, upcasters: { SignificantChangeRequested: { 1: unchanged } } });
registerEventTypes(TransitionEventSchemas);
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

/** Validates an event read back: metadata, type, version; upcasts old versions to the current one. */
export function decode(event: RecordedEvent): DecodedEvent {
  const where = `${event.stream}@${event.revision}`;
  const meta = EventMetadata.safeParse(event.metadata);
  if (!meta.success) {
    throw new DomainError('EVENT_SCHEMA_INVALID', `${where}: metadata invalid: ${meta.error.message}`);
  }
  const entry = registry.get(event.type);
  if (!entry) throw new DomainError('EVENT_SCHEMA_UNKNOWN', `${where}: unknown event type ${event.type}`);
  let version = meta.data.schemaVersion;
  if (version > entry.version) {
    throw new DomainError('EVENT_SCHEMA_UNKNOWN', `${where}: ${event.type} v${version} is newer than this code (v${entry.version})`);
  }
  let data = event.data;
  while (version < entry.version) {
    const up = entry.upcasters[version];
    if (!up) throw new DomainError('EVENT_SCHEMA_UNKNOWN', `${where}: no upcaster for ${event.type} v${version}`);
    data = up(data);
    version += 1;
  }
  const parsed = entry.schema.safeParse(data);
  if (!parsed.success) {
    throw new DomainError('EVENT_SCHEMA_INVALID', `${where}: ${event.type} v${version}: ${parsed.error.message}`);
  }
  return { ...event, data: parsed.data, metadata: { ...meta.data, schemaVersion: version } };
}
