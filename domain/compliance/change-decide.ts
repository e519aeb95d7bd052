import { DomainError, assertNever } from '../shared/errors';
import { DAY_MILLIS, millisBetween } from '../shared/time';
import type { ChangeCommand, ChangeCommandOf } from './change-commands';
import type { ChangeEvent } from './change-events';
import type { ChangeCase, ChangeState, ChangeStatus } from './change-state';
import type { ComplianceDecideContext } from './policy';
import { requireNotInvolved, requireProvider, requireRole } from './rules';

/** Pure: given the change request's state and a command, the events that happen, or a DomainError thrown. */
export function decideChange(command: ChangeCommand, state: ChangeState, ctx: ComplianceDecideContext): ChangeEvent[] {
  if (command.type === 'RequestSignificantChange') return requestChange(command, state, ctx);
  if (state.status === 'none') throw new DomainError('CHANGE_NOT_REQUESTED', 'No such significant change has been requested');
  const change = state;
  const { actor } = command;

  switch (command.type) {
    case 'RecommendChange':
      requireRole(actor, ['reviewer'], 'recommend on a significant change');
      requireStatus(change, ['requested'], 'recommend');
      return [
        {
          type: 'SignificantChangeRecommended',
          data: { ...command.data, recommendedBy: actor.userId, recommendedByName: actor.name },
        },
      ];

    case 'DecideChange': {
      requireRole(actor, ['director'], 'decide a significant change');
      requireStatus(change, ['awaiting-decision'], 'decide');
      requireNotInvolved(actor, [change.requestedBy, change.recommendation?.by], 'decide');
      const data = { applicationId: change.change.applicationId, reasons: command.data.reasons, decidedBy: actor.userId, decidedByName: actor.name };
      return [{ type: command.data.decision === 'approve' ? 'SignificantChangeApproved' : 'SignificantChangeRejected', data }];
    }

    default:
      return assertNever(command, 'significant change command');
  }
}

function requestChange(command: ChangeCommandOf<'RequestSignificantChange'>, state: ChangeState, ctx: ComplianceDecideContext): ChangeEvent[] {
  const { actor, data } = command;
  requireProvider(actor, data.cspId, 'request a significant change');
  if (state.status !== 'none') throw new DomainError('CHANGE_ALREADY_EXISTS', `Change ${data.changeId} already exists`, 'changeId');
  const events: ChangeEvent[] = [{ type: 'SignificantChangeRequested', data: { ...data, requestedBy: actor.userId, requestedAt: ctx.now } }];
  const requiredDays = ctx.policy.significantChangeNoticeDays;
  // Whole days of notice, rounded down: 29 days and 23 hours is not 30 days.
  const noticeDays = Math.floor(millisBetween(ctx.now, data.plannedFor) / DAY_MILLIS);
  if (noticeDays < requiredDays) {
    events.push({ type: 'SignificantChangeNotifiedLate', data: { applicationId: data.applicationId, noticeDays, requiredDays } });
  }
  return events;
}

function requireStatus(change: ChangeCase, allowed: readonly ChangeStatus[], what: string): void {
  if (allowed.includes(change.status)) return;
  throw new DomainError('CHANGE_WRONG_STATE', `Change ${change.change.changeId} is ${change.status}; to ${what} it must be ${allowed.join(' or ')}`);
}
