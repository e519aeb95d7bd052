import { SYSTEM_ACTOR, type Actor } from '../../domain/shared/actor';
import { addDays } from '../../domain/shared/time';
import { DEFAULT_COMPLIANCE_POLICY, type ComplianceDecideContext, type CompliancePolicy } from '../../domain/compliance/policy';
import { decideMonitoring } from '../../domain/compliance/monitoring-decide';
import { foldMonitoring } from '../../domain/compliance/monitoring-evolve';
import { MonitoringEventSchemas, type MonitoringEvent, type MonitoringEventOf } from '../../domain/compliance/monitoring-events';
import type { MonitoringCommand, MonitoringCommandOf } from '../../domain/compliance/monitoring-commands';
import type { MonitoringState } from '../../domain/compliance/monitoring-state';
import { decideReview } from '../../domain/compliance/review-decide';
import { foldReview } from '../../domain/compliance/review-evolve';
import {
  ReviewEventSchemas,
  type FindingInput,
  type ReviewEvent,
  type ReviewEventOf,
  type ReviewSubject,
  type ReviewTrigger,
} from '../../domain/compliance/review-events';
import type { ReviewCommand, ReviewCommandOf } from '../../domain/compliance/review-commands';
import type { ReviewState } from '../../domain/compliance/review-state';
import { decideChange } from '../../domain/compliance/change-decide';
import { foldChange } from '../../domain/compliance/change-evolve';
import { ChangeEventSchemas, type ChangeEvent, type SignificantChange } from '../../domain/compliance/change-events';
import type { ChangeCommand, ChangeCommandOf } from '../../domain/compliance/change-commands';
import type { ChangeState } from '../../domain/compliance/change-state';
import { deciderSpec } from './given-when-then';

export function at(now: string, policy: CompliancePolicy = DEFAULT_COMPLIANCE_POLICY): ComplianceDecideContext {
  return { now, policy };
}

const person = (userId: string, role: Actor['role'], organisationId?: string): Actor => ({
  userId,
  name: `Person ${userId}`,
  role,
  jurisdiction: 'federal',
  ...(organisationId === undefined ? {} : { organisationId }),
});

export const actors = {
  csp: person('u-csp', 'csp', 'csp-nimbus'),
  /** Another representative of the same provider. */
  cspColleague: person('u-csp-2', 'csp', 'csp-nimbus'),
  otherCsp: person('u-other-csp', 'csp', 'csp-other'),
  pse: person('u-pse', 'pse', 'pse-moitt'),
  reviewer: person('u-rev', 'reviewer', undefined),
  reviewer2: person('u-rev-2', 'reviewer', undefined),
  director: person('u-dir', 'director', undefined),
  auditor: person('u-aud', 'auditor', undefined),
  system: SYSTEM_ACTOR,
} as const;

/** Schemas accept every emitted event unchanged. */
function validator<E extends { type: string; data: unknown }>(schemas: Record<string, { parse(data: unknown): unknown }>) {
  return (event: E): void => {
    const schema = schemas[event.type];
    if (schema === undefined) throw new Error(`No schema for ${event.type}`);
    expect(schema.parse(event.data)).toEqual(event.data);
  };
}

export const givenMonitoring = deciderSpec<MonitoringState, MonitoringCommand, MonitoringEvent, ComplianceDecideContext>({
  decide: decideMonitoring,
  fold: foldMonitoring,
  validate: validator(MonitoringEventSchemas),
});
export const givenReview = deciderSpec<ReviewState, ReviewCommand, ReviewEvent, ComplianceDecideContext>({
  decide: decideReview,
  fold: foldReview,
  validate: validator(ReviewEventSchemas),
});
export const givenChange = deciderSpec<ChangeState, ChangeCommand, ChangeEvent, ComplianceDecideContext>({
  decide: decideChange,
  fold: foldChange,
  validate: validator(ChangeEventSchemas),
});

// ---------------------------------------------------------------- monitoring

