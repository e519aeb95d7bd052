import type Database from 'better-sqlite3';
import type { AccountEventOf } from '../../domain/account/events';
import type { AccreditationEventOf } from '../../domain/accreditation/events';
import type { MonitoringEvent, ReviewEvent, TransitionEventOf } from '../../domain/compliance';
import type { CspEventOf } from '../../domain/csp/events';
import type { PseEventOf } from '../../domain/pse/events';
import { toMillis } from '../../domain/shared/time';
import type { DecodedEvent } from '../../eventstore/registry';
import type { ReadModelDb } from '../db';
import { FILL_PENDING, MAIL_TABLES } from '../mail/outbox';
import { statementCache, type Projection } from '../projection';
import { NOC_STATUS_AFTER, asNocEvent, isNocEventType, nocIdOf } from '../noc/noc-events';
import { transitionNotificationFor } from '../noc/notifications';
import { offeringNoticeFor } from '../noc/offering-notices';
import { nocTaskFor, updateCase, type NocQueueCase } from '../noc/queue';
import { rebuildCache } from '../rebuild-cache';
import {
  accreditationNotices,
  monitoringNotices,
  nocNotice,
  nocTaskNotice,
  reviewNotices,
  type AccreditationFacts,
  type NoticeDraft,
  type ProviderCaseFacts,
} from './messages';

/**
 * The notices people are sent and find in their inbox, one row per notice, from every process: NOC
 * requests, accreditations, compliance reviews and monitoring, transitions, and tasks entering a staff
 * queue. A row names its audience (an organisation, or staff by role and jurisdiction); the people are
 * resolved when it is read or mailed, from notice_people and notice_organisations, which this
 * projection keeps from the account and register events. A notice's id is its event's id (with a key
 * when one event gives several), so a rebuild recreates the same rows; what was mailed is the mail
 * dispatcher's own table (projections/mail/), which a rebuild does not touch.
 */
// notices and notice_cases are rowid tables: their rows (a notice's text, a case's facts as JSON) are
// large, and SQLite keeps large rows in a WITHOUT ROWID table's key b-tree, where inserting one at a
// random event id moves the most bytes; a rowid table appends the row and indexes only the key.
export const NOTICE_TABLES = `
CREATE TABLE IF NOT EXISTS notices (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  audience TEXT NOT NULL,
  audience_kind TEXT NOT NULL,
  organisation_id TEXT,
  jurisdiction TEXT,
  case_stream TEXT NOT NULL,
  event_type TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS notices_by_org ON notices (audience_kind, organisation_id, created_at_ms);
CREATE INDEX IF NOT EXISTS notices_by_jurisdiction ON notices (audience_kind, jurisdiction, created_at_ms);
CREATE INDEX IF NOT EXISTS notices_by_time ON notices (created_at_ms);
-- Whether a transition's entity was told already (sameNotice): partial, so other notices do not maintain it.
CREATE INDEX IF NOT EXISTS notices_of_transitions ON notices (case_stream, organisation_id, event_type)
  WHERE event_type IN ('PseTransitionNoticeIssued', 'ProcurementFlaggedNonCompliant');
CREATE TABLE IF NOT EXISTS notice_people (
  stream TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  username TEXT NOT NULL,
  display_name TEXT NOT NULL,
  role TEXT,
  jurisdiction TEXT,
  organisation_id TEXT,
  email TEXT,
  disabled INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS notice_organisations (
  kind TEXT NOT NULL,
  organisation_id TEXT NOT NULL,
  contact_name TEXT,
  contact_email TEXT,
  PRIMARY KEY (kind, organisation_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS notice_procurements (
  pse_id TEXT NOT NULL,
  procurement_id TEXT NOT NULL,
  offering_id TEXT NOT NULL,
  open INTEGER NOT NULL,
  PRIMARY KEY (pse_id, procurement_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS notice_procurements_by_offering ON notice_procurements (offering_id, open);
CREATE TABLE IF NOT EXISTS notice_cases (
  stream TEXT PRIMARY KEY,
  facts TEXT NOT NULL
);
`;

