import type { Actor } from '../../domain/shared/actor';
import { addDays, addMonths } from '../../domain/shared/time';
import type { Baseline, DataClass } from '../../domain/shared/vocabulary';
import type { Offering } from '../../domain/csp/events';
import type { AccreditationCommand, AccreditationCommandOf } from '../../domain/accreditation/commands';
import { decideAccreditation, type AccreditationDecideContext } from '../../domain/accreditation/decide';
import {
  AccreditationEventSchemas,
  type AccreditationApplication,
  type AccreditationEvent,
  type AccreditationEventOf,
  type Evidence,
  type ScoreSummary,
} from '../../domain/accreditation/events';
import { foldAccreditation } from '../../domain/accreditation/evolve';
import { DEFAULT_ACCREDITATION_POLICY, type AccreditationPolicy } from '../../domain/accreditation/policy';
import type { AccreditationState } from '../../domain/accreditation/state';
import type { BenchmarkFramework } from '../../domain/framework/schema';
import { deciderSpec } from './given-when-then';
import { GOV_CLOUD, cspActors } from './csp-fixtures';
import { FRAMEWORK_1_0, scoresAtMinimum } from './framework-fixtures';

/** One application's life on one calendar. */
export const T = {
  submitted: '2025-01-06T09:00:00.000Z',
  screeningStarted: '2025-01-08T09:00:00.000Z',
  informationRequested: '2025-01-10T09:00:00.000Z',
  /** informationRequested + the default 30 days. */
  informationDue: '2025-02-09T09:00:00.000Z',
  scored: '2025-01-20T09:00:00.000Z',
  decision: '2025-02-03T10:00:00.000Z',
  /** decision + the default 3 years. */
  validUntil: '2028-02-03T10:00:00.000Z',
  inForce: '2026-06-01T00:00:00.000Z',
} as const;

export const RENEWAL_OPENS = addDays(T.validUntil, -DEFAULT_ACCREDITATION_POLICY.renewalWindowDays);

export function at(
  now: string,
  extra: { framework?: BenchmarkFramework; lastRejectedAt?: string; policy?: AccreditationPolicy } = {},
): AccreditationDecideContext {
  return {
    now,
    policy: extra.policy ?? DEFAULT_ACCREDITATION_POLICY,
    framework: extra.framework ?? FRAMEWORK_1_0,
    ...(extra.lastRejectedAt === undefined ? {} : { lastRejectedAt: extra.lastRejectedAt }),
  };
}

/** The same person under another role: four-eyes checks compare people, not roles. */
export const as = (actor: Actor, userId: string): Actor => ({ ...actor, userId, name: `Person ${userId}` });

export const who = cspActors;

export const EVIDENCE: Evidence[] = [
  { kind: 'iso-27001', reference: 'ISO/IEC 27001 certificate IS 712345', issuedAt: '2024-03-01T00:00:00.000Z', expiresAt: '2027-03-01T00:00:00.000Z' },
  { kind: 'audit-report', reference: 'Independent audit report, Q4 2024' },
];

export function application(extra: Partial<AccreditationApplication> = {}, offering: Offering = GOV_CLOUD): AccreditationApplication {
  return {
    applicationId: 'ACC-1',
    cspId: 'csp-nimbus',
    offering,
    requestedBaseline: 'enhanced',
    evidence: EVIDENCE,
    frameworkVersion: '1.0',
    ...extra,
  };
}

export const ENHANCED_SCORES = scoresAtMinimum(FRAMEWORK_1_0, 'enhanced');
export const ENHANCED_SUMMARY: ScoreSummary = { total: 66.29, complete: true, highestBaselineMet: 'enhanced' };
/** The security group alone, at the enhanced minima (4, 4, 4, 4, 3 of 5, weights 3, 3, 2, 2, 2). */
export const SECURITY_SCORES = { 'SEC-01': 4, 'SEC-02': 4, 'SEC-03': 4, 'SEC-04': 4, 'SEC-05': 3 };

