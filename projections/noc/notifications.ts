import type Database from 'better-sqlite3';
import type { TransitionCause, TransitionEventOf } from '../../domain/compliance/transition-events';
import type { Jurisdiction } from '../../domain/shared/vocabulary';
import { toMillis } from '../../domain/shared/time';
import type { DecodedEvent } from '../../eventstore/registry';
import type { ReadModelDb } from '../db';
import { statementCache, type Projection } from '../projection';
import { rebuildCache } from '../rebuild-cache';
import { ensureNotificationDeliveryTables } from './deliveries';
import type { NocNotificationRow } from './read-model';
import { asNocEvent, nocIdOf, type NocRecordedEvent } from './noc-events';
import {
  OFFERING_NOTICE_DROP,
  OFFERING_NOTICE_EVENTS,
  OFFERING_NOTICE_TABLES,
  applyOfferingEvent,
  resetOfferingNoticeStatements,
} from './offering-notices';

/**
 * What the requesting PSE is told, and when: information requested, the decision (on the NOC and on an
 * extension), expiry reminders, expiry and revocation; and what each entity using an offering is told
 * when its accreditation is suspended, reinstated or ends. A notification's id is its event's id, so projecting the log again (a
 * rebuild) yields the same rows, and the delivery records (./deliveries.ts), kept by id, still match them.
 */
export const NOC_NOTIFICATION_TABLES = `
CREATE TABLE IF NOT EXISTS noc_notification_cases (
  noc_id TEXT PRIMARY KEY,
  pse_id TEXT NOT NULL,
  jurisdiction TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS noc_notifications (
  id TEXT PRIMARY KEY,
  noc_id TEXT NOT NULL,
  pse_id TEXT NOT NULL,
  jurisdiction TEXT NOT NULL,
  kind TEXT NOT NULL,
  message TEXT NOT NULL,
  event_type TEXT NOT NULL,
  revision INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS noc_notifications_by_pse ON noc_notifications (pse_id, created_at_ms);
CREATE INDEX IF NOT EXISTS noc_notifications_by_time ON noc_notifications (created_at_ms);
-- Whether a transition's entity was told already (transitionNoticeOf): partial, so NOC notices do not maintain it.
CREATE INDEX IF NOT EXISTS noc_notifications_of_transitions ON noc_notifications (noc_id, pse_id, event_type)
  WHERE event_type IN ('PseTransitionNoticeIssued', 'ProcurementFlaggedNonCompliant');
`;

const NOTIFYING = new Set<string>([
  'NocRequested',
  'NocInformationRequested',
  'NocApproved',
  'NocRejected',
  'NocExtensionApproved',
  'NocExtensionRejected',
  'NocExpiryReminderDue',
  'NocExpired',
  'NocRevoked',
]);

/**
 * The revocation transition tells each entity using a revoked offering to migrate, and tells it again
 * when it missed the deadline (stream `transition-<applicationId>`). Its events are per procurement;
 * an entity gets one notice of each kind per transition, naming the offering and the deadline.
 */
const TRANSITION_NOTIFYING = new Set<string>(['PseTransitionNoticeIssued', 'ProcurementFlaggedNonCompliant']);

/** Dates in messages are calendar days in UTC, the way people read a validity period. */
const day = (iso: string): string => new Date(toMillis(iso)).toISOString().slice(0, 10);

type NocNotification = Pick<NocNotificationRow, 'kind' | 'message'>;

// The last event worded: this projection and the notices (projections/notices/messages.ts) word each
// NOC event's notice, one after the other, with the same event object. Callers only read the answer.
let lastEvent: NocRecordedEvent | undefined;
let lastNocId = '';
let lastAnswer: NocNotification | null = null;

/** The notification an event gives rise to, if any. Pure (the memo of the last event only saves wording it twice). */
export function nocNotificationFor(event: NocRecordedEvent, nocId: string): NocNotification | null {
  if (event === lastEvent && nocId === lastNocId) return lastAnswer;
  const answer = wordNotification(event, nocId);
  lastEvent = event;
  lastNocId = nocId;
  lastAnswer = answer;
  return answer;
}