const ACCOUNT_TYPES = new Set([
  'AccountCreated',
  'AccountRoleAssigned',
  'AccountGrantApproved',
  'AccountGrantRequested',
  'AccountDisabled',
  'AccountEnabled',
  'AccountEmailChanged',
]);
const ACCREDITATION_TYPES = new Set([
  'AccreditationSubmitted',
  'AccreditationInformationRequested',
  'AccreditationInformationProvided',
  'AccreditationLapsed',
  'AccreditationScreeningCompleted',
  'AccreditationGranted',
  'AccreditationRejected',
  'AccreditationRenewalWindowOpened',
  'AccreditationRenewed',
  'AccreditationSuspended',
  'AccreditationReinstated',
  'AccreditationRevoked',
  'AccreditationExpired',
]);
const REVIEW_TYPES = new Set([
  'ReviewOpened',
  'ReviewEvidenceRequested',
  'ReviewEvidenceOverdue',
  'ReviewEvidenceSubmitted',
  'ReviewAssessed',
  'ReviewFindingOverdue',
  'ReviewEscalated',
]);
const MONITORING_TYPES = new Set(['MonitoringStarted', 'MonthlyReportDue', 'MonthlyReportMissed']);
const TRANSITION_TYPES = new Set(['PseTransitionNoticeIssued', 'ProcurementFlaggedNonCompliant']);
const REGISTER_TYPES = new Set(['CspRegistered', 'PseRegistered', 'ProcurementRecorded', 'ProcurementEnded']);

interface AccreditationCaseFacts extends AccreditationFacts {
  offeringName: string;
}

interface NocCaseFacts extends NocQueueCase {
  openTask: string | null;
}

const statements = statementCache((db) => ({
  insert: db.prepare(`
    INSERT OR IGNORE INTO notices (id, kind, subject, body, audience, audience_kind, organisation_id, jurisdiction, case_stream, event_type, created_at, created_at_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`) as Database.Statement<unknown[]>,
  // The IN repeats the partial index's condition so the planner may use it (without it, every notice is scanned).
  sameNotice: db.prepare(`SELECT 1 FROM notices WHERE case_stream = ? AND organisation_id = ? AND event_type = ?
    AND event_type IN ('PseTransitionNoticeIssued', 'ProcurementFlaggedNonCompliant') LIMIT 1`) as Database.Statement<[string, string, string]>,
  getCase: db.prepare('SELECT facts FROM notice_cases WHERE stream = ?') as Database.Statement<[string], { facts: string }>,
  putCase: db.prepare('INSERT INTO notice_cases (stream, facts) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET facts = excluded.facts') as Database.Statement<
    [string, string]
  >,
  createPerson: db.prepare(`
    INSERT INTO notice_people (stream, account_id, username, display_name, role, jurisdiction, organisation_id, email, disabled)
    VALUES (?, ?, ?, ?, NULL, NULL, NULL, ?, 0)`) as Database.Statement<[string, string, string, string, string | null]>,
  assign: db.prepare('UPDATE notice_people SET role = ?, jurisdiction = ?, organisation_id = ? WHERE stream = ?') as Database.Statement<
    [string, string, string | null, string]
  >,
  setDisabled: db.prepare('UPDATE notice_people SET disabled = ? WHERE stream = ?') as Database.Statement<[number, string]>,
  setEmail: db.prepare('UPDATE notice_people SET email = ? WHERE stream = ?') as Database.Statement<[string | null, string]>,
  person: db.prepare('SELECT account_id, username FROM notice_people WHERE stream = ?') as Database.Statement<[string], { account_id: string; username: string }>,
  procurementRecorded: db.prepare('INSERT OR REPLACE INTO notice_procurements (pse_id, procurement_id, offering_id, open) VALUES (?, ?, ?, 1)') as Database.Statement<
    [string, string, string]
  >,
  procurementEnded: db.prepare('UPDATE notice_procurements SET open = 0 WHERE pse_id = ? AND procurement_id = ?') as Database.Statement<[string, string]>,
  usersOf: db.prepare('SELECT pse_id, procurement_id FROM notice_procurements WHERE offering_id = ? AND open = 1 ORDER BY pse_id, procurement_id') as Database.Statement<
    [string],
    { pse_id: string; procurement_id: string }
  >,
  organisation: db.prepare(`
    INSERT INTO notice_organisations (kind, organisation_id, contact_name, contact_email) VALUES (?, ?, ?, ?)
    ON CONFLICT (kind, organisation_id) DO UPDATE SET contact_name = excluded.contact_name, contact_email = excluded.contact_email`) as Database.Statement<
    [string, string, string | null, string | null]
  >,
}));