export const ACCREDITATION = { applicationId: 'APP-1', offeringId: 'off-nimbus-gov', cspId: 'csp-nimbus' } as const;

/** Monitoring starts on accreditation; February 2025 is the first month owed. */
export const M = {
  started: '2025-01-10T09:00:00.000Z',
  firstPeriod: '2025-02',
  /** February's report: the month has ended, not yet due. */
  marchFirst: '2025-03-01T00:00:00.000Z',
  beforeFebruaryDue: '2025-03-15T23:59:59.999Z',
  /** End of 15 March: February's report becomes late. */
  februaryDue: '2025-03-16T00:00:00.000Z',
  marchDue: '2025-04-16T00:00:00.000Z',
  aprilDue: '2025-05-16T00:00:00.000Z',
} as const;

export const VULNS = { high: 0, moderate: 2, low: 5 };

export const mev = {
  started: (firstPeriod: string = M.firstPeriod): MonitoringEventOf<'MonitoringStarted'> => ({
    type: 'MonitoringStarted',
    data: { ...ACCREDITATION, firstPeriod, startedAt: M.started },
  }),
  submitted: (period: string, submittedAt: string, late = false, by: Actor = actors.csp): MonitoringEventOf<'MonthlyReportSubmitted'> => ({
    type: 'MonthlyReportSubmitted',
    data: { period, summary: `Report for ${period}`, vulnerabilities: VULNS, submittedBy: by.userId, submittedAt, late },
  }),
  due: (period: string, dueAt: string, remindAt?: string): MonitoringEventOf<'MonthlyReportDue'> => ({
    type: 'MonthlyReportDue',
    data: { period, dueAt, ...(remindAt === undefined ? {} : { remindAt }) },
  }),
  missed: (period: string, dueAt: string, consecutiveMisses = 1): MonitoringEventOf<'MonthlyReportMissed'> => ({
    type: 'MonthlyReportMissed',
    data: { period, dueAt, consecutiveMisses },
  }),
  ended: (endedAt: string): MonitoringEventOf<'MonitoringEnded'> => ({ type: 'MonitoringEnded', data: { reason: 'Accreditation revoked', endedAt } }),
};

export const mcmd = {
  start: (actor: Actor = actors.system, firstPeriod: string = M.firstPeriod): MonitoringCommandOf<'StartMonitoring'> => ({
    type: 'StartMonitoring',
    actor,
    data: { ...ACCREDITATION, firstPeriod },
  }),
  submit: (period: string, actor: Actor = actors.csp): MonitoringCommandOf<'SubmitMonthlyReport'> => ({
    type: 'SubmitMonthlyReport',
    actor,
    data: { period, summary: `Report for ${period}`, vulnerabilities: VULNS },
  }),
  due: (period: string, actor: Actor = actors.system): MonitoringCommandOf<'RecordReportDue'> => ({ type: 'RecordReportDue', actor, data: { period } }),
  missed: (period: string, actor: Actor = actors.system): MonitoringCommandOf<'RecordMissedReport'> => ({
    type: 'RecordMissedReport',
    actor,
    data: { period },
  }),
  end: (actor: Actor = actors.system): MonitoringCommandOf<'EndMonitoring'> => ({ type: 'EndMonitoring', actor, data: { reason: 'Accreditation revoked' } }),
};

// ---------------------------------------------------------------- review

export const SUBJECT: ReviewSubject = { reviewId: 'REV-1', ...ACCREDITATION };

/** An anniversary review on one calendar. */
export const R = {
  opened: '2026-01-10T09:00:00.000Z',
  evidenceRequested: '2026-01-12T09:00:00.000Z',
  /** evidenceRequested + 30 days. */
  evidenceDue: '2026-02-11T09:00:00.000Z',
  evidenceSubmitted: '2026-02-01T09:00:00.000Z',
  assessed: '2026-02-10T09:00:00.000Z',
  /** assessed + 30 / 90 / 180 days. */
  highDue: '2026-03-12T09:00:00.000Z',
  moderateDue: '2026-05-11T09:00:00.000Z',
  lowDue: '2026-08-09T09:00:00.000Z',
  decision: '2026-03-20T09:00:00.000Z',
} as const;

