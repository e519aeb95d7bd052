import type { Actor } from '../shared/actor';
import { DomainError, assertNever } from '../shared/errors';
import type { CspRegistrationCommand } from './commands';
import type { CspRegistrationEvent } from './events';
import type { RegistrationDeskState, RegistrationRequest } from './state';

export interface RegistrationDeskContext {
  /** The instant the command is handled at, ISO. */
  now: string;
}

/** Who decides a registration request: the administrators, who keep the CSP register and the accounts. */
function requireAdmin(actor: Actor, what: string): void {
  if (actor.role !== 'admin') throw new DomainError('ROLE_NOT_ALLOWED', `Only an administrator may ${what}`);
}

function pendingRequest(state: RegistrationDeskState, requestId: string): RegistrationRequest {
  const request = state.requests.find((r) => r.requestId === requestId);
  if (request === undefined) throw new DomainError('REGISTRATION_REQUEST_NOT_FOUND', `No registration request ${requestId}`, 'requestId');
  if (request.status !== 'requested') {
    throw new DomainError('REGISTRATION_REQUEST_DECIDED', `Registration request ${requestId} is already ${request.status}`, 'requestId');
  }
  return request;
}

const sameNumber = (a: string, b: string): boolean => a.replace(/\s+/g, '').toUpperCase() === b.replace(/\s+/g, '').toUpperCase();

/**
 * Pure: the registration desk's decision. Anyone may ask to be registered, but one company (by its
 * registration number) has at most one request waiting and is registered once; an administrator
 * approves a waiting request under a register id no approved request has used, or refuses it with reasons.
 */
export function decideRegistrationDesk(command: CspRegistrationCommand, state: RegistrationDeskState, ctx: RegistrationDeskContext): CspRegistrationEvent[] {
  switch (command.type) {
    case 'RequestRegistration': {
      const { requestId, organisation, username } = command.data;
      if (state.requests.some((r) => r.requestId === requestId)) {
        throw new DomainError('REGISTRATION_REQUEST_EXISTS', `Registration request ${requestId} already exists`, 'requestId');
      }
      const same = state.requests.filter((r) => sameNumber(r.organisation.registrationNumber, organisation.registrationNumber));
      if (same.some((r) => r.status === 'requested')) {
        throw new DomainError(
          'REGISTRATION_REQUEST_PENDING',
          `A registration request for company ${organisation.registrationNumber} already awaits the office's decision`,
          'registrationNumber',
        );
      }
      if (same.some((r) => r.status === 'approved')) {
        throw new DomainError('CSP_ALREADY_REGISTERED', `Company ${organisation.registrationNumber} is already registered`, 'registrationNumber');
      }
      return [{ type: 'CspRegistrationRequested', data: { requestId, organisation, username, requestedAt: ctx.now } }];
    }
    case 'ApproveRegistration': {
      requireAdmin(command.actor, 'approve a registration request');
      const request = pendingRequest(state, command.data.requestId);
      const { cspId } = command.data;
      if (state.requests.some((r) => r.status === 'approved' && r.cspId === cspId)) {
        throw new DomainError('CSP_ALREADY_REGISTERED', `CSP ${cspId} is already registered`, 'cspId');
      }
      return [
        {
          type: 'CspRegistrationApproved',
          data: { requestId: request.requestId, cspId, username: request.username, approvedBy: command.actor.userId, approvedAt: ctx.now },
        },
      ];
    }
    case 'RefuseRegistration': {
      requireAdmin(command.actor, 'refuse a registration request');
      const request = pendingRequest(state, command.data.requestId);
      return [
        {
          type: 'CspRegistrationRefused',
          data: { requestId: request.requestId, reasons: command.data.reasons, refusedBy: command.actor.userId, refusedAt: ctx.now },
        },
      ];
    }
    default:
      return assertNever(command, 'registration command');
  }
}

/** The register id a request suggests: its organisation's name, in lower case, words joined by dashes. */
export function suggestedCspId(organisationName: string): string {
  const slug = organisationName
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 56)
    .replace(/-+$/, '');
  return `csp-${slug.length > 0 ? slug : 'provider'}`;
}
