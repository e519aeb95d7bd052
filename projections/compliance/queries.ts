import type Database from 'better-sqlite3';
import { z } from 'zod';
import { ChangeKind } from '../../domain/compliance/change-events';
import { EscalationReason, FindingSeverity, ReviewTrigger } from '../../domain/compliance/review-events';
import { REVIEW_FINAL, REVIEW_STATUSES, type ReviewCase } from '../../domain/compliance/review-state';
import type { Actor } from '../../domain/shared/actor';
import { IsoDateTime, Role } from '../../domain/shared/vocabulary';
import type { ReadModelDb } from '../db';
import { COMPLIANCE_TASK_KINDS } from './tasks';


export const PeriodRecord = z.object({
  period: z.string(),
  /** `late`: delivered after its due instant; it still counts in a run of misses when it was first recorded missed. */
  outcome: z.enum(['submitted', 'late', 'missed']),
  dueAt: IsoDateTime.nullable(),
  submittedAt: IsoDateTime.nullable(),
  missChain: z.number().int(),
});

export const ComplianceDashboardRow = z.object({
  applicationId: z.string(),
  offeringId: z.string(),
  offeringName: z.string().nullable(),
  cspId: z.string(),
  /** The accreditation's own status (accredited, suspended, revoked, expired, withdrawn); null before the grant is seen. */
  accreditationStatus: z.string().nullable(),
  monitoring: z.object({
    status: z.enum(['monitoring', 'ended']).nullable(),
    firstPeriod: z.string().nullable(),
    consecutiveMisses: z.number().int(),
    submitted: z.number().int(),
    late: z.number().int(),
    missed: z.number().int(),
    /** Newest period first. */
    periods: z.array(PeriodRecord),
  }),
  /** Findings not yet verified, in reviews still open. */
  openFindings: z.object({ high: z.number().int(), moderate: z.number().int(), low: z.number().int() }),
  overdue: z.object({
    findings: z.array(z.object({ reviewId: z.string(), findingId: z.string(), title: z.string(), severity: FindingSeverity, deadline: IsoDateTime })),
    evidence: z.array(z.object({ reviewId: z.string(), dueBy: IsoDateTime })),
  }),
  /** What the provider still owes on open reviews, overdue or not: each open finding and each evidence request not yet answered. */
  pending: z.object({
    findings: z.array(
      z.object({ reviewId: z.string(), findingId: z.string(), title: z.string(), severity: FindingSeverity, deadline: IsoDateTime, overdue: z.boolean() }),
    ),
    evidence: z.array(z.object({ reviewId: z.string(), dueBy: IsoDateTime, overdue: z.boolean() })),
  }),
  lastReview: z
    .object({ reviewId: z.string(), trigger: ReviewTrigger, status: z.enum(REVIEW_STATUSES), openedAt: IsoDateTime, closedAt: IsoDateTime.nullable() })
    .nullable(),
  /** Newest first; `outcome` is null while the director has not decided. */
  escalations: z.array(
    z.object({
      reviewId: z.string(),
      reason: EscalationReason,
      findingIds: z.array(z.string()),
      escalatedAt: IsoDateTime,
      outcome: z.enum(['extended', 'suspended', 'revoked', 'remediated']).nullable(),
      decidedAt: IsoDateTime.nullable(),
    }),
  ),
  significantChanges: z.array(
    z.object({
      changeId: z.string(),
      kind: ChangeKind,
      plannedFor: IsoDateTime,
      requestedAt: IsoDateTime,
      status: z.enum(['requested', 'recommended-approve', 'recommended-reject', 'approved', 'rejected']),
      /** Notified with less notice than the policy requires: a compliance finding of its own. */
      notifiedLate: z.boolean(),
      noticeDays: z.number().int().nullable(),
      requiredDays: z.number().int().nullable(),
    }),
  ),
  updatedAt: IsoDateTime,
});
export type ComplianceDashboardRow = z.infer<typeof ComplianceDashboardRow>;

export const ComplianceTaskRow = z.object({
  taskId: z.string(),
  reviewId: z.string(),
  applicationId: z.string(),
  offeringId: z.string(),
  cspId: z.string(),
  kind: z.enum(COMPLIANCE_TASK_KINDS),
  role: Role,
  findingId: z.string().nullable(),
  /** The review's status now, as the same read model has it. */
  reviewStatus: z.enum(REVIEW_STATUSES),
  createdAt: IsoDateTime,
  dueAt: IsoDateTime.nullable(),
});
export type ComplianceTaskRow = z.infer<typeof ComplianceTaskRow>;

export interface DashboardFilter {
  offeringId?: string;
  cspId?: string;
}

export interface ComplianceQueries {
  /** Staff see every tracked application, a CSP only its own; others none. Most recently changed first. */
  dashboard(actor: Actor, filter?: DashboardFilter): ComplianceDashboardRow[];
  /** The open review tasks of the actor's role that four eyes lets them take; earliest due first, undated last. */
  queue(actor: Actor): ComplianceTaskRow[];
}