export const HIGH: FindingInput = { id: 'F-1', title: 'Unpatched hypervisor', severity: 'high' };
export const MODERATE: FindingInput = { id: 'F-2', title: 'Stale access reviews', severity: 'moderate' };
export const LOW: FindingInput = { id: 'F-3', title: 'Incomplete asset inventory', severity: 'low' };

export const moderates = (n: number): FindingInput[] =>
  Array.from({ length: n }, (_, i) => ({ id: `M-${i + 1}`, title: `Moderate gap ${i + 1}`, severity: 'moderate' as const }));

export function deadlineOf(finding: FindingInput, assessedAt: string = R.assessed, policy: CompliancePolicy = DEFAULT_COMPLIANCE_POLICY): string {
  return addDays(assessedAt, policy.remediationDays[finding.severity]);
}

export const rev = {
  opened: (trigger: ReviewTrigger = 'anniversary', by: Actor = actors.system): ReviewEventOf<'ReviewOpened'> => ({
    type: 'ReviewOpened',
    data: { ...SUBJECT, trigger, description: 'Annual compliance review', openedBy: by.userId, openedAt: R.opened },
  }),
  evidenceRequested: (dueBy: string = R.evidenceDue, by: Actor = actors.reviewer): ReviewEventOf<'ReviewEvidenceRequested'> => ({
    type: 'ReviewEvidenceRequested',
    data: { request: 'Send the annual assessment report', dueBy, requestedBy: by.userId },
  }),
  evidenceSubmitted: (by: Actor = actors.csp): ReviewEventOf<'ReviewEvidenceSubmitted'> => ({
    type: 'ReviewEvidenceSubmitted',
    data: { summary: 'Annual assessment by the 3PAO', documents: ['sar-2026.pdf'], submittedBy: by.userId },
  }),
  evidenceOverdue: (dueBy: string = R.evidenceDue): ReviewEventOf<'ReviewEvidenceOverdue'> => ({ type: 'ReviewEvidenceOverdue', data: { dueBy } }),
  assessed: (findings: FindingInput[], assessedAt: string = R.assessed, by: Actor = actors.reviewer): ReviewEventOf<'ReviewAssessed'> => ({
    type: 'ReviewAssessed',
    data: {
      summary: 'Assessed against the framework',
      findings: findings.map((f) => ({ ...f, deadline: deadlineOf(f, assessedAt) })),
      assessedBy: by.userId,
      assessedByName: by.name,
      assessedAt,
    },
  }),
  closedCompliant: (closedAt: string = R.assessed): ReviewEventOf<'ReviewClosedCompliant'> => ({
    type: 'ReviewClosedCompliant',
    data: { applicationId: SUBJECT.applicationId, closedAt },
  }),
  remediationSubmitted: (findingId: string, by: Actor = actors.csp): ReviewEventOf<'ReviewRemediationSubmitted'> => ({
    type: 'ReviewRemediationSubmitted',
    data: { findingId, description: 'Fixed and re-scanned', submittedBy: by.userId },
  }),
  verified: (findingId: string, by: Actor = actors.reviewer): ReviewEventOf<'ReviewFindingVerified'> => ({
    type: 'ReviewFindingVerified',
    data: { findingId, notes: 'Checked on the re-scan', verifiedBy: by.userId },
  }),
  rejected: (findingId: string, by: Actor = actors.reviewer): ReviewEventOf<'ReviewFindingRejected'> => ({
    type: 'ReviewFindingRejected',
    data: { findingId, notes: 'The re-scan still shows it', rejectedBy: by.userId },
  }),
  findingOverdue: (finding: FindingInput): ReviewEventOf<'ReviewFindingOverdue'> => ({
    type: 'ReviewFindingOverdue',
    data: { findingId: finding.id, severity: finding.severity, deadline: deadlineOf(finding) },
  }),
  escalated: (
    reason: ReviewEventOf<'ReviewEscalated'>['data']['reason'],
    findingIds: string[],
    escalatedAt: string,
  ): ReviewEventOf<'ReviewEscalated'> => ({ type: 'ReviewEscalated', data: { reason, findingIds, escalatedAt } }),
  closedRemediated: (closedAt: string): ReviewEventOf<'ReviewClosedRemediated'> => ({
    type: 'ReviewClosedRemediated',
    data: { applicationId: SUBJECT.applicationId, closedAt },
  }),
  extended: (
    previousDeadline: string,
    newDeadline: string,
    findingId?: string,
    escalationResolved = true,
    by: Actor = actors.director,
  ): ReviewEventOf<'ReviewDeadlineExtended'> => ({
    type: 'ReviewDeadlineExtended',
    data: {
      ...(findingId === undefined ? {} : { findingId }),
      previousDeadline,
      newDeadline,
      escalationResolved,
      reasons: 'A supplier delay, documented',
      decidedBy: by.userId,
      decidedByName: by.name,
    },
  }),
  suspended: (by: Actor = actors.director): ReviewEventOf<'ReviewSuspensionDecided'> => ({
    type: 'ReviewSuspensionDecided',
    data: { applicationId: SUBJECT.applicationId, reasons: 'High finding left open', decidedBy: by.userId, decidedByName: by.name },
  }),
  revoked: (by: Actor = actors.director): ReviewEventOf<'ReviewRevocationDecided'> => ({
    type: 'ReviewRevocationDecided',
    data: { applicationId: SUBJECT.applicationId, reasons: 'Remediation abandoned', decidedBy: by.userId, decidedByName: by.name },
  }),
};

