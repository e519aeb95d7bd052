import type Database from 'better-sqlite3';
import type { AccreditationCaseStatus } from '../../domain/accreditation/state';
import type { Actor } from '../../domain/shared/actor';
import type { Baseline, Role } from '../../domain/shared/vocabulary';
import type { DecodedEvent } from '../../eventstore/registry';
import type { ReadModelDb } from '../db';
import { statementCache, type Projection } from '../projection';
import { applicationIdOf, asAccreditationEvent, isAccreditationEventType, type AccreditationRecordedEvent } from './catalogue';

/**
 * The accreditation work queue: the open tasks of each application in progress, and who may do them.
 * An application in assessment waits on two people at once (the technical reviewer's scores and the
 * security review), so unlike a NOC it may have two tasks. acc_queue_cases keeps the facts the tasks
 * and the UI's list of applications need; this projection owns its tables and its checkpoint.
 */
export const ACCREDITATION_QUEUE_TABLES = `
CREATE TABLE IF NOT EXISTS acc_queue_cases (
  application_id TEXT PRIMARY KEY,
  csp_id TEXT NOT NULL,
  offering_id TEXT NOT NULL,
  offering_name TEXT NOT NULL,
  requested_baseline TEXT NOT NULL,
  status TEXT NOT NULL,
  submitted_by TEXT NOT NULL,
  submitted_at TEXT NOT NULL,
  technical_reviewers TEXT NOT NULL,
  security_reviewer TEXT,
  scores_complete INTEGER NOT NULL,
  information_due_by TEXT,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS acc_queue_cases_by_csp ON acc_queue_cases (csp_id);
CREATE TABLE IF NOT EXISTS acc_tasks (
  task_id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  role TEXT NOT NULL,
  -- Set only on the CSP's own tasks: the CSP that owes the answer.
  csp_id TEXT,
  excluded_user_ids TEXT NOT NULL,
  created_at TEXT NOT NULL,
  due_at TEXT,
  UNIQUE (application_id, kind)
);
CREATE INDEX IF NOT EXISTS acc_tasks_by_role ON acc_tasks (role);
`;

export const ACCREDITATION_TASK_KINDS = ['screen', 'answer-information', 'score', 'security-review', 'decide'] as const;
export type AccreditationTaskKind = (typeof ACCREDITATION_TASK_KINDS)[number];

export interface AccreditationTaskRow {
  taskId: string;
  applicationId: string;
  kind: AccreditationTaskKind;
  role: Role;
  /** For the CSP's tasks: the CSP that owes the answer. */
  cspId: string | null;
  excludedUserIds: string[];
  createdAt: string;
  dueAt: string | null;
}

export interface AccreditationApplicationRow {
  applicationId: string;
  cspId: string;
  offeringId: string;
  offeringName: string;
  requestedBaseline: Baseline;
  status: AccreditationCaseStatus;
  submittedAt: string;
  updatedAt: string;
}

/** What the queue needs to know about an application to say which tasks are open and who may take them. */
export interface AccreditationQueueCase {
  applicationId: string;
  cspId: string;
  status: AccreditationCaseStatus;
  submittedBy: string;
  technicalReviewers: string[];
  securityReviewer: string | null;
  scoresComplete: boolean;
  informationDueBy: string | null;
}

export interface AccreditationTaskSpec {
  kind: AccreditationTaskKind;
  role: Role;
  cspId: string | null;
  excludedUserIds: string[];
  dueAt: string | null;
}

const unique = (ids: (string | null)[]): string[] => [...new Set(ids.filter((id): id is string => id !== null))];

/**
 * The tasks an application waits on, as domain/accreditation/decide.ts allows them: nobody works a
 * case they submitted; the security reviewer is not a technical reviewer, and the director who decides
 * is neither (four eyes, SPEC §3.1).
 */