/** The Cloud Office's staff who may read every offering's compliance record. */
export const COMPLIANCE_STAFF: readonly Role[] = ['reviewer', 'security-reviewer', 'director', 'auditor'];

interface ApplicationDbRow {
  application_id: string;
  offering_id: string;
  csp_id: string;
  offering_name: string | null;
  accreditation_status: string | null;
  monitoring_status: 'monitoring' | 'ended' | null;
  first_period: string | null;
  consecutive_misses: number;
  updated_at: string;
}
interface PeriodDbRow {
  application_id: string;
  period: string;
  outcome: 'submitted' | 'late' | 'missed';
  due_at: string | null;
  submitted_at: string | null;
  miss_chain: number;
}
interface ReviewDbRow {
  review_id: string;
  application_id: string;
  state: string;
  evidence_overdue: number;
  opened_at: string;
  closed_at: string | null;
}
interface EscalationDbRow {
  review_id: string;
  application_id: string;
  reason: z.infer<typeof EscalationReason>;
  finding_ids: string;
  escalated_at: string;
  outcome: ComplianceDashboardRow['escalations'][number]['outcome'];
  decided_at: string | null;
}
interface ChangeDbRow {
  change_id: string;
  application_id: string;
  kind: z.infer<typeof ChangeKind>;
  planned_for: string;
  requested_at: string;
  status: ComplianceDashboardRow['significantChanges'][number]['status'];
  notified_late: number;
  notice_days: number | null;
  required_days: number | null;
}
interface TaskDbRow {
  task_id: string;
  review_id: string;
  application_id: string;
  kind: ComplianceTaskRow['kind'];
  role: Role;
  finding_id: string | null;
  excluded_user_ids: string;
  created_at: string;
  due_at: string | null;
  offering_id: string;
  csp_id: string;
  review_status: ComplianceTaskRow['reviewStatus'];
}

function reviewFacts(reviews: ReviewDbRow[]): Pick<ComplianceDashboardRow, 'openFindings' | 'overdue' | 'pending' | 'lastReview'> {
  const openFindings = { high: 0, moderate: 0, low: 0 };
  const overdue: ComplianceDashboardRow['overdue'] = { findings: [], evidence: [] };
  const pending: ComplianceDashboardRow['pending'] = { findings: [], evidence: [] };
  let lastReview: ComplianceDashboardRow['lastReview'] = null;
  for (const row of reviews) {
    const review = JSON.parse(row.state) as ReviewCase;
    // Ordered by opening: the last one seen is the latest.
    lastReview = { reviewId: row.review_id, trigger: review.trigger, status: review.status, openedAt: row.opened_at, closedAt: row.closed_at };
    if (REVIEW_FINAL.includes(review.status)) continue;
    for (const f of review.findings) {
      if (f.status === 'verified') continue;
      openFindings[f.severity] += 1;
      pending.findings.push({ reviewId: row.review_id, findingId: f.id, title: f.title, severity: f.severity, deadline: f.deadline, overdue: f.overdue });
      if (f.overdue) overdue.findings.push({ reviewId: row.review_id, findingId: f.id, title: f.title, severity: f.severity, deadline: f.deadline });
    }
    if (row.evidence_overdue === 1 && review.evidenceDueBy !== undefined) overdue.evidence.push({ reviewId: row.review_id, dueBy: review.evidenceDueBy });
    if (review.status === 'evidence-requested' && review.evidenceDueBy !== undefined && review.evidenceSubmittedBy === undefined) {
      pending.evidence.push({ reviewId: row.review_id, dueBy: review.evidenceDueBy, overdue: row.evidence_overdue === 1 });
    }
  }
  return { openFindings, overdue, pending, lastReview };
}

function toDashboardRow(
  app: ApplicationDbRow,
  periods: PeriodDbRow[],
  reviews: ReviewDbRow[],
  escalations: EscalationDbRow[],
  changes: ChangeDbRow[],
): ComplianceDashboardRow {
  const count = (outcome: PeriodDbRow['outcome']): number => periods.filter((p) => p.outcome === outcome).length;
  return {
    applicationId: app.application_id,
    offeringId: app.offering_id,
    offeringName: app.offering_name,
    cspId: app.csp_id,
    accreditationStatus: app.accreditation_status,
    monitoring: {
      status: app.monitoring_status,
      firstPeriod: app.first_period,
      consecutiveMisses: app.consecutive_misses,
      submitted: count('submitted'),
      late: count('late'),
      missed: count('missed'),
      periods: periods.map((p) => ({ period: p.period, outcome: p.outcome, dueAt: p.due_at, submittedAt: p.submitted_at, missChain: p.miss_chain })),
    },
    ...reviewFacts(reviews),
    escalations: escalations.map((e) => ({
      reviewId: e.review_id,
      reason: e.reason,
      findingIds: JSON.parse(e.finding_ids) as string[],
      escalatedAt: e.escalated_at,
      outcome: e.outcome,
      decidedAt: e.decided_at,
    })),
    significantChanges: changes.map((c) => ({
      changeId: c.change_id,
      kind: c.kind,
      plannedFor: c.planned_for,
      requestedAt: c.requested_at,
      status: c.status,
      notifiedLate: c.notified_late === 1,
      noticeDays: c.notice_days,
      requiredDays: c.required_days,
    })),
    updatedAt: app.updated_at,
  };
}

