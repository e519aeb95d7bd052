import { isSystem, type Actor } from '../shared/actor';
import { DomainError, assertNever } from '../shared/errors';
import { addDays, isBefore } from '../shared/time';
import type { ComplianceDecideContext, CompliancePolicy } from './policy';
import type { ReviewCommand, ReviewCommandOf } from './review-commands';
import type { AssessedFinding, ReviewEvent } from './review-events';
import { REVIEW_REMEDIATING, allFindingsVerified, type Finding, type ReviewCase, type ReviewState, type ReviewStatus } from './review-state';
import { requireNotInvolved, requireProvider, requireRole, requireSystem } from './rules';

/** Pure: given the review's state and a command, the events that happen, or a DomainError thrown. */
export function decideReview(command: ReviewCommand, state: ReviewState, ctx: ComplianceDecideContext): ReviewEvent[] {
  if (command.type === 'OpenReview') return openReview(command, state, ctx);
  if (state.status === 'none') throw new DomainError('REVIEW_NOT_OPENED', 'No such compliance review has been opened');
  const review = state;
  const { actor } = command;

  switch (command.type) {
    case 'RequestEvidence':
      requireRole(actor, ['reviewer'], 'request evidence');
      requireStatus(review, ['opened'], 'request evidence');
      return [
        {
          type: 'ReviewEvidenceRequested',
          data: { request: command.data.request, dueBy: addDays(ctx.now, ctx.policy.evidenceResponseDays), requestedBy: actor.userId },
        },
      ];

    case 'SubmitEvidence':
      requireProvider(actor, review.subject.cspId, 'submit evidence');
      // Refuses with the usual message unless the evidence is owed.
      if (!(review.status === 'evidence-requested' || owesEvidenceWhileSuspended(review))) {
        requireStatus(review, ['evidence-requested'], 'submit evidence');
      }
      return [
        {
          type: 'ReviewEvidenceSubmitted',
          data: {
            summary: command.data.summary,
            documents: command.data.documents,
            // Absent rather than empty: submissions from before evidence files record exactly what they did.
            ...(command.data.files === undefined || command.data.files.length === 0 ? {} : { files: command.data.files }),
            submittedBy: actor.userId,
          },
        },
      ];

    case 'AssessReview':
      return assess(command, review, ctx);

    case 'SubmitRemediationEvidence': {
      requireProvider(actor, review.subject.cspId, 'submit remediation evidence');
      requireStatus(review, REVIEW_REMEDIATING, 'submit remediation evidence');
      const finding = findingOf(review, command.data.findingId);
      requireFindingStatus(finding, 'open', 'receive remediation evidence');
      return [
        {
          type: 'ReviewRemediationSubmitted',
          data: { findingId: finding.id, description: command.data.description, submittedBy: actor.userId },
        },
      ];
    }

    case 'VerifyFinding': {
      requireRole(actor, ['reviewer'], 'verify a finding');
      requireStatus(review, REVIEW_REMEDIATING, 'verify a finding');
      const finding = findingOf(review, command.data.findingId);
      requireFindingStatus(finding, 'evidence-submitted', 'be verified');
      const { notes } = command.data;
      if (command.data.outcome === 'rejected') {
        return [{ type: 'ReviewFindingRejected', data: { findingId: finding.id, notes, rejectedBy: actor.userId } }];
      }
      const events: ReviewEvent[] = [{ type: 'ReviewFindingVerified', data: { findingId: finding.id, notes, verifiedBy: actor.userId } }];
      const othersVerified = review.findings.every((f) => f.id === finding.id || f.status === 'verified');
      // Remediation completed before the director decided makes the escalation moot; after a
      // suspension, reinstatement is recommended instead, so the director lifts it deliberately.
      if (othersVerified && (review.status === 'remediation' || review.status === 'escalated')) {
        events.push({ type: 'ReviewClosedRemediated', data: { applicationId: review.subject.applicationId, closedAt: ctx.now } });
      }
      return events;
    }

    case 'EvidenceOverdue': {
      requireSystem(actor, 'Marking evidence overdue');
      requireStatus(review, ['evidence-requested'], 'mark evidence overdue');
      const dueBy = review.evidenceDueBy as string;
      if (isBefore(ctx.now, dueBy)) throw new DomainError('COMPLIANCE_NOT_YET_DUE', `The evidence is due by ${dueBy}`);
      return [
        { type: 'ReviewEvidenceOverdue', data: { dueBy } },
        { type: 'ReviewEscalated', data: { reason: 'evidence-overdue', findingIds: [], escalatedAt: ctx.now } },
      ];
    }

    case 'FindingOverdue':
      return findingOverdue(command, review, ctx);

    case 'ExtendDeadline':
      return extendDeadline(command, review, ctx);

    case 'DecideSuspend':
      requireDirector(actor, review, 'suspend the accreditation');
      requireStatus(review, ['escalated'], 'decide a suspension');
      return [
        {
          type: 'ReviewSuspensionDecided',
          data: { applicationId: review.subject.applicationId, reasons: command.data.reasons, decidedBy: actor.userId, decidedByName: actor.name },
        },
      ];

    case 'DecideRevoke':
      requireDirector(actor, review, 'revoke the accreditation');
      requireStatus(review, ['escalated', 'suspended'], 'decide a revocation');
      return [
        {
          type: 'ReviewRevocationDecided',
          data: { applicationId: review.subject.applicationId, reasons: command.data.reasons, decidedBy: actor.userId, decidedByName: actor.name },
        },
      ];

    case 'RecommendReinstatement':
      requireRole(actor, ['reviewer'], 'recommend reinstatement');
      requireStatus(review, ['suspended'], 'recommend reinstatement');
      if (review.assessedBy === undefined || !allFindingsVerified(review)) {
        throw new DomainError('REVIEW_REMEDIATION_INCOMPLETE', 'Reinstatement needs an assessment whose every finding is verified');
      }
      return [
        {
          type: 'ReviewReinstatementRecommended',
          data: { applicationId: review.subject.applicationId, reasons: command.data.reasons, recommendedBy: actor.userId, recommendedByName: actor.name },
        },
      ];

    default:
      return assertNever(command, 'review command');
  }
}