export function accreditationTasksFor(c: AccreditationQueueCase): AccreditationTaskSpec[] {
  const task = (kind: AccreditationTaskKind, role: Role, excluded: (string | null)[]): AccreditationTaskSpec => ({
    kind,
    role,
    cspId: null,
    excludedUserIds: unique(excluded),
    dueAt: null,
  });
  switch (c.status) {
    case 'submitted':
    case 'screening':
      return [task('screen', 'reviewer', [c.submittedBy])];
    case 'awaiting-applicant':
      return [{ kind: 'answer-information', role: 'csp', cspId: c.cspId, excludedUserIds: [], dueAt: c.informationDueBy }];
    case 'assessment': {
      const tasks: AccreditationTaskSpec[] = [];
      if (!c.scoresComplete) tasks.push(task('score', 'reviewer', [c.submittedBy, c.securityReviewer]));
      if (c.securityReviewer === null) tasks.push(task('security-review', 'security-reviewer', [c.submittedBy, ...c.technicalReviewers]));
      return tasks;
    }
    case 'decision':
      return [task('decide', 'director', [c.submittedBy, c.securityReviewer, ...c.technicalReviewers])];
    case 'accredited':
    case 'rejected':
    case 'lapsed':
    case 'suspended':
    case 'revoked':
    case 'withdrawn':
    case 'expired':
      return [];
  }
}

interface CaseDbRow {
  application_id: string;
  csp_id: string;
  offering_id: string;
  offering_name: string;
  requested_baseline: Baseline;
  status: AccreditationCaseStatus;
  submitted_by: string;
  submitted_at: string;
  technical_reviewers: string;
  security_reviewer: string | null;
  scores_complete: number;
  information_due_by: string | null;
  updated_at: string;
}

interface TaskDbRow {
  task_id: string;
  application_id: string;
  kind: AccreditationTaskKind;
  role: Role;
  csp_id: string | null;
  excluded_user_ids: string;
  created_at: string;
  due_at: string | null;
}

const statements = statementCache((db) => ({
  insertCase: db.prepare(`
    INSERT INTO acc_queue_cases (application_id, csp_id, offering_id, offering_name, requested_baseline, status, submitted_by,
      submitted_at, technical_reviewers, security_reviewer, scores_complete, information_due_by, updated_at)
    VALUES (@applicationId, @cspId, @offeringId, @offeringName, @requestedBaseline, 'submitted', @submittedBy, @submittedAt, '[]',
      NULL, 0, NULL, @submittedAt)
    ON CONFLICT (application_id) DO NOTHING`) as Database.Statement<[Record<string, unknown>]>,
  getCase: db.prepare('SELECT * FROM acc_queue_cases WHERE application_id = ?') as Database.Statement<[string], CaseDbRow>,
  updateCase: db.prepare(`
    UPDATE acc_queue_cases SET status = @status, technical_reviewers = @technicalReviewers, security_reviewer = @securityReviewer,
      scores_complete = @scoresComplete, information_due_by = @informationDueBy, updated_at = @updatedAt
    WHERE application_id = @applicationId`) as Database.Statement<[Record<string, unknown>]>,
  openTasks: db.prepare('SELECT kind FROM acc_tasks WHERE application_id = ?') as Database.Statement<[string], { kind: AccreditationTaskKind }>,
  deleteTask: db.prepare('DELETE FROM acc_tasks WHERE application_id = ? AND kind = ?') as Database.Statement<[string, string]>,
  updateTask: db.prepare('UPDATE acc_tasks SET excluded_user_ids = ?, due_at = ? WHERE application_id = ? AND kind = ?') as Database.Statement<
    [string, string | null, string, string]
  >,
  insertTask: db.prepare(`
    INSERT INTO acc_tasks (task_id, application_id, kind, role, csp_id, excluded_user_ids, created_at, due_at)
    VALUES (@taskId, @applicationId, @kind, @role, @cspId, @excludedUserIds, @createdAt, @dueAt)`) as Database.Statement<[Record<string, unknown>]>,
}));

