import type Database from 'better-sqlite3';
import { CHANGE_EVENT_TYPES, type ChangeEvent } from '../../domain/compliance/change-events';
import { MONITORING_EVENT_TYPES, type MonitoringEvent } from '../../domain/compliance/monitoring-events';
import { REVIEW_EVENT_TYPES, type ReviewEvent } from '../../domain/compliance/review-events';
import { evolveReview } from '../../domain/compliance/review-evolve';
import { REVIEW_FINAL, type ReviewCase, type ReviewState } from '../../domain/compliance/review-state';
import type { DecodedEvent } from '../../eventstore/registry';
import { applicationIdOf, asAccreditationEvent, isAccreditationEventType, type AccreditationRecordedEvent } from '../accreditation/catalogue';
import type { ReadModelDb } from '../db';
import { statementCache, type Projection } from '../projection';
import { reviewTasksFor } from './tasks';

/**
 * The compliance read side (SPEC §3.2, issue 4): per accredited application, its monthly reports, its
 * reviews (with the review state folded by the domain's own evolve), escalations and significant
 * changes; and the staff's review queue. Accreditation events give each row its offering and the
 * accreditation's status, so the dashboard and the accredited list tell the same story.
 */
export const COMPLIANCE_TABLES = `
CREATE TABLE IF NOT EXISTS cmp_applications (
  application_id TEXT PRIMARY KEY,
  offering_id TEXT NOT NULL,
  csp_id TEXT NOT NULL,
  offering_name TEXT,
  accreditation_status TEXT,
  -- 1 once granted or touched by a compliance process: applications still being assessed are not on the dashboard.
  tracked INTEGER NOT NULL,
  monitoring_status TEXT,
  first_period TEXT,
  consecutive_misses INTEGER NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cmp_applications_by_csp ON cmp_applications (csp_id);
CREATE TABLE IF NOT EXISTS cmp_periods (
  application_id TEXT NOT NULL,
  period TEXT NOT NULL,
  outcome TEXT NOT NULL,
  due_at TEXT,
  submitted_at TEXT,
  miss_chain INTEGER NOT NULL,
  PRIMARY KEY (application_id, period)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cmp_reviews (
  review_id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL,
  state TEXT NOT NULL,
  evidence_overdue INTEGER NOT NULL,
  opened_at TEXT NOT NULL,
  closed_at TEXT,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cmp_reviews_by_application ON cmp_reviews (application_id, opened_at);
CREATE TABLE IF NOT EXISTS cmp_escalations (
  review_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  application_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  finding_ids TEXT NOT NULL,
  escalated_at TEXT NOT NULL,
  outcome TEXT,
  decided_at TEXT,
  PRIMARY KEY (review_id, revision)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cmp_escalations_by_application ON cmp_escalations (application_id);
CREATE TABLE IF NOT EXISTS cmp_changes (
  change_id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  planned_for TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  status TEXT NOT NULL,
  notified_late INTEGER NOT NULL,
  notice_days INTEGER,
  required_days INTEGER,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cmp_changes_by_application ON cmp_changes (application_id);
CREATE TABLE IF NOT EXISTS cmp_tasks (
  task_id TEXT PRIMARY KEY,
  review_id TEXT NOT NULL,
  task_key TEXT NOT NULL,
  application_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  role TEXT NOT NULL,
  finding_id TEXT,
  excluded_user_ids TEXT NOT NULL,
  created_at TEXT NOT NULL,
  due_at TEXT,
  UNIQUE (review_id, task_key)
);
CREATE INDEX IF NOT EXISTS cmp_tasks_by_role ON cmp_tasks (role);
`;

const MONITORING_TYPES = new Set<string>(MONITORING_EVENT_TYPES);
const REVIEW_TYPES = new Set<string>(REVIEW_EVENT_TYPES);
const CHANGE_TYPES = new Set<string>(CHANGE_EVENT_TYPES);

/** The case id from a stream `<category>-<id>`; events without their id in the data need it. */
function idOf(stream: string, category: 'monitoring' | 'review' | 'change'): string {
  const prefix = `${category}-`;
  if (!stream.startsWith(prefix)) throw new Error(`${stream} is not a ${category} stream`);
  return stream.slice(prefix.length);
}

type Params = [Record<string, unknown>];