export const ev = {
  submitted: (app: AccreditationApplication = application(), by: Actor = who.csp): AccreditationEventOf<'AccreditationSubmitted'> => ({
    type: 'AccreditationSubmitted',
    data: { ...app, submittedBy: by.userId, submittedAt: T.submitted, policyVersion: DEFAULT_ACCREDITATION_POLICY.version },
  }),
  screeningStarted: (by: Actor = who.reviewer): AccreditationEventOf<'AccreditationScreeningStarted'> => ({
    type: 'AccreditationScreeningStarted',
    data: { reviewerId: by.userId, reviewerName: by.name },
  }),
  informationRequested: (by: Actor = who.reviewer): AccreditationEventOf<'AccreditationInformationRequested'> => ({
    type: 'AccreditationInformationRequested',
    data: { questions: 'Send the SOC 2 report', dueBy: T.informationDue, requestedBy: by.userId },
  }),
  informationProvided: (evidence: Evidence[] = [], by: Actor = who.csp): AccreditationEventOf<'AccreditationInformationProvided'> => ({
    type: 'AccreditationInformationProvided',
    data: { answer: 'Attached.', evidence, providedBy: by.userId },
  }),
  screeningCompleted: (by: Actor = who.reviewer): AccreditationEventOf<'AccreditationScreeningCompleted'> => ({
    type: 'AccreditationScreeningCompleted',
    data: { notes: 'Evidence complete', completedBy: by.userId },
  }),
  scored: (
    scores: Record<string, number> = ENHANCED_SCORES,
    summary: ScoreSummary = ENHANCED_SUMMARY,
    by: Actor = who.reviewer,
  ): AccreditationEventOf<'AccreditationCriteriaScored'> => ({
    type: 'AccreditationCriteriaScored',
    data: { scores, rationale: 'Per the evidence', scoredBy: by.userId, scoredByName: by.name, frameworkVersion: '1.0', summary },
  }),
  securityReviewed: (outcome: 'passed' | 'failed' = 'passed', by: Actor = who.securityReviewer): AccreditationEventOf<'AccreditationSecurityReviewRecorded'> => ({
    type: 'AccreditationSecurityReviewRecorded',
    data: { outcome, notes: 'Reviewed the controls', reviewedBy: by.userId, reviewedByName: by.name },
  }),
  granted: (
    grant: { baseline?: Baseline; highestDataClass?: DataClass; validUntil?: string } = {},
    by: Actor = who.director,
  ): AccreditationEventOf<'AccreditationGranted'> => ({
    type: 'AccreditationGranted',
    data: {
      baseline: grant.baseline ?? 'enhanced',
      highestDataClass: grant.highestDataClass ?? 'confidential',
      conditions: ['Monthly monitoring reports'],
      reasons: 'Meets the enhanced baseline',
      validFrom: T.decision,
      validUntil: grant.validUntil ?? T.validUntil,
      frameworkVersion: '1.0',
      summary: ENHANCED_SUMMARY,
      decidedBy: by.userId,
      decidedByName: by.name,
    },
  }),
  rejected: (by: Actor = who.director): AccreditationEventOf<'AccreditationRejected'> => ({
    type: 'AccreditationRejected',
    data: { reasons: 'Insufficient controls', reapplyAfter: addDays(T.decision, 90), frameworkVersion: '1.0', decidedBy: by.userId, decidedByName: by.name },
  }),
  lapsed: (): AccreditationEventOf<'AccreditationLapsed'> => ({
    type: 'AccreditationLapsed',
    data: { reason: 'The requested information was not provided in time', dueBy: T.informationDue },
  }),
  renewalWindowOpened: (opensAt: string = RENEWAL_OPENS): AccreditationEventOf<'AccreditationRenewalWindowOpened'> => ({
    type: 'AccreditationRenewalWindowOpened',
    data: { validUntil: T.validUntil, opensAt },
  }),
  renewed: (by: Actor = who.director): AccreditationEventOf<'AccreditationRenewed'> => ({
    type: 'AccreditationRenewed',
    data: { previousValidUntil: T.validUntil, validUntil: addMonths(T.validUntil, 36), reasons: 'Continued compliance', renewedBy: by.userId },
  }),
  /** With the default migration period of 180 days from the end date. */
  expired: (): AccreditationEventOf<'AccreditationExpired'> => ({
    type: 'AccreditationExpired',
    data: { validUntil: T.validUntil, transitionUntil: addDays(T.validUntil, 180) },
  }),
  suspended: (by: Actor = who.director): AccreditationEventOf<'AccreditationSuspended'> => ({
    type: 'AccreditationSuspended',
    data: { reasons: 'Missed monitoring reports', suspendedBy: by.userId },
  }),
  reinstated: (by: Actor = who.director): AccreditationEventOf<'AccreditationReinstated'> => ({
    type: 'AccreditationReinstated',
    data: { reasons: 'Reports delivered', reinstatedBy: by.userId },
  }),
  revoked: (by: Actor = who.director): AccreditationEventOf<'AccreditationRevoked'> => ({
    type: 'AccreditationRevoked',
    data: { reasons: 'Data found outside Pakistan', transitionUntil: addDays(T.inForce, 180), revokedBy: by.userId },
  }),
  withdrawn: (previousStatus: string, by: Actor = who.csp): AccreditationEventOf<'AccreditationWithdrawn'> => ({
    type: 'AccreditationWithdrawn',
    data: { reason: 'Offering discontinued', withdrawnBy: by.userId, previousStatus },
  }),
};

const submitted: AccreditationEvent[] = [ev.submitted()];
const screening = [...submitted, ev.screeningStarted()];
const awaitingApplicant = [...screening, ev.informationRequested()];
const assessment = [...screening, ev.screeningCompleted()];
const scored = [...assessment, ev.scored()];
const decision = [...scored, ev.securityReviewed()];
const accredited = [...decision, ev.granted()];
const suspended = [...accredited, ev.suspended()];

