import { SYSTEM_ACTOR, type Actor } from '../../domain/shared/actor';
import type { Jurisdiction } from '../../domain/shared/vocabulary';
import type { DecideContext } from '../../domain/noc/decide';
import type { NocCommandOf } from '../../domain/noc/commands';
import type { NocEvent, NocEventOf, NocRequest } from '../../domain/noc/events';
import { DEFAULT_NOC_POLICY, type NocPolicy } from '../../domain/noc/policy';

/** A NOC's life on one calendar, so every instant in a test reads as "before/after" something. */
export const T = {
  requested: '2025-01-06T09:00:00.000Z',
  reviewStarted: '2025-01-08T09:00:00.000Z',
  informationRequested: '2025-01-10T09:00:00.000Z',
  /** informationRequested + the default 30 response days. */
  informationDue: '2025-02-09T09:00:00.000Z',
  decision: '2025-01-20T10:00:00.000Z',
  validFrom: '2025-02-01T00:00:00.000Z',
  inForce: '2025-05-01T12:00:00.000Z',
  validUntil: '2025-08-01T00:00:00.000Z',
} as const;

export function at(now: string, policy: NocPolicy = DEFAULT_NOC_POLICY): DecideContext {
  return { now, policy };
}

const person = (userId: string, role: Actor['role'], jurisdiction: Jurisdiction, organisationId?: string): Actor => ({
  userId,
  name: `Person ${userId}`,
  role,
  jurisdiction,
  ...(organisationId === undefined ? {} : { organisationId }),
});

export const actors = {
  pse: person('u-pse', 'pse', 'federal', 'pse-moitt'),
  /** Another officer of the same entity. */
  pseColleague: person('u-pse-2', 'pse', 'federal', 'pse-moitt'),
  otherPse: person('u-other-pse', 'pse', 'federal', 'pse-other'),
  punjabPse: person('u-pb-pse', 'pse', 'punjab', 'pse-pb-lands'),
  reviewer: person('u-rev', 'reviewer', 'federal'),
  reviewer2: person('u-rev-2', 'reviewer', 'federal'),
  securityReviewer: person('u-sec', 'security-reviewer', 'federal'),
  director: person('u-dir', 'director', 'federal'),
  auditor: person('u-aud', 'auditor', 'federal'),
  admin: person('u-admin', 'admin', 'federal'),
  csp: person('u-csp', 'csp', 'federal', 'csp-nimbus'),
  punjabOfficer: person('u-pb-1', 'provincial-officer', 'punjab'),
  punjabOfficer2: person('u-pb-2', 'provincial-officer', 'punjab'),
  sindhOfficer: person('u-sd-1', 'provincial-officer', 'sindh'),
  system: SYSTEM_ACTOR,
} as const;

export const FEDERAL_REQUEST: NocRequest = {
  nocId: 'NOC-FED-1',
  pseId: 'pse-moitt',
  jurisdiction: 'federal',
  deviation: 'on-premises-hosting',
  description: 'Keep the payroll system on premises during the migration',
  justification: 'The accredited offering cannot host it before the next fiscal year',
  dataClass: 'restricted',
  systems: ['payroll'],
  requestedMonths: 6,
};

export const PUNJAB_REQUEST: NocRequest = {
  nocId: 'NOC-PB-1',
  pseId: 'pse-pb-lands',
  jurisdiction: 'punjab',
  deviation: 'non-accredited-offering',
  description: 'Use a non-accredited GIS service for land records',
  justification: 'No accredited offering provides the cadastral tooling',
  dataClass: 'public',
  systems: ['land-records', 'gis'],
  offeringId: 'off-gis-1',
  requestedMonths: 6,
};