const statements = statementCache((db) => ({
  upsertApplication: db.prepare(`
    INSERT INTO cmp_applications (application_id, offering_id, csp_id, offering_name, accreditation_status, tracked, monitoring_status,
      first_period, consecutive_misses, updated_at)
    VALUES (@applicationId, @offeringId, @cspId, @offeringName, NULL, @tracked, NULL, NULL, 0, @at)
    ON CONFLICT (application_id) DO UPDATE SET offering_name = COALESCE(excluded.offering_name, offering_name),
      tracked = MAX(tracked, excluded.tracked), updated_at = excluded.updated_at`) as Database.Statement<Params>,
  application: db.prepare('SELECT tracked FROM cmp_applications WHERE application_id = ?') as Database.Statement<[string], { tracked: number }>,
  accreditationStatus: db.prepare(
    'UPDATE cmp_applications SET accreditation_status = ?, tracked = 1, updated_at = ? WHERE application_id = ?',
  ) as Database.Statement<[string, string, string]>,
  touch: db.prepare('UPDATE cmp_applications SET updated_at = ? WHERE application_id = ?') as Database.Statement<[string, string]>,
  monitoring: db.prepare(`
    UPDATE cmp_applications SET monitoring_status = COALESCE(@status, monitoring_status), first_period = COALESCE(@firstPeriod, first_period),
      consecutive_misses = COALESCE(@consecutiveMisses, consecutive_misses), updated_at = @at
    WHERE application_id = @applicationId`) as Database.Statement<Params>,
  period: db.prepare('SELECT outcome, due_at, miss_chain FROM cmp_periods WHERE application_id = ? AND period = ?') as Database.Statement<
    [string, string],
    { outcome: string; due_at: string | null; miss_chain: number }
  >,
  putPeriod: db.prepare(`
    INSERT OR REPLACE INTO cmp_periods (application_id, period, outcome, due_at, submitted_at, miss_chain)
    VALUES (@applicationId, @period, @outcome, @dueAt, @submittedAt, @missChain)`) as Database.Statement<Params>,
  review: db.prepare('SELECT application_id, state FROM cmp_reviews WHERE review_id = ?') as Database.Statement<
    [string],
    { application_id: string; state: string }
  >,
  insertReview: db.prepare(`
    INSERT INTO cmp_reviews (review_id, application_id, state, evidence_overdue, opened_at, closed_at, updated_at)
    VALUES (@reviewId, @applicationId, @state, 0, @openedAt, NULL, @at)`) as Database.Statement<Params>,
  updateReview: db.prepare(`
    UPDATE cmp_reviews SET state = @state, evidence_overdue = COALESCE(@evidenceOverdue, evidence_overdue),
      closed_at = COALESCE(closed_at, @closedAt), updated_at = @at
    WHERE review_id = @reviewId`) as Database.Statement<Params>,
  escalate: db.prepare(`
    INSERT INTO cmp_escalations (review_id, revision, application_id, reason, finding_ids, escalated_at, outcome, decided_at)
    VALUES (@reviewId, @revision, @applicationId, @reason, @findingIds, @escalatedAt, NULL, NULL)`) as Database.Statement<Params>,
  settleEscalation: db.prepare(`
    UPDATE cmp_escalations SET outcome = ?, decided_at = ?
    WHERE review_id = ? AND outcome IS NULL`) as Database.Statement<[string, string, string]>,
  requestChange: db.prepare(`
    INSERT INTO cmp_changes (change_id, application_id, kind, planned_for, requested_at, status, notified_late, notice_days, required_days, updated_at)
    VALUES (@changeId, @applicationId, @kind, @plannedFor, @requestedAt, 'requested', 0, NULL, NULL, @at)
    ON CONFLICT (change_id) DO NOTHING`) as Database.Statement<Params>,
  changeLate: db.prepare('UPDATE cmp_changes SET notified_late = 1, notice_days = ?, required_days = ?, updated_at = ? WHERE change_id = ?') as Database.Statement<
    [number, number, string, string]
  >,
  changeStatus: db.prepare('UPDATE cmp_changes SET status = ?, updated_at = ? WHERE change_id = ?') as Database.Statement<[string, string, string]>,
  changeApplication: db.prepare('SELECT application_id FROM cmp_changes WHERE change_id = ?') as Database.Statement<[string], { application_id: string }>,
  openTasks: db.prepare('SELECT task_key FROM cmp_tasks WHERE review_id = ?') as Database.Statement<[string], { task_key: string }>,
  deleteTask: db.prepare('DELETE FROM cmp_tasks WHERE review_id = ? AND task_key = ?') as Database.Statement<[string, string]>,
  updateTask: db.prepare('UPDATE cmp_tasks SET excluded_user_ids = ?, due_at = ? WHERE review_id = ? AND task_key = ?') as Database.Statement<
    [string, string | null, string, string]
  >,
  insertTask: db.prepare(`
    INSERT INTO cmp_tasks (task_id, review_id, task_key, application_id, kind, role, finding_id, excluded_user_ids, created_at, due_at)
    VALUES (@taskId, @reviewId, @key, @applicationId, @kind, @role, @findingId, @excludedUserIds, @createdAt, @dueAt)`) as Database.Statement<Params>,
}));

type S = ReturnType<typeof statements.get>;

