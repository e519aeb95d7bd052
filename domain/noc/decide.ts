import type { Actor } from '../shared/actor';
import { DomainError, assertNever } from '../shared/errors';
import { addDays, addMonths, isAtOrAfter, isBefore } from '../shared/time';
import type { NocCommand } from './commands';
import type { NocEvent } from './events';
import type { NocPolicy } from './policy';
import { NOC_IN_FORCE, type NocCase, type NocState } from './state';
import {
  requireApplicant,
  requireDecider,
  requireReviewer,
  requireStatus,
  requireSystem,
  requireVisible,
} from './rules';

export interface DecideContext {
  /** The instant the command is handled at (workflow time), ISO. */
  now: string;
  policy: NocPolicy;
}

/** Pure: given the NOC's state and a command, the events that happen, or a DomainError thrown. */
export function decideNoc(command: NocCommand, state: NocState, ctx: DecideContext): NocEvent[] {
  if (command.type === 'RequestNoc') return requestNoc(command, state, ctx);
  if (state.status === 'none') {
    throw new DomainError('NOC_NOT_REQUESTED', 'No such NOC has been requested');
  }
  const noc = state;
  requireVisible(command.actor, noc);
  const { actor } = command;

  switch (command.type) {
    case 'StartReview':
      requireReviewer(actor, noc);
      requireStatus(noc, ['requested'], 'start the review');
      requireNotRequester(actor, noc);
      return [{ type: 'NocReviewStarted', data: { reviewerId: actor.userId, reviewerName: actor.name } }];

    case 'RequestInformation':
      requireReviewer(actor, noc);
      requireStatus(noc, ['under-review'], 'request information');
      requireNotRequester(actor, noc);
      return [
        {
          type: 'NocInformationRequested',
          data: {
            questions: command.data.questions,
            dueBy: addDays(ctx.now, ctx.policy.informationResponseDays),
            requestedBy: actor.userId,
          },
        },
      ];

    case 'ProvideInformation':
      requireApplicant(actor, noc);
      requireStatus(noc, ['awaiting-pse'], 'provide information');
      return [{ type: 'NocInformationProvided', data: { answer: command.data.answer, providedBy: actor.userId } }];

    case 'Recommend':
      requireReviewer(actor, noc);
      requireStatus(noc, ['under-review'], 'recommend');
      requireNotRequester(actor, noc);
      return [
        {
          type: 'NocRecommended',
          data: {
            recommendation: command.data.recommendation,
            reasons: command.data.reasons,
            conditions: command.data.conditions,
            recommendedBy: actor.userId,
            recommendedByName: actor.name,
          },
        },
      ];

    case 'Decide':
      return decide(command, noc, ctx);

    case 'RequestExtension':
      requireApplicant(actor, noc);
      requireStatus(noc, ['active'], 'request an extension');
      if (noc.extensionsGranted >= ctx.policy.maxExtensions) {
        throw new DomainError('NOC_EXTENSION_ALREADY_USED', `NOC ${noc.request.nocId} has had its ${ctx.policy.maxExtensions} extension(s)`);
      }
      if (command.data.months > ctx.policy.maxExtensionMonths) {
        throw new DomainError(
          'NOC_EXTENSION_TOO_LONG',
          `An extension is at most ${ctx.policy.maxExtensionMonths} months`,
          'months',
        );
      }
      return [
        {
          type: 'NocExtensionRequested',
          data: { months: command.data.months, justification: command.data.justification, requestedBy: actor.userId },
        },
      ];

    case 'DecideExtension': {
      requireDecider(actor, noc);
      requireStatus(noc, ['extension-requested'], 'decide the extension');
      requireNotRequester(actor, noc);
      if (command.data.decision === 'reject') {
        return [{ type: 'NocExtensionRejected', data: { reasons: command.data.reasons, decidedBy: actor.userId } }];
      }
      const validUntil = addMonths(noc.validUntil as string, noc.pendingExtensionMonths as number);
      return [
        {
          type: 'NocExtensionApproved',
          data: {
            previousValidUntil: noc.validUntil as string,
            validUntil,
            reasons: command.data.reasons,
            decidedBy: actor.userId,
          },
        },
      ];
    }

    case 'Revoke':
      requireDecider(actor, noc);
      requireStatus(noc, NOC_IN_FORCE, 'revoke');
      return [{ type: 'NocRevoked', data: { reasons: command.data.reasons, revokedBy: actor.userId } }];

    case 'Withdraw': {
      requireApplicant(actor, noc);
      const open = ['requested', 'under-review', 'awaiting-pse', 'awaiting-decision', 'active', 'extension-requested'] as const;
      requireStatus(noc, open, 'withdraw');
      return [
        {
          type: 'NocWithdrawn',
          data: { reason: command.data.reason, withdrawnBy: actor.userId, previousStatus: noc.status },
        },
      ];
    }

    case 'Lapse':
      requireSystem(actor, 'Lapsing');
      requireStatus(noc, ['awaiting-pse'], 'lapse');
      if (isBefore(ctx.now, noc.informationDueBy as string)) {
        throw new DomainError('NOC_WRONG_STATE', `The PSE has until ${noc.informationDueBy} to answer`);
      }
      return [
        {
          type: 'NocLapsed',
          data: { reason: 'The requested information was not provided in time', dueBy: noc.informationDueBy as string },
        },
      ];

    case 'RecordExpiryReminder': {
      requireSystem(actor, 'Reminding');
      requireStatus(noc, NOC_IN_FORCE, 'remind of expiry');
      const { daysBefore } = command.data;
      if (!ctx.policy.reminderDaysBeforeExpiry.includes(daysBefore)) {
        throw new DomainError('VALIDATION_FAILED', `No reminder is set ${daysBefore} days before expiry`, 'daysBefore');
      }
      if (noc.remindersSent.includes(daysBefore)) return [];
      const validUntil = noc.validUntil as string;
      if (isBefore(ctx.now, addDays(validUntil, -daysBefore))) {
        throw new DomainError('NOC_WRONG_STATE', `The ${daysBefore}-day reminder is not due before ${addDays(validUntil, -daysBefore)}`);
      }
      return [{ type: 'NocExpiryReminderDue', data: { daysBefore, validUntil, pseId: noc.request.pseId } }];
    }

    case 'Expire':
      requireSystem(actor, 'Expiry');
      requireStatus(noc, NOC_IN_FORCE, 'expire');
      if (isBefore(ctx.now, noc.validUntil as string)) {
        throw new DomainError('NOC_WRONG_STATE', `NOC ${noc.request.nocId} is valid until ${noc.validUntil}`);
      }
      return [{ type: 'NocExpired', data: { validUntil: noc.validUntil as string } }];

    default:
      return assertNever(command, 'NOC command');
  }
}