function record(db: ReadModelDb, event: DecodedEvent, drafts: readonly NoticeDraft[]): void {
  const s = statements.get(db);
  for (const draft of drafts) {
    const a = draft.audience;
    // Positional: most events insert a notice, and binding by name looks each parameter up per row.
    s.insert.run(
      draft.key === '' ? event.id : `${event.id}:${draft.key}`,
      draft.kind,
      draft.subject,
      draft.body,
      JSON.stringify(a),
      a.kind,
      a.kind === 'staff' ? null : a.organisationId,
      a.kind === 'staff' ? a.jurisdiction : null,
      event.stream,
      event.type,
      event.metadata.occurredAt,
      toMillis(event.metadata.occurredAt),
    );
  }
}

/** A case's facts: kept as JSON in notice_cases; plain data (strings and nulls from the events), so JSON gives them back as they were. */
type CaseFacts = NocCaseFacts | AccreditationCaseFacts | ProviderCaseFacts;

// Each case's facts, held back during a rebuild (as objects, serialized once per transaction), where every event of a case rewrites them.
const cases = rebuildCache<CaseFacts>((db, stream, f) => statements.get(db).putCase.run(stream, JSON.stringify(f)));

/**
 * The case's facts. During a rebuild this is the object the cache holds: a caller that changes it puts
 * it back (applyNoc); on the live path it is read from its row each time.
 */
function facts<T extends CaseFacts>(db: ReadModelDb, stream: string): T {
  const f = cases.get(db, stream, () => {
    const json = statements.get(db).getCase.get(stream)?.facts;
    return json === undefined ? undefined : (JSON.parse(json) as CaseFacts);
  });
  if (f === undefined) throw new Error(`${stream} has no facts for notices: its stream does not start with the event that opens it`);
  return f as T;
}

function applyNoc(db: ReadModelDb, decoded: DecodedEvent): void {
  const event = asNocEvent(decoded);
  const nocId = nocIdOf(event);
  let c: NocCaseFacts;
  if (event.type === 'NocRequested') {
    const { pseId, jurisdiction, requestedBy } = event.data;
    c = { nocId, pseId, jurisdiction, requestedBy, recommendedBy: null, informationDueBy: null, extensionRequestedBy: null, openTask: null };
  } else {
    c = facts<NocCaseFacts>(db, event.stream);
    updateCase(c, event);
  }
  const drafts: NoticeDraft[] = [];
  const told = nocNotice(event, nocId, c.pseId);
  if (told) drafts.push(told);
  const status = NOC_STATUS_AFTER[event.type];
  if (status !== null) {
    const task = nocTaskFor(status, c);
    // The same task as before (requested → under-review) is the same piece of work: nobody is told again.
    if ((task?.kind ?? null) !== c.openTask) {
      const notice = task ? nocTaskNotice(nocId, c.jurisdiction, task) : null;
      if (notice) drafts.push(notice);
      c.openTask = task?.kind ?? null;
    }
  }
  cases.put(db, event.stream, c);
  record(db, decoded, drafts);
}

