import { DomainError, assertNever } from '../shared/errors';
import { addDays, addMonths, isAtOrAfter, isBefore } from '../shared/time';
import { BASELINES } from '../shared/vocabulary';
import { allCriteria, type BenchmarkFramework } from '../framework/schema';
import { scoreApplication, type ApplicationScore } from '../framework/scoring';
import type { AccreditationCommand, AccreditationCommandOf } from './commands';
import type { AccreditationEvent, ScoreSummary } from './events';
import { endTransitionDaysOf, type AccreditationPolicy } from './policy';
import {
  checkCoolingOff,
  dataClassRefusal,
  requireApplicant,
  requireNotSecurityReviewer,
  requireNotSubmitter,
  requireNotTechnicalReviewer,
  requireRole,
  requireStatus,
  requireSystem,
} from './rules';
import { ACCREDITATION_HELD, ACCREDITATION_PENDING, type AccreditationCase, type AccreditationState } from './state';

export interface AccreditationDecideContext {
  /** The instant the command is handled at (workflow time), ISO. */
  now: string;
  policy: AccreditationPolicy;
  /** The framework version pinned on the application (on Submit: the version it names). */
  framework: BenchmarkFramework;
  /** On Submit: when the same offering's latest application was rejected, if ever. */
  lastRejectedAt?: string;
}

const ASSESSING = ['assessment', 'decision'] as const;