export const rcmd = {
  open: (actor: Actor = actors.system, trigger: ReviewTrigger = 'anniversary'): ReviewCommandOf<'OpenReview'> => ({
    type: 'OpenReview',
    actor,
    data: { ...SUBJECT, trigger, description: 'Annual compliance review' },
  }),
  requestEvidence: (actor: Actor = actors.reviewer): ReviewCommandOf<'RequestEvidence'> => ({
    type: 'RequestEvidence',
    actor,
    data: { request: 'Send the annual assessment report' },
  }),
  submitEvidence: (actor: Actor = actors.csp): ReviewCommandOf<'SubmitEvidence'> => ({
    type: 'SubmitEvidence',
    actor,
    data: { summary: 'Annual assessment by the 3PAO', documents: ['sar-2026.pdf'] },
  }),
  assess: (findings: FindingInput[], actor: Actor = actors.reviewer): ReviewCommandOf<'AssessReview'> => ({
    type: 'AssessReview',
    actor,
    data: { summary: 'Assessed against the framework', findings },
  }),
  remediate: (findingId: string, actor: Actor = actors.csp): ReviewCommandOf<'SubmitRemediationEvidence'> => ({
    type: 'SubmitRemediationEvidence',
    actor,
    data: { findingId, description: 'Fixed and re-scanned' },
  }),
  verify: (findingId: string, outcome: 'verified' | 'rejected' = 'verified', actor: Actor = actors.reviewer): ReviewCommandOf<'VerifyFinding'> => ({
    type: 'VerifyFinding',
    actor,
    data: { findingId, outcome, notes: outcome === 'verified' ? 'Checked on the re-scan' : 'The re-scan still shows it' },
  }),
  evidenceOverdue: (actor: Actor = actors.system): ReviewCommandOf<'EvidenceOverdue'> => ({ type: 'EvidenceOverdue', actor, data: {} }),
  findingOverdue: (findingId: string, actor: Actor = actors.system): ReviewCommandOf<'FindingOverdue'> => ({
    type: 'FindingOverdue',
    actor,
    data: { findingId },
  }),
  extend: (newDeadline: string, findingId?: string, actor: Actor = actors.director): ReviewCommandOf<'ExtendDeadline'> => ({
    type: 'ExtendDeadline',
    actor,
    data: { ...(findingId === undefined ? {} : { findingId }), newDeadline, reasons: 'A supplier delay, documented' },
  }),
  suspend: (actor: Actor = actors.director): ReviewCommandOf<'DecideSuspend'> => ({ type: 'DecideSuspend', actor, data: { reasons: 'High finding left open' } }),
  revoke: (actor: Actor = actors.director): ReviewCommandOf<'DecideRevoke'> => ({ type: 'DecideRevoke', actor, data: { reasons: 'Remediation abandoned' } }),
  recommendReinstatement: (actor: Actor = actors.reviewer2): ReviewCommandOf<'RecommendReinstatement'> => ({
    type: 'RecommendReinstatement',
    actor,
    data: { reasons: 'Every finding remediated and verified' },
  }),
};

