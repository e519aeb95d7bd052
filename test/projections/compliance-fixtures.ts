import type { ChangeEventOf, ChangeEventType } from '../../domain/compliance/change-events';
import type { MonitoringEventOf, MonitoringEventType } from '../../domain/compliance/monitoring-events';
import type { ReviewEventOf, ReviewEventType } from '../../domain/compliance/review-events';
import { SYSTEM_ACTOR, type Actor } from '../../domain/shared/actor';
import { eventId, streamName } from '../../eventstore/envelope';
import type { RecordedEvent } from '../../eventstore/port';
import type { TestLog } from './support';

/** Compliance streams written event by event, in the envelope production uses, for the projection tests. */
const revisions = new WeakMap<TestLog, Map<string, number>>();

function append(log: TestLog, stream: string, type: string, data: unknown, actor: Actor, at: string): RecordedEvent {
  let known = revisions.get(log);
  if (!known) revisions.set(log, (known = new Map()));
  const revision = (known.get(stream) ?? -1) + 1;
  known.set(stream, revision);
  return log.record({
    id: eventId(stream, revision),
    stream,
    revision,
    type,
    data,
    metadata: {
      schemaVersion: 1,
      actor: { userId: actor.userId, name: actor.name, role: actor.role, jurisdiction: actor.jurisdiction },
      occurredAt: at,
      correlationId: stream,
      causationId: `${type}-${revision}`,
      policyVersion: 'cloud-first-2022/compliance-1',
    },
  });
}

export const cspRep: Actor = { userId: 'u-csp', name: 'Chaudhry CSP', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-one' };

export function monitoringEvent<K extends MonitoringEventType>(
  log: TestLog,
  applicationId: string,
  type: K,
  data: MonitoringEventOf<K>['data'],
  at: string,
  actor: Actor = SYSTEM_ACTOR,
): RecordedEvent {
  return append(log, streamName('monitoring', applicationId), type, data, actor, at);
}

export function reviewEvent<K extends ReviewEventType>(
  log: TestLog,
  reviewId: string,
  type: K,
  data: ReviewEventOf<K>['data'],
  actor: Actor,
  at: string,
): RecordedEvent {
  return append(log, streamName('review', reviewId), type, data, actor, at);
}

export function changeEvent<K extends ChangeEventType>(
  log: TestLog,
  changeId: string,
  type: K,
  data: ChangeEventOf<K>['data'],
  actor: Actor,
  at: string,
): RecordedEvent {
  return append(log, streamName('change', changeId), type, data, actor, at);
}
