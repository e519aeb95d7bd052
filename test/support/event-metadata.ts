import type { EventMetadata } from '../../eventstore/envelope';

/** The metadata of the event store's own tests: a reviewer's event in one NOC's correlation. */
export const REVIEWER_METADATA: EventMetadata = {
  schemaVersion: 1,
  actor: { userId: 'u1', role: 'reviewer' },
  occurredAt: '2026-01-01T00:00:00.000Z',
  correlationId: 'noc:N1',
  causationId: 'c1',
  policyVersion: 'p1',
};

/** The metadata of the audit tests' events: an entity's answer in some NOC's correlation. */
export const ANSWER_METADATA: EventMetadata = { ...REVIEWER_METADATA, actor: { userId: 'u1', role: 'pse' }, correlationId: 'noc:x' };