function openReview(command: ReviewCommandOf<'OpenReview'>, state: ReviewState, ctx: ComplianceDecideContext): ReviewEvent[] {
  const { actor, data } = command;
  if (!isSystem(actor)) requireRole(actor, ['reviewer'], 'open a compliance review');
  if (state.status !== 'none') throw new DomainError('REVIEW_ALREADY_EXISTS', `Review ${data.reviewId} already exists`, 'reviewId');
  return [{ type: 'ReviewOpened', data: { ...data, openedBy: actor.userId, openedAt: ctx.now } }];
}

function assess(command: ReviewCommandOf<'AssessReview'>, review: ReviewCase, ctx: ComplianceDecideContext): ReviewEvent[] {
  const { actor, data } = command;
  requireRole(actor, ['reviewer'], 'assess a review');
  if (!(review.status === 'evidence-submitted' || (review.status === 'suspended' && review.evidenceSubmittedBy !== undefined && review.assessedBy === undefined))) {
    requireStatus(review, ['evidence-submitted'], 'assess');
  }
  const ids = data.findings.map((f) => f.id);
  if (new Set(ids).size !== ids.length) throw new DomainError('VALIDATION_FAILED', 'Each finding needs its own id', 'findings');
  // SPEC §3.2: a significant change notified late is itself a finding, so its review cannot close clean.
  if (review.trigger === 'significant-change' && data.findings.length === 0) {
    throw new DomainError('REVIEW_LATE_CHANGE_IS_A_FINDING', 'A significant change notified late counts as a finding: record at least one finding', 'findings');
  }
  const findings: AssessedFinding[] = data.findings.map((f) => ({ ...f, deadline: addDays(ctx.now, ctx.policy.remediationDays[f.severity]) }));
  const events: ReviewEvent[] = [
    { type: 'ReviewAssessed', data: { summary: data.summary, findings, assessedBy: actor.userId, assessedByName: actor.name, assessedAt: ctx.now } },
  ];
  if (findings.length === 0 && review.status !== 'suspended') {
    events.push({ type: 'ReviewClosedCompliant', data: { applicationId: review.subject.applicationId, closedAt: ctx.now } });
  }
  return events;
}

function findingOverdue(command: ReviewCommandOf<'FindingOverdue'>, review: ReviewCase, ctx: ComplianceDecideContext): ReviewEvent[] {
  requireSystem(command.actor, 'Marking a finding overdue');
  requireStatus(review, REVIEW_REMEDIATING, 'mark a finding overdue');
  const finding = findingOf(review, command.data.findingId);
  // A retried timer records nothing twice.
  if (finding.overdue) return [];
  // Evidence awaiting verification stops the clock; a rejection restarts it.
  requireFindingStatus(finding, 'open', 'fall overdue');
  if (isBefore(ctx.now, finding.deadline)) {
    throw new DomainError('COMPLIANCE_NOT_YET_DUE', `Finding ${finding.id} is due by ${finding.deadline}`);
  }
  const events: ReviewEvent[] = [
    { type: 'ReviewFindingOverdue', data: { findingId: finding.id, severity: finding.severity, deadline: finding.deadline } },
  ];
  if (review.status === 'remediation') {
    const overdue = [...overdueFindings(review), finding];
    const escalation = escalationFor(overdue, ctx.policy);
    if (escalation !== undefined) events.push({ type: 'ReviewEscalated', data: { ...escalation, escalatedAt: ctx.now } });
  }
  return events;
}