const toCase = (row: CaseDbRow): AccreditationQueueCase => ({
  applicationId: row.application_id,
  cspId: row.csp_id,
  status: row.status,
  submittedBy: row.submitted_by,
  technicalReviewers: JSON.parse(row.technical_reviewers) as string[],
  securityReviewer: row.security_reviewer,
  scoresComplete: row.scores_complete === 1,
  informationDueBy: row.information_due_by,
});

const withReviewer = (reviewers: string[], userId: string): string[] => (reviewers.includes(userId) ? reviewers : [...reviewers, userId]);

/** The case after the event, as domain/accreditation/evolve.ts moves it; the rows keep only what the queue needs. */
function evolveCase(c: AccreditationQueueCase, event: AccreditationRecordedEvent): AccreditationQueueCase {
  const afterAssessmentStep = (next: AccreditationQueueCase): AccreditationQueueCase => ({
    ...next,
    status: next.scoresComplete && next.securityReviewer !== null ? 'decision' : 'assessment',
  });
  switch (event.type) {
    case 'AccreditationSubmitted':
    case 'AccreditationRenewalWindowOpened':
    case 'AccreditationRenewed':
      return c;
    case 'AccreditationScreeningStarted':
      return { ...c, status: 'screening', technicalReviewers: withReviewer(c.technicalReviewers, event.data.reviewerId) };
    case 'AccreditationInformationRequested':
      return { ...c, status: 'awaiting-applicant', informationDueBy: event.data.dueBy };
    case 'AccreditationInformationProvided':
      return { ...c, status: 'screening', informationDueBy: null };
    case 'AccreditationLapsed':
      return { ...c, status: 'lapsed', informationDueBy: null };
    case 'AccreditationScreeningCompleted':
      return { ...c, status: 'assessment' };
    case 'AccreditationCriteriaScored':
      return afterAssessmentStep({
        ...c,
        scoresComplete: event.data.summary.complete,
        technicalReviewers: withReviewer(c.technicalReviewers, event.data.scoredBy),
      });
    case 'AccreditationSecurityReviewRecorded':
      return afterAssessmentStep({ ...c, securityReviewer: event.data.reviewedBy });
    case 'AccreditationGranted':
    case 'AccreditationReinstated':
      return { ...c, status: 'accredited' };
    case 'AccreditationRejected':
      return { ...c, status: 'rejected' };
    case 'AccreditationExpired':
      return { ...c, status: 'expired' };
    case 'AccreditationSuspended':
      return { ...c, status: 'suspended' };
    case 'AccreditationRevoked':
      return { ...c, status: 'revoked' };
    case 'AccreditationWithdrawn':
      return { ...c, status: 'withdrawn', informationDueBy: null };
  }
}

function apply(db: ReadModelDb, decoded: DecodedEvent): void {
  const event = asAccreditationEvent(decoded);
  if (event === undefined) return;
  const s = statements.get(db);
  const applicationId = applicationIdOf(event);
  if (event.type === 'AccreditationSubmitted') {
    s.insertCase.run({
      applicationId,
      cspId: event.data.cspId,
      offeringId: event.data.offering.offeringId,
      offeringName: event.data.offering.name,
      requestedBaseline: event.data.requestedBaseline,
      submittedBy: event.data.submittedBy,
      submittedAt: event.data.submittedAt,
    });
  }
  const row = s.getCase.get(applicationId);
  if (!row) throw new Error(`Application ${applicationId} is not in the queue's cases: its stream does not start with AccreditationSubmitted`);
  const c = evolveCase(toCase(row), event);
  const at = event.metadata.occurredAt;
  s.updateCase.run({
    applicationId,
    status: c.status,
    technicalReviewers: JSON.stringify(c.technicalReviewers),
    securityReviewer: c.securityReviewer,
    scoresComplete: c.scoresComplete ? 1 : 0,
    informationDueBy: c.informationDueBy,
    updatedAt: at,
  });

  const wanted = accreditationTasksFor(c);
  const open = new Set(s.openTasks.all(applicationId).map((t) => t.kind));
  for (const kind of open) if (!wanted.some((t) => t.kind === kind)) s.deleteTask.run(applicationId, kind);
  for (const task of wanted) {
    const excluded = JSON.stringify(task.excludedUserIds);
    // The same piece of work (submitted → screening; a partial scoring): kept, with who may not take it brought up to date.
    if (open.has(task.kind)) {
      s.updateTask.run(excluded, task.dueAt, applicationId, task.kind);
      continue;
    }
    s.insertTask.run({
      taskId: `${applicationId}:${task.kind}:${event.revision}`,
      applicationId,
      kind: task.kind,
      role: task.role,
      cspId: task.cspId,
      excludedUserIds: excluded,
      createdAt: at,
      dueAt: task.dueAt,
    });
  }
}