function wordNotification(event: NocRecordedEvent, nocId: string): NocNotification | null {
  switch (event.type) {
    case 'NocInformationRequested':
      return {
        kind: 'information-requested',
        message: `The Cloud Office needs more information on NOC ${nocId}: ${event.data.questions} Please answer by ${day(event.data.dueBy)}; without an answer the request lapses.`,
      };
    case 'NocApproved': {
      const conditions = event.data.conditions.length > 0 ? ` Conditions: ${event.data.conditions.join('; ')}.` : '';
      return {
        kind: 'decision',
        message: `NOC ${nocId} is approved, valid from ${day(event.data.validFrom)} until ${day(event.data.validUntil)}.${conditions}`,
      };
    }
    case 'NocRejected':
      return { kind: 'decision', message: `NOC ${nocId} is rejected: ${event.data.reasons}` };
    // The entity asked for the extension and plans its migration around the answer.
    case 'NocExtensionApproved':
      return {
        kind: 'decision',
        message: `The extension of NOC ${nocId} is approved: it is now valid until ${day(event.data.validUntil)} instead of ${day(event.data.previousValidUntil)}.`,
      };
    case 'NocExtensionRejected':
      return {
        kind: 'decision',
        message: `The extension of NOC ${nocId} is refused: ${event.data.reasons} The NOC stays valid until its current expiry.`,
      };
    case 'NocExpiryReminderDue':
      return {
        kind: 'expiry-reminder',
        message: `NOC ${nocId} expires on ${day(event.data.validUntil)}, in ${event.data.daysBefore} days. Complete the migration or request an extension before then.`,
      };
    case 'NocExpired':
      return { kind: 'expired', message: `NOC ${nocId} expired on ${day(event.data.validUntil)}; it no longer allows its deviation.` };
    case 'NocRevoked':
      return { kind: 'revoked', message: `NOC ${nocId} is revoked: ${event.data.reasons}` };
    default:
      return null;
  }
}

const statements = statementCache((db) => ({
  insertCase: db.prepare('INSERT INTO noc_notification_cases (noc_id, pse_id, jurisdiction) VALUES (?, ?, ?)') as Database.Statement<
    [string, string, string]
  >,
  getCase: db.prepare('SELECT pse_id, jurisdiction FROM noc_notification_cases WHERE noc_id = ?') as Database.Statement<
    [string],
    { pse_id: string; jurisdiction: Jurisdiction }
  >,
  // The IN repeats the partial index's condition so the planner may use it (without it, the entity's every notice is read).
  transitionNoticeOf: db.prepare(`SELECT 1 FROM noc_notifications WHERE noc_id = ? AND pse_id = ? AND event_type = ?
    AND event_type IN ('PseTransitionNoticeIssued', 'ProcurementFlaggedNonCompliant') LIMIT 1`) as Database.Statement<
    [string, string, string]
  >,
  insert: db.prepare(`
    INSERT INTO noc_notifications (id, noc_id, pse_id, jurisdiction, kind, message, event_type, revision, created_at, created_at_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`) as Database.Statement<unknown[]>,
}));

interface NotificationRow {
  id: string;
  nocId: string;
  pseId: string;
  jurisdiction: string;
  kind: string;
  message: string;
  eventType: string;
  revision: number;
  createdAt: string;
}

/** Binds by position: a rebuild inserts one for many NOC events, and naming parameters costs a lookup each. */
function insertNotification(db: ReadModelDb, n: NotificationRow): void {
  statements.get(db).insert.run(n.id, n.nocId, n.pseId, n.jurisdiction, n.kind, n.message, n.eventType, n.revision, n.createdAt, toMillis(n.createdAt));
}

const ENDED: Record<TransitionCause, string> = {
  revoked: 'is revoked',
  expired: 'has expired',
  withdrawn: 'was withdrawn by its provider',
};

/** The notice a transition event gives its entity. Pure. */
export function transitionNotificationFor(
  type: 'PseTransitionNoticeIssued' | 'ProcurementFlaggedNonCompliant',
  data: TransitionEventOf<'PseTransitionNoticeIssued'>['data'],
): Pick<NocNotificationRow, 'kind' | 'message'> {
  if (type === 'PseTransitionNoticeIssued') {
    return {
      kind: 'migration-notice',
      message: `The accreditation of offering ${data.offeringId} ${ENDED[data.cause]}: nothing new may be procured on it. Migrate every workload you recorded on it (such as procurement ${data.procurementId}) by ${day(data.migrateBy)}, or request a NOC; after that date a workload still on it is non-compliant.`,
    };
  }
  return {
    kind: 'non-compliant',
    message: `The migration period for offering ${data.offeringId} ended on ${day(data.migrateBy)}. Your workloads still on it (such as procurement ${data.procurementId}) are recorded as non-compliant; migrate and end them, or request a NOC.`,
  };
}