/** Event builders: each takes only what a test varies. */
export const ev = {
  requested: (request: NocRequest = FEDERAL_REQUEST, by: Actor = actors.pse): NocEventOf<'NocRequested'> => ({
    type: 'NocRequested',
    data: { ...request, requestedBy: by.userId, requestedAt: T.requested },
  }),
  reviewStarted: (by: Actor = actors.reviewer): NocEventOf<'NocReviewStarted'> => ({
    type: 'NocReviewStarted',
    data: { reviewerId: by.userId, reviewerName: by.name },
  }),
  informationRequested: (by: Actor = actors.reviewer, dueBy: string = T.informationDue): NocEventOf<'NocInformationRequested'> => ({
    type: 'NocInformationRequested',
    data: { questions: 'Which systems hold restricted data?', dueBy, requestedBy: by.userId },
  }),
  informationProvided: (by: Actor = actors.pse): NocEventOf<'NocInformationProvided'> => ({
    type: 'NocInformationProvided',
    data: { answer: 'Only payroll.', providedBy: by.userId },
  }),
  lapsed: (dueBy: string = T.informationDue): NocEventOf<'NocLapsed'> => ({
    type: 'NocLapsed',
    data: { reason: 'The requested information was not provided in time', dueBy },
  }),
  recommended: (
    by: Actor = actors.reviewer,
    recommendation: 'approve' | 'reject' = 'approve',
    conditions: string[] = ['Encrypt backups'],
  ): NocEventOf<'NocRecommended'> => ({
    type: 'NocRecommended',
    data: { recommendation, reasons: 'Justified and bounded', conditions, recommendedBy: by.userId, recommendedByName: by.name },
  }),
  approved: (by: Actor = actors.director, validFrom: string = T.validFrom, validUntil: string = T.validUntil): NocEventOf<'NocApproved'> => ({
    type: 'NocApproved',
    data: { validFrom, validUntil, conditions: ['Encrypt backups'], reasons: 'Approved as recommended', decidedBy: by.userId, decidedByName: by.name },
  }),
  rejected: (by: Actor = actors.director): NocEventOf<'NocRejected'> => ({
    type: 'NocRejected',
    data: { reasons: 'An accredited offering exists', decidedBy: by.userId, decidedByName: by.name },
  }),
  reminderDue: (daysBefore: number, validUntil: string = T.validUntil, pseId = FEDERAL_REQUEST.pseId): NocEventOf<'NocExpiryReminderDue'> => ({
    type: 'NocExpiryReminderDue',
    data: { daysBefore, validUntil, pseId },
  }),
  extensionRequested: (months = 3, by: Actor = actors.pse): NocEventOf<'NocExtensionRequested'> => ({
    type: 'NocExtensionRequested',
    data: { months, justification: 'The migration slipped by a quarter', requestedBy: by.userId },
  }),
  extensionApproved: (validUntil: string, previousValidUntil: string = T.validUntil, by: Actor = actors.director): NocEventOf<'NocExtensionApproved'> => ({
    type: 'NocExtensionApproved',
    data: { previousValidUntil, validUntil, reasons: 'Reasonable delay', decidedBy: by.userId },
  }),
  extensionRejected: (by: Actor = actors.director): NocEventOf<'NocExtensionRejected'> => ({
    type: 'NocExtensionRejected',
    data: { reasons: 'Migrate on time', decidedBy: by.userId },
  }),
  expired: (validUntil: string = T.validUntil): NocEventOf<'NocExpired'> => ({ type: 'NocExpired', data: { validUntil } }),
  revoked: (by: Actor = actors.director): NocEventOf<'NocRevoked'> => ({
    type: 'NocRevoked',
    data: { reasons: 'Conditions breached', revokedBy: by.userId },
  }),
  withdrawn: (previousStatus: string, by: Actor = actors.pse): NocEventOf<'NocWithdrawn'> => ({
    type: 'NocWithdrawn',
    data: { reason: 'No longer needed', withdrawnBy: by.userId, previousStatus },
  }),
};

