import { assertNever } from '../shared/errors';
import type { CspRegistrationEvent } from './events';
import type { RegistrationDeskState, RegistrationRequest } from './state';

function replaced(state: RegistrationDeskState, requestId: string, change: (r: RegistrationRequest) => RegistrationRequest): RegistrationDeskState {
  return { requests: state.requests.map((r) => (r.requestId === requestId ? change(r) : r)) };
}

/** What a request keeps from its asking, whatever is decided on it. */
function asked(r: RegistrationRequest): Pick<RegistrationRequest, 'requestId' | 'organisation' | 'username' | 'requestedAt'> {
  return { requestId: r.requestId, organisation: r.organisation, username: r.username, requestedAt: r.requestedAt };
}

/** Pure: the desk after one event. */
export function evolveRegistrationDesk(state: RegistrationDeskState, event: CspRegistrationEvent): RegistrationDeskState {
  switch (event.type) {
    case 'CspRegistrationRequested':
      return { requests: [...state.requests, { status: 'requested', ...event.data }] };
    case 'CspRegistrationApproved': {
      const { cspId, approvedBy, approvedAt } = event.data;
      return replaced(state, event.data.requestId, (r) => ({
        status: 'approved',
        ...asked(r),
        cspId,
        decidedBy: approvedBy,
        decidedAt: approvedAt,
      }));
    }
    case 'CspRegistrationRefused': {
      const { reasons, refusedBy, refusedAt } = event.data;
      return replaced(state, event.data.requestId, (r) => ({
        status: 'refused',
        ...asked(r),
        reasons,
        decidedBy: refusedBy,
        decidedAt: refusedAt,
      }));
    }
    default:
      return assertNever(event, 'registration event');
  }
}

export function foldRegistrationDesk(events: readonly CspRegistrationEvent[]): RegistrationDeskState {
  return events.reduce(evolveRegistrationDesk, { requests: [] });
}