function extendDeadline(command: ReviewCommandOf<'ExtendDeadline'>, review: ReviewCase, ctx: ComplianceDecideContext): ReviewEvent[] {
  const { actor, data } = command;
  requireDirector(actor, review, 'extend a deadline');
  requireStatus(review, ['escalated'], 'extend a deadline');
  let previousDeadline: string;
  let escalationResolved = true;
  if (data.findingId === undefined) {
    if (review.escalation?.reason !== 'evidence-overdue') {
      throw new DomainError('REVIEW_WRONG_STATE', 'Only an evidence escalation has an evidence deadline to extend', 'findingId');
    }
    if (review.evidenceExtended) throw new DomainError('REVIEW_EXTENSION_ALREADY_USED', 'The evidence deadline was already extended once');
    previousDeadline = review.evidenceDueBy as string;
  } else {
    const finding = findingOf(review, data.findingId);
    if (finding.status === 'verified') throw new DomainError('REVIEW_FINDING_WRONG_STATE', `Finding ${finding.id} is already verified`, 'findingId');
    if (finding.extended) throw new DomainError('REVIEW_EXTENSION_ALREADY_USED', `Finding ${finding.id} was already extended once`, 'findingId');
    previousDeadline = finding.deadline;
    escalationResolved = escalationFor(overdueFindings(review).filter((f) => f.id !== finding.id), ctx.policy) === undefined;
  }
  if (!isBefore(ctx.now, data.newDeadline) || !isBefore(previousDeadline, data.newDeadline)) {
    throw new DomainError('REVIEW_INVALID_DEADLINE', `The new deadline must be in the future and after ${previousDeadline}`, 'newDeadline');
  }
  requireWithinExtension(data.newDeadline, previousDeadline, ctx);
  return [
    {
      type: 'ReviewDeadlineExtended',
      data: {
        ...(data.findingId === undefined ? {} : { findingId: data.findingId }),
        previousDeadline,
        newDeadline: data.newDeadline,
        escalationResolved,
        reasons: data.reasons,
        decidedBy: actor.userId,
        decidedByName: actor.name,
      },
    },
  ];
}

/**
 * An extension gives the provider more time, not open-ended time: at most the policy's maximum past the
 * deadline it extends, or past the decision when that deadline is long gone.
 */
function requireWithinExtension(newDeadline: string, previousDeadline: string, ctx: ComplianceDecideContext): void {
  const days = ctx.policy.maxDeadlineExtensionDays;
  if (days === undefined) return;
  const from = isBefore(previousDeadline, ctx.now) ? ctx.now : previousDeadline;
  const latest = addDays(from, days);
  if (isBefore(latest, newDeadline)) {
    throw new DomainError(
      'REVIEW_EXTENSION_TOO_LONG',
      `newDeadline must be no later than ${latest}: an extension reaches at most ${days} days past ${from === ctx.now ? 'the decision' : `the deadline it extends (${previousDeadline})`}`,
      'newDeadline',
    );
  }
}

function overdueFindings(review: ReviewCase): Finding[] {
  return review.findings.filter((f) => f.overdue && f.status !== 'verified');
}

/** SPEC §3.2: one overdue high finding escalates, and so do enough overdue moderate ones. */
export function escalationFor(
  overdue: readonly Pick<Finding, 'id' | 'severity'>[],
  policy: CompliancePolicy,
): { reason: 'high-finding-overdue' | 'moderate-findings-overdue'; findingIds: string[] } | undefined {
  const high = overdue.filter((f) => f.severity === 'high');
  if (high.length > 0) return { reason: 'high-finding-overdue', findingIds: high.map((f) => f.id) };
  const moderate = overdue.filter((f) => f.severity === 'moderate');
  if (moderate.length >= policy.overdueModerateFindingsToEscalate) {
    return { reason: 'moderate-findings-overdue', findingIds: moderate.map((f) => f.id) };
  }
  return undefined;
}

/** A review suspended for overdue evidence can still receive it, so that it can end in reinstatement. */
function owesEvidenceWhileSuspended(review: ReviewCase): boolean {
  return review.status === 'suspended' && review.evidenceDueBy !== undefined && review.evidenceSubmittedBy === undefined;
}

function requireDirector(actor: Actor, review: ReviewCase, what: string): void {
  requireRole(actor, ['director'], what);
  requireNotInvolved(actor, [review.openedBy, review.evidenceSubmittedBy, review.assessedBy], what);
}

function requireStatus(review: ReviewCase, allowed: readonly ReviewStatus[], what: string): void {
  if (allowed.includes(review.status)) return;
  throw new DomainError('REVIEW_WRONG_STATE', `Review ${review.subject.reviewId} is ${review.status}; to ${what} it must be ${allowed.join(' or ')}`);
}

function findingOf(review: ReviewCase, findingId: string): Finding {
  const finding = review.findings.find((f) => f.id === findingId);
  if (finding === undefined) throw new DomainError('REVIEW_FINDING_NOT_FOUND', `Review ${review.subject.reviewId} has no finding ${findingId}`, 'findingId');
  return finding;
}

function requireFindingStatus(finding: Finding, status: Finding['status'], what: string): void {
  if (finding.status !== status) {
    throw new DomainError('REVIEW_FINDING_WRONG_STATE', `Finding ${finding.id} is ${finding.status}; it must be ${status} to ${what}`, 'findingId');
  }
}
