import { assertNever } from '../shared/errors';
import type { NocEvent } from './events';
import type { NocCase, NocState } from './state';

/** Pure: the NOC's state after one event. */
export function evolveNoc(state: NocState, event: NocEvent): NocState {
  if (event.type === 'NocRequested') {
    const { requestedBy, requestedAt, ...request } = event.data;
    return {
      status: 'requested',
      request,
      requestedBy,
      requestedAt,
      conditions: [],
      extensionsGranted: 0,
      remindersSent: [],
    };
  }
  if (state.status === 'none') return state;
  const noc: NocCase = state;
  switch (event.type) {
    case 'NocReviewStarted':
      return { ...noc, status: 'under-review', reviewerId: event.data.reviewerId, reviewerName: event.data.reviewerName };
    case 'NocInformationRequested':
      return { ...noc, status: 'awaiting-pse', informationDueBy: event.data.dueBy };
    case 'NocInformationProvided':
      return { ...noc, status: 'under-review', informationDueBy: undefined };
    case 'NocLapsed':
      return { ...noc, status: 'lapsed', informationDueBy: undefined };
    case 'NocRecommended':
      return {
        ...noc,
        status: 'awaiting-decision',
        recommendation: {
          recommendation: event.data.recommendation,
          reasons: event.data.reasons,
          conditions: event.data.conditions,
          by: event.data.recommendedBy,
          byName: event.data.recommendedByName,
        },
      };
    case 'NocApproved':
      return {
        ...noc,
        status: 'active',
        decidedBy: event.data.decidedBy,
        validFrom: event.data.validFrom,
        validUntil: event.data.validUntil,
        conditions: event.data.conditions,
      };
    case 'NocRejected':
      return { ...noc, status: 'rejected', decidedBy: event.data.decidedBy };
    case 'NocExpiryReminderDue':
      return { ...noc, remindersSent: [...noc.remindersSent, event.data.daysBefore] };
    case 'NocExtensionRequested':
      return { ...noc, status: 'extension-requested', pendingExtensionMonths: event.data.months };
    case 'NocExtensionApproved':
      // A new expiry earns its own reminders.
      return {
        ...noc,
        status: 'active',
        validUntil: event.data.validUntil,
        extensionsGranted: noc.extensionsGranted + 1,
        pendingExtensionMonths: undefined,
        remindersSent: [],
      };
    case 'NocExtensionRejected':
      return { ...noc, status: 'active', pendingExtensionMonths: undefined };
    case 'NocExpired':
      return { ...noc, status: 'expired', pendingExtensionMonths: undefined };
    case 'NocRevoked':
      return { ...noc, status: 'revoked', pendingExtensionMonths: undefined };
    case 'NocWithdrawn':
      return { ...noc, status: 'withdrawn', pendingExtensionMonths: undefined, informationDueBy: undefined };
    default:
      return assertNever(event, 'NOC event');
  }
}

export function foldNoc(events: readonly NocEvent[], from: NocState = { status: 'none' }): NocState {
  return events.reduce(evolveNoc, from);
}