/**
 * The dashboard's reads. Each offering's periods, reviews, escalations and changes are read along its
 * application_id index for the offerings listed only: a provider's dashboard never touches another's
 * history, and no request scans a whole table.
 */
export const DASHBOARD_SQL = {
  apps: `
    SELECT * FROM cmp_applications
    WHERE tracked = 1 AND (@cspId IS NULL OR csp_id = @cspId) AND (@offeringId IS NULL OR offering_id = @offeringId)
    ORDER BY updated_at DESC, application_id`,
  /** A provider's own offerings, along the csp index (the statement above cannot choose it for every caller). */
  appsOfCsp: `
    SELECT * FROM cmp_applications
    WHERE csp_id = @cspId AND tracked = 1 AND (@offeringId IS NULL OR offering_id = @offeringId)
    ORDER BY updated_at DESC, application_id`,
  periods: 'SELECT * FROM cmp_periods WHERE application_id = ? ORDER BY period DESC',
  reviews: 'SELECT * FROM cmp_reviews WHERE application_id = ? ORDER BY opened_at, review_id',
  escalations: 'SELECT * FROM cmp_escalations WHERE application_id = ? ORDER BY escalated_at DESC, revision DESC',
  changes: 'SELECT * FROM cmp_changes WHERE application_id = ? ORDER BY requested_at DESC, change_id',
} as const;

/** Read-only queries; statements are prepared on first use, so the projector may create the tables later. */
export function createComplianceQueries(db: ReadModelDb): ComplianceQueries {
  let prepared:
    | {
        apps: Database.Statement<[Record<string, unknown>], ApplicationDbRow>;
        appsOfCsp: Database.Statement<[Record<string, unknown>], ApplicationDbRow>;
        periods: Database.Statement<[string], PeriodDbRow>;
        reviews: Database.Statement<[string], ReviewDbRow>;
        escalations: Database.Statement<[string], EscalationDbRow>;
        changes: Database.Statement<[string], ChangeDbRow>;
        tasks: Database.Statement<[string], TaskDbRow>;
      }
    | undefined;
  const s = (): NonNullable<typeof prepared> =>
    (prepared ??= {
      apps: db.prepare(DASHBOARD_SQL.apps),
      appsOfCsp: db.prepare(DASHBOARD_SQL.appsOfCsp),
      periods: db.prepare(DASHBOARD_SQL.periods),
      reviews: db.prepare(DASHBOARD_SQL.reviews),
      escalations: db.prepare(DASHBOARD_SQL.escalations),
      changes: db.prepare(DASHBOARD_SQL.changes),
      tasks: db.prepare(`
        SELECT t.*, a.offering_id, a.csp_id, json_extract(r.state, '$.status') AS review_status
        FROM cmp_tasks t JOIN cmp_applications a ON a.application_id = t.application_id JOIN cmp_reviews r ON r.review_id = t.review_id
        WHERE t.role = ? ORDER BY t.due_at IS NULL, t.due_at, t.created_at, t.task_id`),
    });
  return {
    dashboard(actor, filter = {}) {
      let cspId = filter.cspId ?? null;
      if (!COMPLIANCE_STAFF.includes(actor.role)) {
        if (actor.role !== 'csp' || actor.organisationId === undefined) return [];
        // A provider asking about another provider learns nothing, not even that it exists.
        if (cspId !== null && cspId !== actor.organisationId) return [];
        cspId = actor.organisationId;
      }
      const st = s();
      const params = { cspId, offeringId: filter.offeringId ?? null };
      const apps = cspId === null ? st.apps.all(params) : st.appsOfCsp.all(params);
      return apps.map((app) => {
        const id = app.application_id;
        return toDashboardRow(app, st.periods.all(id), st.reviews.all(id), st.escalations.all(id), st.changes.all(id));
      });
    },
    queue(actor) {
      return s()
        .tasks.all(actor.role)
        .filter((t) => !(JSON.parse(t.excluded_user_ids) as string[]).includes(actor.userId))
        .map((t) => ({
          taskId: t.task_id,
          reviewId: t.review_id,
          applicationId: t.application_id,
          offeringId: t.offering_id,
          cspId: t.csp_id,
          kind: t.kind,
          role: t.role,
          findingId: t.finding_id,
          reviewStatus: t.review_status,
          createdAt: t.created_at,
          dueAt: t.due_at,
        }));
    },
  };
}