/** Pure: given the application's state and a command, the events that happen, or a DomainError thrown. */
export function decideAccreditation(
  command: AccreditationCommand,
  state: AccreditationState,
  ctx: AccreditationDecideContext,
): AccreditationEvent[] {
  if (command.type === 'Submit') return submit(command, state, ctx);
  if (state.status === 'none') {
    throw new DomainError('ACCREDITATION_NOT_SUBMITTED', 'No such accreditation application has been submitted');
  }
  const c = state;
  const { actor } = command;

  switch (command.type) {
    case 'StartScreening':
      requireRole(actor, 'reviewer', 'screen an application');
      requireStatus(c, ['submitted'], 'start screening');
      requireNotSubmitter(actor, c);
      return [{ type: 'AccreditationScreeningStarted', data: { reviewerId: actor.userId, reviewerName: actor.name } }];

    case 'RequestInformation':
      requireRole(actor, 'reviewer', 'request information');
      requireStatus(c, ['screening'], 'request information');
      requireNotSubmitter(actor, c);
      return [
        {
          type: 'AccreditationInformationRequested',
          data: {
            questions: command.data.questions,
            dueBy: addDays(ctx.now, ctx.policy.informationResponseDays),
            requestedBy: actor.userId,
          },
        },
      ];

    case 'ProvideInformation':
      requireApplicant(actor, c);
      requireStatus(c, ['awaiting-applicant'], 'provide information');
      requireEvidenceInForce(command.data.evidence, ctx.now);
      return [
        {
          type: 'AccreditationInformationProvided',
          data: { answer: command.data.answer, evidence: command.data.evidence, providedBy: actor.userId },
        },
      ];

    case 'CompleteScreening':
      requireRole(actor, 'reviewer', 'complete screening');
      requireStatus(c, ['screening'], 'complete screening');
      requireNotSubmitter(actor, c);
      return [{ type: 'AccreditationScreeningCompleted', data: { notes: command.data.notes, completedBy: actor.userId } }];

    case 'ScoreCriteria':
      return scoreCriteria(command, c, ctx);

    case 'RecordSecurityReview':
      requireRole(actor, 'security-reviewer', 'record the security review');
      requireStatus(c, ASSESSING, 'record the security review');
      requireNotSubmitter(actor, c);
      requireNotTechnicalReviewer(actor, c);
      return [
        {
          type: 'AccreditationSecurityReviewRecorded',
          data: { outcome: command.data.outcome, notes: command.data.notes, reviewedBy: actor.userId, reviewedByName: actor.name },
        },
      ];

    case 'Decide':
      return decide(command, c, ctx);

    case 'Renew': {
      requireRole(actor, 'director', 'renew an accreditation');
      requireStatus(c, ['accredited'], 'renew');
      requireNotSubmitter(actor, c);
      const previousValidUntil = grantOf(c).validUntil;
      if (!c.renewalWindowOpen) {
        throw new DomainError('ACCREDITATION_RENEWAL_NOT_OPEN', `The renewal window of ${c.application.applicationId} is not open`);
      }
      if (isAtOrAfter(ctx.now, previousValidUntil)) {
        throw new DomainError('ACCREDITATION_WRONG_STATE', `The accreditation ended at ${previousValidUntil}; it can no longer be renewed`);
      }
      return [
        {
          type: 'AccreditationRenewed',
          data: {
            previousValidUntil,
            validUntil: addMonths(previousValidUntil, 12 * ctx.policy.validityYears),
            reasons: command.data.reasons,
            renewedBy: actor.userId,
            ...rescore(c, command.data.framework, command.data.scores),
          },
        },
      ];
    }

    case 'Suspend':
      requireRole(actor, 'director', 'suspend an accreditation');
      requireStatus(c, ['accredited'], 'suspend');
      requireNotSubmitter(actor, c);
      return [{ type: 'AccreditationSuspended', data: { reasons: command.data.reasons, suspendedBy: actor.userId } }];

    case 'Reinstate':
      requireRole(actor, 'director', 'reinstate an accreditation');
      requireStatus(c, ['suspended'], 'reinstate');
      requireNotSubmitter(actor, c);
      return [{ type: 'AccreditationReinstated', data: { reasons: command.data.reasons, reinstatedBy: actor.userId } }];

    case 'Revoke': {
      requireRole(actor, 'director', 'revoke an accreditation');
      requireStatus(c, ACCREDITATION_HELD, 'revoke');
      requireNotSubmitter(actor, c);
      const days = command.data.transitionDays ?? ctx.policy.revocationTransitionDays;
      return [
        {
          type: 'AccreditationRevoked',
          data: { reasons: command.data.reasons, transitionUntil: addDays(ctx.now, days), revokedBy: actor.userId },
        },
      ];
    }

    case 'Withdraw': {
      requireApplicant(actor, c);
      requireStatus(c, [...ACCREDITATION_PENDING, ...ACCREDITATION_HELD], 'withdraw');
      const data = { reason: command.data.reason, withdrawnBy: actor.userId, previousStatus: c.status };
      // A grant that ends leaves its PSEs a migration period; an application never granted has none.
      if (!ACCREDITATION_HELD.includes(c.status)) return [{ type: 'AccreditationWithdrawn', data }];
      return [{ type: 'AccreditationWithdrawn', data: { ...data, transitionUntil: addDays(ctx.now, endTransitionDaysOf(ctx.policy)) } }];
    }

    case 'Lapse': {
      requireSystem(actor, 'Lapsing');
      requireStatus(c, ['awaiting-applicant'], 'lapse');
      const dueBy = c.informationDueBy as string;
      if (isBefore(ctx.now, dueBy)) {
        throw new DomainError('ACCREDITATION_WRONG_STATE', `The applicant has until ${dueBy} to answer`);
      }
      return [{ type: 'AccreditationLapsed', data: { reason: 'The requested information was not provided in time', dueBy } }];
    }

    case 'OpenRenewalWindow': {
      requireSystem(actor, 'Opening the renewal window');
      requireStatus(c, ACCREDITATION_HELD, 'open the renewal window');
      const { validUntil, validFrom } = grantOf(c);
      if (c.renewalWindowOpen) {
        throw new DomainError('ACCREDITATION_WRONG_STATE', `The renewal window before ${validUntil} is already open`);
      }
      const windowStart = addDays(validUntil, -ctx.policy.renewalWindowDays);
      if (isBefore(ctx.now, windowStart)) {
        throw new DomainError('ACCREDITATION_WRONG_STATE', `The renewal window opens at ${windowStart}`);
      }
      // A grant shorter than the window has it open from the grant's start, as the workflow's timer does.
      const opensAt = isBefore(windowStart, validFrom) ? validFrom : windowStart;
      return [{ type: 'AccreditationRenewalWindowOpened', data: { validUntil, opensAt } }];
    }

    case 'Expire': {
      requireSystem(actor, 'Expiry');
      requireStatus(c, ACCREDITATION_HELD, 'expire');
      const { validUntil } = grantOf(c);
      if (isBefore(ctx.now, validUntil)) {
        throw new DomainError('ACCREDITATION_WRONG_STATE', `The accreditation is valid until ${validUntil}`);
      }
      // The migration period runs from the end date, not from when the engine noticed it.
      return [{ type: 'AccreditationExpired', data: { validUntil, transitionUntil: addDays(validUntil, endTransitionDaysOf(ctx.policy)) } }];
    }

    default:
      return assertNever(command, 'accreditation command');
  }
}