export const ACCREDITATION_QUEUE = 'accreditation-queue';

export const accreditationQueueProjection: Projection = {
  name: ACCREDITATION_QUEUE,
  version: 1,
  setup(db) {
    db.exec(ACCREDITATION_QUEUE_TABLES);
    statements.clear(db);
  },
  handles: isAccreditationEventType,
  apply,
  reset(db) {
    statements.clear(db);
    db.exec('DROP TABLE IF EXISTS acc_tasks; DROP TABLE IF EXISTS acc_queue_cases;');
  },
};

/** The Cloud Office's staff see every application; a CSP its own (as canSeeApplication in the API). */
const STAFF: readonly Role[] = ['reviewer', 'security-reviewer', 'director', 'auditor', 'admin'];

export interface AccreditationQueueQueries {
  /** The open tasks the actor may take on: their role, not excluded by four eyes, a CSP only its own; oldest first. */
  queue(actor: Actor): AccreditationTaskRow[];
  /** The applications the actor may see, most recently changed first. */
  applications(actor: Actor): AccreditationApplicationRow[];
}

const toTask = (row: TaskDbRow): AccreditationTaskRow => ({
  taskId: row.task_id,
  applicationId: row.application_id,
  kind: row.kind,
  role: row.role,
  cspId: row.csp_id,
  excludedUserIds: JSON.parse(row.excluded_user_ids) as string[],
  createdAt: row.created_at,
  dueAt: row.due_at,
});

const toApplication = (row: CaseDbRow): AccreditationApplicationRow => ({
  applicationId: row.application_id,
  cspId: row.csp_id,
  offeringId: row.offering_id,
  offeringName: row.offering_name,
  requestedBaseline: row.requested_baseline,
  status: row.status,
  submittedAt: row.submitted_at,
  updatedAt: row.updated_at,
});

/** Read-only queries; statements are prepared on first use, so the projector may create the tables later. */
export function createAccreditationQueueQueries(db: ReadModelDb): AccreditationQueueQueries {
  let byRole: Database.Statement<[string], TaskDbRow> | undefined;
  let all: Database.Statement<[], CaseDbRow> | undefined;
  let byCsp: Database.Statement<[string], CaseDbRow> | undefined;
  return {
    queue(actor) {
      if (actor.role === 'csp' && actor.organisationId === undefined) return [];
      byRole ??= db.prepare('SELECT * FROM acc_tasks WHERE role = ? ORDER BY created_at, task_id');
      return byRole
        .all(actor.role)
        .map(toTask)
        .filter((t) => !t.excludedUserIds.includes(actor.userId) && (t.cspId === null || t.cspId === actor.organisationId));
    },
    applications(actor) {
      if (STAFF.includes(actor.role)) {
        all ??= db.prepare('SELECT * FROM acc_queue_cases ORDER BY updated_at DESC, application_id');
        return all.all().map(toApplication);
      }
      if (actor.role !== 'csp' || actor.organisationId === undefined) return [];
      byCsp ??= db.prepare('SELECT * FROM acc_queue_cases WHERE csp_id = ? ORDER BY updated_at DESC, application_id');
      return byCsp.all(actor.organisationId).map(toApplication);
    },
  };
}