/**
 * A transition notice goes into the same outbox as the NOC notifications; its `noc_id` holds the
 * transition's stream (`transition-<applicationId>`), the case the notice is about.
 */
function applyTransition(db: ReadModelDb, decoded: DecodedEvent): void {
  const s = statements.get(db);
  const type = decoded.type as 'PseTransitionNoticeIssued' | 'ProcurementFlaggedNonCompliant';
  const data = decoded.data as TransitionEventOf<'PseTransitionNoticeIssued'>['data'];
  if (s.transitionNoticeOf.get(decoded.stream, data.pseId, type)) return;
  const notification = transitionNotificationFor(type, data);
  insertNotification(db, {
    id: decoded.id,
    nocId: decoded.stream,
    pseId: data.pseId,
    jurisdiction: data.jurisdiction,
    kind: notification.kind,
    message: notification.message,
    eventType: type,
    revision: decoded.revision,
    createdAt: decoded.metadata.occurredAt,
  });
}

/** Suspension and reinstatement: one notice per entity using the offering (offering-notices.ts). */
function applyOffering(db: ReadModelDb, decoded: DecodedEvent): void {
  for (const notice of applyOfferingEvent(db, decoded)) {
    insertNotification(db, {
      id: `${decoded.id}:${notice.pseId}`,
      nocId: decoded.stream,
      pseId: notice.pseId,
      jurisdiction: notice.jurisdiction,
      kind: notice.kind,
      message: notice.message,
      eventType: decoded.type,
      revision: decoded.revision,
      createdAt: decoded.metadata.occurredAt,
    });
  }
}

// Each NOC's entity and jurisdiction as a rebuild wrote them, instead of reading them back per notice.
const cases = rebuildCache<{ pse_id: string; jurisdiction: Jurisdiction }>();

function apply(db: ReadModelDb, decoded: DecodedEvent): void {
  if (TRANSITION_NOTIFYING.has(decoded.type)) return applyTransition(db, decoded);
  if (OFFERING_NOTICE_EVENTS.has(decoded.type)) return applyOffering(db, decoded);
  const event = asNocEvent(decoded);
  const s = statements.get(db);
  const nocId = nocIdOf(event);
  if (event.type === 'NocRequested') {
    s.insertCase.run(nocId, event.data.pseId, event.data.jurisdiction);
    cases.set(db, nocId, { pse_id: event.data.pseId, jurisdiction: event.data.jurisdiction });
    return;
  }
  const notification = nocNotificationFor(event, nocId);
  if (!notification) return;
  const c = cases.get(db, nocId, () => s.getCase.get(nocId));
  if (!c) throw new Error(`NOC ${nocId} has no case row for notifications: its stream does not start with NocRequested`);
  insertNotification(db, {
    id: event.id,
    nocId,
    pseId: c.pse_id,
    jurisdiction: c.jurisdiction,
    kind: notification.kind,
    message: notification.message,
    eventType: event.type,
    revision: event.revision,
    createdAt: event.metadata.occurredAt,
  });
}

export const NOC_NOTIFICATIONS = 'noc-notifications';

export const nocNotificationsProjection: Projection = {
  name: NOC_NOTIFICATIONS,
  // 2: suspension and reinstatement notices to the entities using the offering.
  version: 2,
  setup(db) {
    db.exec(NOC_NOTIFICATION_TABLES);
    db.exec(OFFERING_NOTICE_TABLES);
    resetOfferingNoticeStatements(db);
    // Deliveries record what was sent; a reset must not forget them.
    ensureNotificationDeliveryTables(db);
    statements.clear(db);
  },
  handles: (type) => NOTIFYING.has(type) || TRANSITION_NOTIFYING.has(type) || OFFERING_NOTICE_EVENTS.has(type),
  apply,
  // noc_notifications_of_transitions stays: transitionNoticeOf reads it for every transition notice.
  bulk: { begin: (db) => cases.enable(db), flush: () => {}, deferredIndexes: ['noc_notifications_by_pse', 'noc_notifications_by_time'] },
  reset(db) {
    statements.clear(db);
    cases.clear(db);
    resetOfferingNoticeStatements(db);
    db.exec(`DROP TABLE IF EXISTS noc_notifications; DROP TABLE IF EXISTS noc_notification_cases; ${OFFERING_NOTICE_DROP}`);
  },
};