function submit(
  command: AccreditationCommandOf<'Submit'>,
  state: AccreditationState,
  ctx: AccreditationDecideContext,
): AccreditationEvent[] {
  const { actor, data } = command;
  if (state.status !== 'none') {
    throw new DomainError('ACCREDITATION_ALREADY_EXISTS', `Application ${data.applicationId} already exists`, 'applicationId');
  }
  if (actor.role !== 'csp') throw new DomainError('ROLE_NOT_ALLOWED', 'Only a CSP applies for accreditation');
  if (actor.organisationId !== data.cspId) {
    throw new DomainError('NOT_CASE_OWNER', 'A CSP applies only for its own offerings', 'cspId');
  }
  if (data.frameworkVersion !== ctx.framework.version) {
    throw new DomainError(
      'ACCREDITATION_FRAMEWORK_MISMATCH',
      `The application names framework ${data.frameworkVersion}, but ${ctx.framework.version} was supplied`,
      'frameworkVersion',
    );
  }
  checkCoolingOff(ctx.lastRejectedAt, ctx.now, ctx.policy);
  requireEvidenceInForce(data.evidence, ctx.now);
  return [
    {
      type: 'AccreditationSubmitted',
      data: { ...data, submittedBy: actor.userId, submittedAt: ctx.now, policyVersion: ctx.policy.version },
    },
  ];
}

function scoreCriteria(
  command: AccreditationCommandOf<'ScoreCriteria'>,
  c: AccreditationCase,
  ctx: AccreditationDecideContext,
): AccreditationEvent[] {
  const { actor, data } = command;
  requireRole(actor, 'reviewer', 'score criteria');
  requireStatus(c, ASSESSING, 'score criteria');
  requireNotSubmitter(actor, c);
  requireNotSecurityReviewer(actor, c);
  requirePinnedFramework(c, ctx.framework);
  const known = new Set(allCriteria(ctx.framework).map((criterion) => criterion.id));
  const unknown = Object.keys(data.scores).find((id) => !known.has(id));
  if (unknown !== undefined) {
    throw new DomainError(
      'ACCREDITATION_UNKNOWN_CRITERION',
      `Framework ${ctx.framework.version} has no criterion ${unknown}`,
      `scores.${unknown}`,
    );
  }
  const score = scoreApplication(ctx.framework, { ...c.scores, ...data.scores }, c.application.requestedBaseline);
  return [
    {
      type: 'AccreditationCriteriaScored',
      data: {
        scores: data.scores,
        rationale: data.rationale,
        scoredBy: actor.userId,
        scoredByName: actor.name,
        frameworkVersion: ctx.framework.version,
        summary: summaryOf(score),
      },
    },
  ];
}

function decide(command: AccreditationCommandOf<'Decide'>, c: AccreditationCase, ctx: AccreditationDecideContext): AccreditationEvent[] {
  const { actor, data } = command;
  requireRole(actor, 'director', 'decide an application');
  requireStatus(c, ASSESSING, 'decide');
  requireNotSubmitter(actor, c);
  requireNotTechnicalReviewer(actor, c);
  requireNotSecurityReviewer(actor, c);
  requirePinnedFramework(c, ctx.framework);
  const decidedBy = { decidedBy: actor.userId, decidedByName: actor.name };

  if (data.decision === 'reject') {
    return [
      {
        type: 'AccreditationRejected',
        data: {
          reasons: data.reasons,
          reapplyAfter: addDays(ctx.now, ctx.policy.coolingOffDays),
          frameworkVersion: ctx.framework.version,
          ...decidedBy,
        },
      },
    ];
  }

  const score = scoreApplication(ctx.framework, c.scores, c.application.requestedBaseline);
  if (!score.complete) {
    throw new DomainError('ACCREDITATION_SCORES_INCOMPLETE', `Criteria not yet scored: ${score.missing.join(', ')}`);
  }
  if (c.securityReview?.outcome !== 'passed') {
    const why = c.securityReview === undefined ? 'has no security review' : 'failed its security review';
    throw new DomainError('ACCREDITATION_SECURITY_REVIEW_NOT_PASSED', `Application ${c.application.applicationId} ${why}`);
  }
  const rank = (b: (typeof BASELINES)[number]): number => BASELINES.indexOf(b);
  if (rank(data.baseline) > rank(c.application.requestedBaseline)) {
    throw new DomainError(
      'ACCREDITATION_BASELINE_NOT_MET',
      `The application asked for ${c.application.requestedBaseline}; ${data.baseline} cannot be granted on it`,
      'baseline',
    );
  }
  if (score.highestBaselineMet === null || rank(data.baseline) > rank(score.highestBaselineMet)) {
    throw new DomainError(
      'ACCREDITATION_BASELINE_NOT_MET',
      `The scores meet ${score.highestBaselineMet ?? 'no baseline'}; ${data.baseline} cannot be granted`,
      'baseline',
    );
  }
  const refusal = dataClassRefusal(data.highestDataClass, data.baseline, c.application.offering);
  if (refusal !== null) throw new DomainError('ACCREDITATION_DATA_CLASS_NOT_ALLOWED', refusal, 'highestDataClass');

  const longest = addMonths(ctx.now, 12 * ctx.policy.validityYears);
  const validUntil = data.validUntil ?? longest;
  if (!isBefore(ctx.now, validUntil)) {
    throw new DomainError('ACCREDITATION_INVALID_VALIDITY', 'validUntil must be after the decision', 'validUntil');
  }
  if (isBefore(longest, validUntil)) {
    throw new DomainError('ACCREDITATION_INVALID_VALIDITY', `An accreditation lasts at most ${ctx.policy.validityYears} years`, 'validUntil');
  }
  return [
    {
      type: 'AccreditationGranted',
      data: {
        baseline: data.baseline,
        highestDataClass: data.highestDataClass,
        conditions: data.conditions,
        reasons: data.reasons,
        validFrom: ctx.now,
        validUntil,
        frameworkVersion: ctx.framework.version,
        summary: summaryOf(score),
        ...decidedBy,
      },
    },
  ];
}