function requestNoc(command: Extract<NocCommand, { type: 'RequestNoc' }>, state: NocState, ctx: DecideContext): NocEvent[] {
  const { actor, data } = command;
  if (state.status !== 'none') {
    throw new DomainError('NOC_ALREADY_EXISTS', `NOC ${data.nocId} already exists`, 'nocId');
  }
  if (actor.role !== 'pse' || actor.organisationId === undefined) {
    throw new DomainError('ROLE_NOT_ALLOWED', 'Only a public service entity requests a NOC');
  }
  if (actor.organisationId !== data.pseId || actor.jurisdiction !== data.jurisdiction) {
    throw new DomainError('NOT_CASE_OWNER', 'A PSE requests NOCs for itself, in its own jurisdiction');
  }
  if (data.requestedMonths > ctx.policy.maxMonths) {
    throw new DomainError('NOC_DURATION_TOO_LONG', `A NOC lasts at most ${ctx.policy.maxMonths} months`, 'requestedMonths');
  }
  return [{ type: 'NocRequested', data: { ...data, requestedBy: actor.userId, requestedAt: ctx.now } }];
}

function decide(command: Extract<NocCommand, { type: 'Decide' }>, noc: NocCase, ctx: DecideContext): NocEvent[] {
  const { actor, data } = command;
  requireDecider(actor, noc);
  if (noc.decidedBy !== undefined) {
    throw new DomainError('NOC_ALREADY_DECIDED', `NOC ${noc.request.nocId} was already decided (${noc.status}) by ${noc.decidedBy}`);
  }
  if (noc.status === 'requested' || noc.status === 'under-review') {
    throw new DomainError('NOC_NO_RECOMMENDATION', `NOC ${noc.request.nocId} has no recommendation yet`);
  }
  requireStatus(noc, ['awaiting-decision'], 'decide');
  requireNotRequester(actor, noc);
  if (noc.recommendation?.by === actor.userId) {
    throw new DomainError('FOUR_EYES_VIOLATION', 'The person who recommended may not also decide');
  }
  if (data.decision === 'reject') {
    return [{ type: 'NocRejected', data: { reasons: data.reasons, decidedBy: actor.userId, decidedByName: actor.name } }];
  }
  const validFrom = data.validFrom ?? ctx.now;
  const validUntil = data.validUntil ?? addMonths(validFrom, noc.request.requestedMonths);
  if (isBefore(validFrom, ctx.now)) {
    throw new DomainError('NOC_INVALID_VALIDITY', 'A NOC cannot be valid from a past instant', 'validFrom');
  }
  if (!isBefore(validFrom, validUntil)) {
    throw new DomainError('NOC_INVALID_VALIDITY', 'validUntil must be after validFrom', 'validUntil');
  }
  if (isBefore(addMonths(validFrom, ctx.policy.maxMonths), validUntil)) {
    throw new DomainError('NOC_DURATION_TOO_LONG', `A NOC lasts at most ${ctx.policy.maxMonths} months`, 'validUntil');
  }
  return [
    {
      type: 'NocApproved',
      data: {
        validFrom,
        validUntil,
        conditions: data.conditions ?? noc.recommendation?.conditions ?? [],
        reasons: data.reasons,
        decidedBy: actor.userId,
        decidedByName: actor.name,
      },
    },
  ];
}

function requireNotRequester(actor: Actor, noc: NocCase): void {
  if (actor.userId === noc.requestedBy) {
    throw new DomainError('FOUR_EYES_VIOLATION', 'Nobody reviews or decides a case they submitted');
  }
}

/** Whether the NOC allows its deviation at the instant `at`. */
export function nocInForceAt(noc: NocCase, at: string): boolean {
  return (
    NOC_IN_FORCE.includes(noc.status) &&
    noc.validFrom !== undefined &&
    noc.validUntil !== undefined &&
    isAtOrAfter(at, noc.validFrom) &&
    isBefore(at, noc.validUntil)
  );
}
