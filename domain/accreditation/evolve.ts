import { assertNever } from '../shared/errors';
import type { AccreditationEvent } from './events';
import type { AccreditationCase, AccreditationState } from './state';

/** Assessment is over once every criterion is scored and a security review is on file. */
function afterAssessmentStep(c: AccreditationCase): AccreditationCase {
  const ready = c.scoreSummary?.complete === true && c.securityReview !== undefined;
  return { ...c, status: ready ? 'decision' : 'assessment' };
}

const withReviewer = (reviewers: string[], userId: string): string[] =>
  reviewers.includes(userId) ? reviewers : [...reviewers, userId];

const migrationUntil = (transitionUntil: string | undefined): { transitionUntil?: string } =>
  transitionUntil === undefined ? {} : { transitionUntil };

/** Pure: the application's state after one event. */
export function evolveAccreditation(state: AccreditationState, event: AccreditationEvent): AccreditationState {
  if (event.type === 'AccreditationSubmitted') {
    const { submittedBy, submittedAt, policyVersion, ...application } = event.data;
    return {
      status: 'submitted',
      application,
      submittedBy,
      submittedAt,
      policyVersion,
      evidence: application.evidence,
      technicalReviewers: [],
      scores: {},
      renewalWindowOpen: false,
    };
  }
  if (state.status === 'none') return state;
  const c: AccreditationCase = state;
  switch (event.type) {
    case 'AccreditationScreeningStarted':
      return {
        ...c,
        status: 'screening',
        screeningReviewerId: event.data.reviewerId,
        technicalReviewers: withReviewer(c.technicalReviewers, event.data.reviewerId),
      };
    case 'AccreditationInformationRequested':
      return { ...c, status: 'awaiting-applicant', informationDueBy: event.data.dueBy };
    case 'AccreditationInformationProvided':
      return { ...c, status: 'screening', informationDueBy: undefined, evidence: [...c.evidence, ...event.data.evidence] };
    case 'AccreditationLapsed':
      return { ...c, status: 'lapsed', informationDueBy: undefined };
    case 'AccreditationScreeningCompleted':
      return { ...c, status: 'assessment' };
    case 'AccreditationCriteriaScored':
      return afterAssessmentStep({
        ...c,
        scores: { ...c.scores, ...event.data.scores },
        scoreSummary: event.data.summary,
        technicalReviewers: withReviewer(c.technicalReviewers, event.data.scoredBy),
      });
    case 'AccreditationSecurityReviewRecorded':
      return afterAssessmentStep({
        ...c,
        securityReview: { outcome: event.data.outcome, notes: event.data.notes, by: event.data.reviewedBy },
      });
    case 'AccreditationGranted':
      return {
        ...c,
        status: 'accredited',
        decidedBy: event.data.decidedBy,
        grant: {
          baseline: event.data.baseline,
          highestDataClass: event.data.highestDataClass,
          conditions: event.data.conditions,
          validFrom: event.data.validFrom,
          validUntil: event.data.validUntil,
        },
      };
    case 'AccreditationRejected':
      return { ...c, status: 'rejected', decidedBy: event.data.decidedBy, reapplyAfter: event.data.reapplyAfter };
    case 'AccreditationRenewalWindowOpened':
      return { ...c, renewalWindowOpen: true };
    case 'AccreditationRenewed':
      return c.grant === undefined
        ? c
        : { ...c, renewalWindowOpen: false, grant: { ...c.grant, validUntil: event.data.validUntil } };
    case 'AccreditationExpired':
      return { ...c, status: 'expired', renewalWindowOpen: false, ...migrationUntil(event.data.transitionUntil) };
    case 'AccreditationSuspended':
      return { ...c, status: 'suspended' };
    case 'AccreditationReinstated':
      return { ...c, status: 'accredited' };
    case 'AccreditationRevoked':
      return { ...c, status: 'revoked', renewalWindowOpen: false, transitionUntil: event.data.transitionUntil };
    case 'AccreditationWithdrawn':
      return { ...c, status: 'withdrawn', renewalWindowOpen: false, informationDueBy: undefined, ...migrationUntil(event.data.transitionUntil) };
    default:
      return assertNever(event, 'accreditation event');
  }
}

export function foldAccreditation(
  events: readonly AccreditationEvent[],
  from: AccreditationState = { status: 'none' },
): AccreditationState {
  return events.reduce(evolveAccreditation, from);
}