/**
 * A renewal is scored again against the framework in force at renewal: the assessment's scores count
 * for the criteria it still has, `scores` adds those it added or changed, and together they must still
 * meet the granted baseline. Renewals without a framework (recorded before this rule) only extend.
 */
function rescore(
  c: AccreditationCase,
  framework: BenchmarkFramework | undefined,
  added: Record<string, number> | undefined,
): { frameworkVersion?: string; scores?: Record<string, number>; summary?: ScoreSummary } {
  if (framework === undefined) return {};
  const known = new Set(allCriteria(framework).map((criterion) => criterion.id));
  const unknown = Object.keys(added ?? {}).find((id) => !known.has(id));
  if (unknown !== undefined) {
    throw new DomainError('ACCREDITATION_UNKNOWN_CRITERION', `Framework ${framework.version} has no criterion ${unknown}`, `scores.${unknown}`);
  }
  const baseline = grantOf(c).baseline;
  const carried = Object.fromEntries(Object.entries(c.scores).filter(([id]) => known.has(id)));
  const score = scoreApplication(framework, { ...carried, ...added }, baseline);
  if (!score.complete) {
    throw new DomainError(
      'ACCREDITATION_SCORES_INCOMPLETE',
      `Framework ${framework.version}, in force at renewal, has criteria not yet scored: ${score.missing.join(', ')}`,
      'scores',
    );
  }
  const rank = (b: (typeof BASELINES)[number]): number => BASELINES.indexOf(b);
  if (score.highestBaselineMet === null || rank(score.highestBaselineMet) < rank(baseline)) {
    throw new DomainError(
      'ACCREDITATION_BASELINE_NOT_MET',
      `Scored against framework ${framework.version}, the offering meets ${score.highestBaselineMet ?? 'no baseline'}, not the granted ${baseline}`,
      'scores',
    );
  }
  return { frameworkVersion: framework.version, ...(added === undefined ? {} : { scores: added }), summary: summaryOf(score) };
}

function summaryOf(score: ApplicationScore): ScoreSummary {
  return { total: score.total, complete: score.complete, highestBaselineMet: score.highestBaselineMet };
}

function requirePinnedFramework(c: AccreditationCase, framework: BenchmarkFramework): void {
  if (framework.version !== c.application.frameworkVersion) {
    throw new DomainError(
      'ACCREDITATION_FRAMEWORK_MISMATCH',
      `Application ${c.application.applicationId} is pinned to framework ${c.application.frameworkVersion}, not ${framework.version}`,
    );
  }
}

function requireEvidenceInForce(evidence: ReadonlyArray<{ expiresAt?: string | undefined }>, now: string): void {
  evidence.forEach((item, i) => {
    if (item.expiresAt !== undefined && !isBefore(now, item.expiresAt)) {
      throw new DomainError('ACCREDITATION_EVIDENCE_EXPIRED', `Evidence ${i + 1} expired at ${item.expiresAt}`, `evidence[${i}].expiresAt`);
    }
  });
}

function grantOf(c: AccreditationCase): NonNullable<AccreditationCase['grant']> {
  if (c.grant === undefined) throw new Error(`Application ${c.application.applicationId} is ${c.status} but has no grant`);
  return c.grant;
}