/** The histories that bring application ACC-1 to each of its statuses (and a few in-between points). */
export const h = {
  submitted,
  screening,
  'awaiting-applicant': awaitingApplicant,
  assessment,
  /** Assessment with every criterion scored, no security review yet. */
  scored,
  /** Assessment with a passed security review, no scores yet. */
  securityOnly: [...assessment, ev.securityReviewed()],
  decision,
  /** Decision pending, but the security review failed. */
  securityFailed: [...scored, ev.securityReviewed('failed')],
  accredited,
  renewalOpen: [...accredited, ev.renewalWindowOpened()],
  rejected: [...decision, ev.rejected()],
  lapsed: [...awaitingApplicant, ev.lapsed()],
  suspended,
  revoked: [...accredited, ev.revoked()],
  withdrawn: [...submitted, ev.withdrawn('submitted')],
  expired: [...accredited, ev.expired()],
} satisfies Record<string, AccreditationEvent[]>;

export const cmd = {
  submit: (actor: Actor = who.csp, app: AccreditationApplication = application()): AccreditationCommandOf<'Submit'> => ({ type: 'Submit', actor, data: app }),
  startScreening: (actor: Actor = who.reviewer): AccreditationCommandOf<'StartScreening'> => ({ type: 'StartScreening', actor, data: {} }),
  requestInformation: (actor: Actor = who.reviewer): AccreditationCommandOf<'RequestInformation'> => ({
    type: 'RequestInformation',
    actor,
    data: { questions: 'Send the SOC 2 report' },
  }),
  provideInformation: (actor: Actor = who.csp, evidence: Evidence[] = []): AccreditationCommandOf<'ProvideInformation'> => ({
    type: 'ProvideInformation',
    actor,
    data: { answer: 'Attached.', evidence },
  }),
  completeScreening: (actor: Actor = who.reviewer): AccreditationCommandOf<'CompleteScreening'> => ({
    type: 'CompleteScreening',
    actor,
    data: { notes: 'Evidence complete' },
  }),
  score: (actor: Actor = who.reviewer, scores: Record<string, number> = ENHANCED_SCORES): AccreditationCommandOf<'ScoreCriteria'> => ({
    type: 'ScoreCriteria',
    actor,
    data: { scores, rationale: 'Per the evidence' },
  }),
  securityReview: (actor: Actor = who.securityReviewer, outcome: 'passed' | 'failed' = 'passed'): AccreditationCommandOf<'RecordSecurityReview'> => ({
    type: 'RecordSecurityReview',
    actor,
    data: { outcome, notes: 'Reviewed the controls' },
  }),
  approve: (
    actor: Actor = who.director,
    grant: { baseline?: Baseline; highestDataClass?: DataClass; validUntil?: string } = {},
  ): AccreditationCommandOf<'Decide'> => ({
    type: 'Decide',
    actor,
    data: {
      decision: 'approve',
      baseline: grant.baseline ?? 'enhanced',
      highestDataClass: grant.highestDataClass ?? 'confidential',
      conditions: ['Monthly monitoring reports'],
      reasons: 'Meets the enhanced baseline',
      ...(grant.validUntil === undefined ? {} : { validUntil: grant.validUntil }),
    },
  }),
  reject: (actor: Actor = who.director): AccreditationCommandOf<'Decide'> => ({
    type: 'Decide',
    actor,
    data: { decision: 'reject', reasons: 'Insufficient controls' },
  }),
  renew: (actor: Actor = who.director): AccreditationCommandOf<'Renew'> => ({ type: 'Renew', actor, data: { reasons: 'Continued compliance' } }),
  suspend: (actor: Actor = who.director): AccreditationCommandOf<'Suspend'> => ({ type: 'Suspend', actor, data: { reasons: 'Missed monitoring reports' } }),
  reinstate: (actor: Actor = who.director): AccreditationCommandOf<'Reinstate'> => ({ type: 'Reinstate', actor, data: { reasons: 'Reports delivered' } }),
  revoke: (actor: Actor = who.director, transitionDays?: number): AccreditationCommandOf<'Revoke'> => ({
    type: 'Revoke',
    actor,
    data: { reasons: 'Data found outside Pakistan', ...(transitionDays === undefined ? {} : { transitionDays }) },
  }),
  withdraw: (actor: Actor = who.csp): AccreditationCommandOf<'Withdraw'> => ({ type: 'Withdraw', actor, data: { reason: 'Offering discontinued' } }),
  lapse: (actor: Actor = who.system): AccreditationCommandOf<'Lapse'> => ({ type: 'Lapse', actor, data: {} }),
  openRenewalWindow: (actor: Actor = who.system): AccreditationCommandOf<'OpenRenewalWindow'> => ({ type: 'OpenRenewalWindow', actor, data: {} }),
  expire: (actor: Actor = who.system): AccreditationCommandOf<'Expire'> => ({ type: 'Expire', actor, data: {} }),
};

export function validateAccreditationEvent(event: AccreditationEvent): void {
  expect(AccreditationEventSchemas[event.type].parse(event.data)).toEqual(event.data);
}

export const given = deciderSpec<AccreditationState, AccreditationCommand, AccreditationEvent, AccreditationDecideContext>({
  decide: decideAccreditation,
  fold: foldAccreditation,
  validate: validateAccreditationEvent,
});