function ensureApplication(s: S, subject: { applicationId: string; offeringId: string; cspId: string }, at: string): void {
  s.upsertApplication.run({ ...subject, offeringName: null, tracked: 1, at });
}

/** The accreditation's own status, for the rows the compliance processes are about. */
const ACCREDITATION_STATUS: Partial<Record<AccreditationRecordedEvent['type'], string>> = {
  AccreditationGranted: 'accredited',
  AccreditationSuspended: 'suspended',
  AccreditationReinstated: 'accredited',
  AccreditationRevoked: 'revoked',
  AccreditationExpired: 'expired',
  AccreditationWithdrawn: 'withdrawn',
};

function applyAccreditation(s: S, event: AccreditationRecordedEvent): void {
  const applicationId = applicationIdOf(event);
  const at = event.metadata.occurredAt;
  if (event.type === 'AccreditationSubmitted') {
    const d = event.data;
    s.upsertApplication.run({ applicationId, offeringId: d.offering.offeringId, cspId: d.cspId, offeringName: d.offering.name, tracked: 0, at });
    return;
  }
  const status = ACCREDITATION_STATUS[event.type];
  const row = s.application.get(applicationId);
  if (status === undefined || row === undefined) return;
  // Withdrawn before a grant, an application never concerned compliance; after one, it ends it.
  if (event.type === 'AccreditationWithdrawn' && row.tracked === 0) return;
  s.accreditationStatus.run(status, at, applicationId);
}

function applyMonitoring(s: S, decoded: DecodedEvent): void {
  const event = { type: decoded.type, data: decoded.data } as MonitoringEvent;
  const applicationId = idOf(decoded.stream, 'monitoring');
  const at = decoded.metadata.occurredAt;
  switch (event.type) {
    case 'MonitoringStarted': {
      const d = event.data;
      ensureApplication(s, d, at);
      s.monitoring.run({ applicationId, status: 'monitoring', firstPeriod: d.firstPeriod, consecutiveMisses: 0, at });
      return;
    }
    case 'MonthlyReportSubmitted': {
      const d = event.data;
      const known = s.period.get(applicationId, d.period);
      // As evolveMonitoring: a report after a recorded miss is late and keeps the miss in the run.
      const afterMiss = known?.outcome === 'missed';
      s.putPeriod.run({
        applicationId,
        period: d.period,
        outcome: afterMiss || d.late ? 'late' : 'submitted',
        dueAt: known?.due_at ?? null,
        submittedAt: d.submittedAt,
        missChain: afterMiss ? known.miss_chain : 0,
      });
      s.monitoring.run({ applicationId, status: null, firstPeriod: null, consecutiveMisses: afterMiss ? null : 0, at });
      return;
    }
    case 'MonthlyReportMissed': {
      const d = event.data;
      s.putPeriod.run({ applicationId, period: d.period, outcome: 'missed', dueAt: d.dueAt, submittedAt: null, missChain: d.consecutiveMisses });
      s.monitoring.run({ applicationId, status: null, firstPeriod: null, consecutiveMisses: d.consecutiveMisses, at });
      return;
    }
    case 'MonthlyReportsMissedTwice':
      s.touch.run(at, applicationId);
      return;
    case 'MonitoringEnded':
      s.monitoring.run({ applicationId, status: 'ended', firstPeriod: null, consecutiveMisses: null, at });
      return;
  }
}

/** The outcome an event gives the review's open escalation, if it settles it. */
function escalationOutcome(event: ReviewEvent): string | undefined {
  switch (event.type) {
    case 'ReviewDeadlineExtended':
      return event.data.escalationResolved ? 'extended' : undefined;
    case 'ReviewSuspensionDecided':
      return 'suspended';
    case 'ReviewRevocationDecided':
      return 'revoked';
    case 'ReviewClosedRemediated':
      return 'remediated';
    default:
      return undefined;
  }
}

