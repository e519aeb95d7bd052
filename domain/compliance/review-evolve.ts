import { assertNever } from '../shared/errors';
import type { ReviewEvent } from './review-events';
import { initialReviewState, type Finding, type ReviewCase, type ReviewState } from './review-state';

/** Pure: the review's state after one event. */
export function evolveReview(state: ReviewState, event: ReviewEvent): ReviewState {
  if (event.type === 'ReviewOpened') {
    const { trigger, description: _description, openedBy, openedAt, ...subject } = event.data;
    return { status: 'opened', subject, trigger, openedBy, openedAt, evidenceExtended: false, findings: [], decidedBy: [] };
  }
  if (state.status === 'none') return state;
  const review: ReviewCase = state;
  const updateFinding = (id: string, change: Partial<Finding>): Finding[] =>
    review.findings.map((f) => (f.id === id ? { ...f, ...change } : f));

  switch (event.type) {
    case 'ReviewEvidenceRequested':
      return { ...review, status: 'evidence-requested', evidenceDueBy: event.data.dueBy };
    case 'ReviewEvidenceSubmitted':
      return { ...review, status: review.status === 'suspended' ? 'suspended' : 'evidence-submitted', evidenceSubmittedBy: event.data.submittedBy };
    case 'ReviewEvidenceOverdue':
      return review;
    case 'ReviewAssessed':
      return {
        ...review,
        // A review suspended before its assessment stays suspended until reinstatement is recommended.
        status: review.status === 'suspended' ? 'suspended' : 'remediation',
        assessedBy: event.data.assessedBy,
        findings: event.data.findings.map((f) => ({ ...f, status: 'open', overdue: false, extended: false })),
      };
    case 'ReviewClosedCompliant':
      return { ...review, status: 'closed-compliant' };
    case 'ReviewRemediationSubmitted':
      return { ...review, findings: updateFinding(event.data.findingId, { status: 'evidence-submitted' }) };
    case 'ReviewFindingVerified':
      return { ...review, findings: updateFinding(event.data.findingId, { status: 'verified' }) };
    case 'ReviewFindingRejected':
      return { ...review, findings: updateFinding(event.data.findingId, { status: 'open' }) };
    case 'ReviewFindingOverdue':
      return { ...review, findings: updateFinding(event.data.findingId, { overdue: true }) };
    case 'ReviewEscalated':
      return {
        ...review,
        status: 'escalated',
        escalation: { reason: event.data.reason, findingIds: event.data.findingIds, at: event.data.escalatedAt },
      };
    case 'ReviewClosedRemediated':
      return { ...review, status: 'closed-remediated', escalation: undefined };
    case 'ReviewDeadlineExtended': {
      const { findingId, newDeadline, escalationResolved, decidedBy } = event.data;
      const decided = { decidedBy: [...review.decidedBy, decidedBy] };
      if (findingId === undefined) {
        return { ...review, ...decided, status: 'evidence-requested', evidenceDueBy: newDeadline, evidenceExtended: true, escalation: undefined };
      }
      const findings = updateFinding(findingId, { deadline: newDeadline, overdue: false, extended: true });
      return escalationResolved
        ? { ...review, ...decided, findings, status: 'remediation', escalation: undefined }
        : { ...review, ...decided, findings };
    }
    case 'ReviewSuspensionDecided':
      return { ...review, status: 'suspended', decidedBy: [...review.decidedBy, event.data.decidedBy] };
    case 'ReviewRevocationDecided':
      return { ...review, status: 'revoked', decidedBy: [...review.decidedBy, event.data.decidedBy] };
    case 'ReviewReinstatementRecommended':
      return { ...review, status: 'reinstatement-recommended' };
    default:
      return assertNever(event, 'review event');
  }
}

export function foldReview(events: readonly ReviewEvent[], from: ReviewState = initialReviewState): ReviewState {
  return events.reduce(evolveReview, from);
}