function applyAccount(db: ReadModelDb, event: DecodedEvent): void {
  const s = statements.get(db);
  switch (event.type) {
    case 'AccountCreated': {
      const d = event.data as AccountEventOf<'AccountCreated'>['data'];
      s.createPerson.run(event.stream, d.accountId, d.username, d.displayName, d.email ?? null);
      return;
    }
    case 'AccountRoleAssigned':
    case 'AccountGrantApproved': {
      const d = event.data as AccountEventOf<'AccountRoleAssigned'>['data'];
      s.assign.run(d.role, d.jurisdiction, d.organisationId, event.stream);
      return;
    }
    case 'AccountDisabled':
    case 'AccountEnabled':
      s.setDisabled.run(event.type === 'AccountDisabled' ? 1 : 0, event.stream);
      return;
    case 'AccountEmailChanged':
      s.setEmail.run((event.data as AccountEventOf<'AccountEmailChanged'>['data']).email, event.stream);
      return;
    case 'AccountGrantRequested': {
      const d = event.data as AccountEventOf<'AccountGrantRequested'>['data'];
      const person = s.person.get(event.stream);
      const who = person?.username ?? event.stream;
      // A second administrator approves: any enabled one but the requester and the account itself.
      const excluded = [d.requestedBy, ...(person ? [person.account_id] : [])];
      record(db, event, [
        {
          key: '',
          kind: 'grant-waiting',
          subject: `Grant waiting for approval: ${who}`,
          body: `${who} was granted the ${d.role} role (${d.jurisdiction}); a second administrator approves or rejects the grant (${d.grantId}).`,
          audience: { kind: 'staff', roles: ['admin'], jurisdiction: null, excludedUserIds: excluded },
        },
      ]);
      return;
    }
  }
}

function applyRegister(db: ReadModelDb, event: DecodedEvent): void {
  const s = statements.get(db);
  if (event.type === 'CspRegistered') {
    const d = event.data as CspEventOf<'CspRegistered'>['data'];
    s.organisation.run('csp', d.cspId, d.contact.name, d.contact.email.toLowerCase());
    return;
  }
  const pseId = event.stream.slice('pse-'.length);
  if (event.type === 'ProcurementRecorded') {
    const d = event.data as PseEventOf<'ProcurementRecorded'>['data'];
    s.procurementRecorded.run(pseId, d.procurementId, d.offeringId);
    return;
  }
  if (event.type === 'ProcurementEnded') {
    s.procurementEnded.run(pseId, (event.data as PseEventOf<'ProcurementEnded'>['data']).procurementId);
    return;
  }
  const d = event.data as PseEventOf<'PseRegistered'>['data'];
  s.organisation.run('pse', d.pseId, null, null);
}

/** A suspension or reinstatement also tells each entity with a workload open on the offering (offering-notices.ts wording). */
function offeringUsersNotices(db: ReadModelDb, event: DecodedEvent, f: AccreditationFacts, offeringName: string): NoticeDraft[] {
  if (event.type !== 'AccreditationSuspended' && event.type !== 'AccreditationReinstated') return [];
  const users = new Map<string, string[]>();
  for (const w of statements.get(db).usersOf.all(f.offeringId)) users.set(w.pse_id, [...(users.get(w.pse_id) ?? []), w.procurement_id]);
  const typed = { type: event.type, data: event.data } as AccreditationEventOf<'AccreditationSuspended' | 'AccreditationReinstated'>;
  return [...users].map(([pseId, procurements]) => {
    const n = offeringNoticeFor(typed, { offeringId: f.offeringId, name: offeringName }, procurements);
    return {
      key: `pse:${pseId}`,
      kind: event.type === 'AccreditationSuspended' ? 'suspended' : 'reinstated',
      subject: `Offering ${f.offeringId} ${event.type === 'AccreditationSuspended' ? 'suspended' : 'reinstated'}`,
      body: n.message,
      audience: { kind: 'pse', organisationId: pseId },
    };
  });
}