function applyReview(s: S, decoded: DecodedEvent): void {
  const event = { type: decoded.type, data: decoded.data } as ReviewEvent;
  const reviewId = idOf(decoded.stream, 'review');
  const at = decoded.metadata.occurredAt;
  let before: ReviewState;
  let applicationId: string;
  if (event.type === 'ReviewOpened') {
    const d = event.data;
    ensureApplication(s, d, at);
    s.insertReview.run({ reviewId, applicationId: d.applicationId, state: JSON.stringify({ status: 'none' }), openedAt: d.openedAt, at });
    before = { status: 'none' };
    applicationId = d.applicationId;
  } else {
    const row = s.review.get(reviewId);
    if (!row) throw new Error(`Review ${reviewId} has no ReviewOpened: its stream does not start with it`);
    before = JSON.parse(row.state) as ReviewState;
    applicationId = row.application_id;
  }
  const after = evolveReview(before, event);
  if (after.status === 'none') throw new Error(`Review ${reviewId}: ${event.type} before ReviewOpened`);
  const review: ReviewCase = after;

  let evidenceOverdue: number | null = null;
  if (event.type === 'ReviewEvidenceOverdue') evidenceOverdue = 1;
  if (event.type === 'ReviewEvidenceSubmitted' || (event.type === 'ReviewDeadlineExtended' && event.data.findingId === undefined)) evidenceOverdue = 0;
  const closing = REVIEW_FINAL.includes(review.status) && !(before.status !== 'none' && REVIEW_FINAL.includes(before.status));
  s.updateReview.run({ reviewId, state: JSON.stringify(review), evidenceOverdue, closedAt: closing ? at : null, at });

  if (event.type === 'ReviewEscalated') {
    s.escalate.run({
      reviewId,
      revision: decoded.revision,
      applicationId,
      reason: event.data.reason,
      findingIds: JSON.stringify(event.data.findingIds),
      escalatedAt: event.data.escalatedAt,
    });
  }
  const outcome = escalationOutcome(event);
  if (outcome !== undefined) s.settleEscalation.run(outcome, at, reviewId);
  s.touch.run(at, applicationId);
  syncTasks(s, reviewId, applicationId, review, decoded.revision, at);
}

/** Keeps a task that stays open (with its creation time); opens new ones; closes the rest. */
function syncTasks(s: S, reviewId: string, applicationId: string, review: ReviewCase, revision: number, at: string): void {
  const wanted = reviewTasksFor(review);
  const open = new Set(s.openTasks.all(reviewId).map((t) => t.task_key));
  for (const key of open) if (!wanted.some((t) => t.key === key)) s.deleteTask.run(reviewId, key);
  for (const task of wanted) {
    const excluded = JSON.stringify(task.excludedUserIds);
    if (open.has(task.key)) {
      s.updateTask.run(excluded, task.dueAt, reviewId, task.key);
      continue;
    }
    s.insertTask.run({
      taskId: `${reviewId}:${task.key}:${revision}`,
      reviewId,
      key: task.key,
      applicationId,
      kind: task.kind,
      role: task.role,
      findingId: task.findingId,
      excludedUserIds: excluded,
      createdAt: at,
      dueAt: task.dueAt,
    });
  }
}

function applyChange(s: S, decoded: DecodedEvent): void {
  const event = { type: decoded.type, data: decoded.data } as ChangeEvent;
  const changeId = idOf(decoded.stream, 'change');
  const at = decoded.metadata.occurredAt;
  if (event.type === 'SignificantChangeRequested') {
    const d = event.data;
    ensureApplication(s, d, at);
    s.requestChange.run({ changeId, applicationId: d.applicationId, kind: d.kind, plannedFor: d.plannedFor, requestedAt: d.requestedAt, at });
    return;
  }
  const row = s.changeApplication.get(changeId);
  if (!row) throw new Error(`Change ${changeId} has no SignificantChangeRequested: its stream does not start with it`);
  switch (event.type) {
    case 'SignificantChangeNotifiedLate':
      s.changeLate.run(event.data.noticeDays, event.data.requiredDays, at, changeId);
      break;
    case 'SignificantChangeRecommended':
      s.changeStatus.run(`recommended-${event.data.recommendation}`, at, changeId);
      break;
    case 'SignificantChangeApproved':
      s.changeStatus.run('approved', at, changeId);
      break;
    case 'SignificantChangeRejected':
      s.changeStatus.run('rejected', at, changeId);
      break;
  }
  s.touch.run(at, row.application_id);
}

function apply(db: ReadModelDb, event: DecodedEvent): void {
  const s = statements.get(db);
  const accreditation = asAccreditationEvent(event);
  if (accreditation) applyAccreditation(s, accreditation);
  else if (MONITORING_TYPES.has(event.type)) applyMonitoring(s, event);
  else if (REVIEW_TYPES.has(event.type)) applyReview(s, event);
  else if (CHANGE_TYPES.has(event.type)) applyChange(s, event);
}

export const COMPLIANCE = 'compliance';

export const complianceProjection: Projection = {
  name: COMPLIANCE,
  version: 1,
  setup(db) {
    db.exec(COMPLIANCE_TABLES);
    statements.clear(db);
  },
  handles: (type) => isAccreditationEventType(type) || MONITORING_TYPES.has(type) || REVIEW_TYPES.has(type) || CHANGE_TYPES.has(type),
  apply,
  reset(db) {
    statements.clear(db);
    db.exec(
      'DROP TABLE IF EXISTS cmp_tasks; DROP TABLE IF EXISTS cmp_changes; DROP TABLE IF EXISTS cmp_escalations; DROP TABLE IF EXISTS cmp_reviews; DROP TABLE IF EXISTS cmp_periods; DROP TABLE IF EXISTS cmp_applications;',
    );
  },
};