/** Histories bringing the anniversary review to each status. */
const opened: ReviewEvent[] = [rev.opened()];
const evidenceRequested = [...opened, rev.evidenceRequested()];
const evidenceSubmitted = [...evidenceRequested, rev.evidenceSubmitted()];
const remediation = [...evidenceSubmitted, rev.assessed([HIGH, MODERATE, LOW])];
const escalated = [...remediation, rev.findingOverdue(HIGH), rev.escalated('high-finding-overdue', [HIGH.id], R.highDue)];
const suspended = [...escalated, rev.suspended()];
export const review = {
  opened,
  'evidence-requested': evidenceRequested,
  'evidence-submitted': evidenceSubmitted,
  'closed-compliant': [...evidenceSubmitted, rev.assessed([]), rev.closedCompliant()],
  remediation,
  escalated,
  'evidence-escalated': [...evidenceRequested, rev.evidenceOverdue(), rev.escalated('evidence-overdue', [], R.evidenceDue)],
  suspended,
  revoked: [...escalated, rev.revoked()],
} satisfies Record<string, ReviewEvent[]>;

// ---------------------------------------------------------------- significant change

export const C = {
  requested: '2025-06-01T09:00:00.000Z',
  /** 45 days ahead: enough notice. */
  plannedWithNotice: '2025-07-16T09:00:00.000Z',
  /** Exactly 30 days ahead: just enough. */
  plannedAtLimit: '2025-07-01T09:00:00.000Z',
  /** 10 days ahead: too little notice. */
  plannedLate: '2025-06-11T09:00:00.000Z',
} as const;

export const CHANGE: SignificantChange = {
  changeId: 'CHG-1',
  ...ACCREDITATION,
  kind: 'data-centre-location',
  description: 'Add a second data centre in Lahore',
  plannedFor: C.plannedWithNotice,
};

export const ccmd = {
  request: (actor: Actor = actors.csp, change: SignificantChange = CHANGE): ChangeCommandOf<'RequestSignificantChange'> => ({
    type: 'RequestSignificantChange',
    actor,
    data: change,
  }),
  recommend: (actor: Actor = actors.reviewer, recommendation: 'approve' | 'reject' = 'approve'): ChangeCommandOf<'RecommendChange'> => ({
    type: 'RecommendChange',
    actor,
    data: { recommendation, reasons: 'Same controls at the new site' },
  }),
  decide: (actor: Actor = actors.director, decision: 'approve' | 'reject' = 'approve'): ChangeCommandOf<'DecideChange'> => ({
    type: 'DecideChange',
    actor,
    data: { decision, reasons: 'On the file' },
  }),
};

export const cev = {
  requested: (change: SignificantChange = CHANGE, by: Actor = actors.csp): ChangeEvent => ({
    type: 'SignificantChangeRequested',
    data: { ...change, requestedBy: by.userId, requestedAt: C.requested },
  }),
  recommended: (by: Actor = actors.reviewer): ChangeEvent => ({
    type: 'SignificantChangeRecommended',
    data: { recommendation: 'approve', reasons: 'Same controls at the new site', recommendedBy: by.userId, recommendedByName: by.name },
  }),
};