/** The histories that bring one NOC to each of its statuses, for one jurisdiction's cast. */
function historiesFor(request: NocRequest, applicant: Actor, reviewer: Actor, decider: Actor) {
  const requested: NocEvent[] = [ev.requested(request, applicant)];
  const underReview = [...requested, ev.reviewStarted(reviewer)];
  const awaitingPse = [...underReview, ev.informationRequested(reviewer)];
  const awaitingDecision = [...underReview, ev.recommended(reviewer)];
  const active = [...awaitingDecision, ev.approved(decider)];
  const extensionRequested = [...active, ev.extensionRequested(3, applicant)];
  return {
    requested,
    'under-review': underReview,
    'awaiting-pse': awaitingPse,
    'awaiting-decision': awaitingDecision,
    active,
    'extension-requested': extensionRequested,
    rejected: [...awaitingDecision, ev.rejected(decider)],
    lapsed: [...awaitingPse, ev.lapsed()],
    expired: [...active, ev.expired()],
    revoked: [...active, ev.revoked(decider)],
    withdrawn: [...requested, ev.withdrawn('requested', applicant)],
  } satisfies Record<string, NocEvent[]>;
}

export const federal = historiesFor(FEDERAL_REQUEST, actors.pse, actors.reviewer, actors.director);
export const punjab = historiesFor(PUNJAB_REQUEST, actors.punjabPse, actors.punjabOfficer, actors.punjabOfficer2);

/** Command builders with sensible payloads; the actor always comes first because it is what tests vary most. */
export const cmd = {
  requestNoc: (actor: Actor, data: NocRequest = FEDERAL_REQUEST): NocCommandOf<'RequestNoc'> => ({ type: 'RequestNoc', actor, data }),
  startReview: (actor: Actor): NocCommandOf<'StartReview'> => ({ type: 'StartReview', actor, data: {} }),
  requestInformation: (actor: Actor): NocCommandOf<'RequestInformation'> => ({
    type: 'RequestInformation',
    actor,
    data: { questions: 'Which systems hold restricted data?' },
  }),
  provideInformation: (actor: Actor): NocCommandOf<'ProvideInformation'> => ({
    type: 'ProvideInformation',
    actor,
    data: { answer: 'Only payroll.' },
  }),
  recommend: (actor: Actor, recommendation: 'approve' | 'reject' = 'approve', conditions: string[] = ['Encrypt backups']): NocCommandOf<'Recommend'> => ({
    type: 'Recommend',
    actor,
    data: { recommendation, reasons: 'Justified and bounded', conditions },
  }),
  decide: (
    actor: Actor,
    decision: 'approve' | 'reject' = 'approve',
    extra: { conditions?: string[]; validFrom?: string; validUntil?: string } = {},
  ): NocCommandOf<'Decide'> => ({ type: 'Decide', actor, data: { decision, reasons: 'Decided on the file', ...extra } }),
  requestExtension: (actor: Actor, months = 3): NocCommandOf<'RequestExtension'> => ({
    type: 'RequestExtension',
    actor,
    data: { months, justification: 'The migration slipped by a quarter' },
  }),
  decideExtension: (actor: Actor, decision: 'approve' | 'reject' = 'approve'): NocCommandOf<'DecideExtension'> => ({
    type: 'DecideExtension',
    actor,
    data: { decision, reasons: 'On the file' },
  }),
  revoke: (actor: Actor): NocCommandOf<'Revoke'> => ({ type: 'Revoke', actor, data: { reasons: 'Conditions breached' } }),
  withdraw: (actor: Actor): NocCommandOf<'Withdraw'> => ({ type: 'Withdraw', actor, data: { reason: 'No longer needed' } }),
  lapse: (actor: Actor = actors.system): NocCommandOf<'Lapse'> => ({ type: 'Lapse', actor, data: {} }),
  remind: (daysBefore: number, actor: Actor = actors.system): NocCommandOf<'RecordExpiryReminder'> => ({
    type: 'RecordExpiryReminder',
    actor,
    data: { daysBefore },
  }),
  expire: (actor: Actor = actors.system): NocCommandOf<'Expire'> => ({ type: 'Expire', actor, data: {} }),
};