function applyTransition(db: ReadModelDb, event: DecodedEvent): void {
  const type = event.type as 'PseTransitionNoticeIssued' | 'ProcurementFlaggedNonCompliant';
  const data = event.data as TransitionEventOf<'PseTransitionNoticeIssued'>['data'];
  // Events are per procurement; the entity is told once per transition and kind.
  if (statements.get(db).sameNotice.get(event.stream, data.pseId, type)) return;
  const n = transitionNotificationFor(type, data);
  const subject = n.kind === 'migration-notice' ? `Migrate off offering ${data.offeringId}` : `Workloads non-compliant on offering ${data.offeringId}`;
  record(db, event, [{ key: '', kind: n.kind as NoticeDraft['kind'], subject, body: n.message, audience: { kind: 'pse', organisationId: data.pseId } }]);
}

function applyProviderCase(db: ReadModelDb, event: DecodedEvent): void {
  if (event.type === 'AccreditationSubmitted') {
    const d = event.data as AccreditationEventOf<'AccreditationSubmitted'>['data'];
    cases.put(db, event.stream, {
      applicationId: d.applicationId,
      cspId: d.cspId,
      offeringId: d.offering.offeringId,
      offeringName: d.offering.name,
      submittedBy: d.submittedBy,
    } satisfies AccreditationCaseFacts);
  }
  if (event.type === 'ReviewOpened' || event.type === 'MonitoringStarted') {
    const d = event.data as { reviewId?: string; applicationId: string; cspId: string; offeringId: string };
    cases.put(db, event.stream, { caseId: d.reviewId ?? d.applicationId, cspId: d.cspId, offeringId: d.offeringId } satisfies ProviderCaseFacts);
  }
  if (ACCREDITATION_TYPES.has(event.type)) {
    const f = facts<AccreditationCaseFacts>(db, event.stream);
    return record(db, event, [...accreditationNotices(event, f), ...offeringUsersNotices(db, event, f, f.offeringName)]);
  }
  const f = facts<ProviderCaseFacts>(db, event.stream);
  if (REVIEW_TYPES.has(event.type)) return record(db, event, reviewNotices(event as unknown as ReviewEvent, f));
  record(db, event, monitoringNotices(event as unknown as MonitoringEvent, f));
}

function apply(db: ReadModelDb, event: DecodedEvent): void {
  if (isNocEventType(event.type)) return applyNoc(db, event);
  if (ACCOUNT_TYPES.has(event.type)) return applyAccount(db, event);
  if (REGISTER_TYPES.has(event.type)) return applyRegister(db, event);
  if (TRANSITION_TYPES.has(event.type)) return applyTransition(db, event);
  applyProviderCase(db, event);
}

export const NOTICES = 'notices';

export const noticesProjection: Projection = {
  name: NOTICES,
  // 2: notices and notice_cases became rowid tables (same rows).
  version: 2,
  setup(db) {
    db.exec(NOTICE_TABLES);
    // The mail's pending trigger lives on the notices table, which a reset drops.
    db.exec(MAIL_TABLES);
    statements.clear(db);
  },
  handles: (type) =>
    isNocEventType(type) ||
    ACCOUNT_TYPES.has(type) ||
    REGISTER_TYPES.has(type) ||
    TRANSITION_TYPES.has(type) ||
    ACCREDITATION_TYPES.has(type) ||
    REVIEW_TYPES.has(type) ||
    MONITORING_TYPES.has(type),
  apply,
  // notices_of_transitions (sameNotice) and notice_procurements_by_offering (usersOf) are read while replaying, so they stay.
  bulk: {
    begin: (db) => cases.enable(db),
    flush: (db) => cases.flush(db),
    deferredIndexes: ['notices_by_org', 'notices_by_jurisdiction', 'notices_by_time'],
    // The mail's pending list gets every notice without a mail row: what the trigger adds per insert, FILL_PENDING adds at once.
    deferredTriggers: [{ name: 'notice_mail_pending_on_insert', catchUp: FILL_PENDING }],
  },
  reset(db) {
    statements.clear(db);
    cases.clear(db);
    db.exec('DROP TABLE IF EXISTS notices; DROP TABLE IF EXISTS notice_people; DROP TABLE IF EXISTS notice_organisations; DROP TABLE IF EXISTS notice_procurements; DROP TABLE IF EXISTS notice_cases;');
  },
};
