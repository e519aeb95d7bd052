import type { Actor } from '../shared/actor';
import { DomainError, assertNever } from '../shared/errors';
import type { CspCommand } from './commands';
import type { CspEvent, OfferingDetails } from './events';
import type { CspRecord, CspState, OfferingRecord } from './state';

export interface CspDecideContext {
  /** The instant the command is handled at, ISO. */
  now: string;
}

const OFFERING_FIELDS = ['name', 'serviceModels', 'deploymentModel', 'dataCentres'] as const satisfies readonly (keyof OfferingDetails)[];

/** Pure: given a CSP's register entry and a command, the events that happen, or a DomainError thrown. */
export function decideCsp(command: CspCommand, state: CspState, ctx: CspDecideContext): CspEvent[] {
  if (command.type === 'RegisterCsp') {
    const { actor, data } = command;
    if (actor.role !== 'admin' && actor.role !== 'csp') {
      throw new DomainError('ROLE_NOT_ALLOWED', 'A CSP is registered by its own representative or by an administrator');
    }
    if (actor.role === 'csp' && actor.organisationId !== data.cspId) {
      throw new DomainError('NOT_CASE_OWNER', 'A CSP representative registers only their own organisation', 'cspId');
    }
    if (state.status !== 'none') {
      throw new DomainError('CSP_ALREADY_REGISTERED', `CSP ${data.cspId} is already registered`, 'cspId');
    }
    return [{ type: 'CspRegistered', data: { ...data, registeredBy: actor.userId, registeredAt: ctx.now } }];
  }
  if (state.status === 'none') throw new DomainError('CSP_NOT_REGISTERED', 'No such CSP is registered');
  const csp = state;
  requireOwnOrganisation(command.actor, csp);

  switch (command.type) {
    case 'AddOffering': {
      const { data } = command;
      if (csp.offerings[data.offeringId] !== undefined) {
        throw new DomainError('OFFERING_ALREADY_EXISTS', `Offering ${data.offeringId} already exists`, 'offeringId');
      }
      return [{ type: 'OfferingAdded', data: { ...data, addedBy: command.actor.userId } }];
    }

    case 'UpdateOffering': {
      const current = activeOffering(csp, command.data.offeringId);
      const next: OfferingRecord = { ...current };
      const changed: string[] = [];
      for (const field of OFFERING_FIELDS) {
        const value = command.data[field];
        if (value === undefined || JSON.stringify(value) === JSON.stringify(current[field])) continue;
        Object.assign(next, { [field]: value });
        changed.push(field);
      }
      // Sending what is already recorded changes nothing, so nothing happens (a retried request is harmless).
      if (changed.length === 0) return [];
      const { status: _status, ...offering } = next;
      return [{ type: 'OfferingUpdated', data: { ...offering, changed, updatedBy: command.actor.userId } }];
    }

    case 'RetireOffering': {
      const current = activeOffering(csp, command.data.offeringId);
      return [
        {
          type: 'OfferingRetired',
          data: { offeringId: current.offeringId, reason: command.data.reason, retiredBy: command.actor.userId },
        },
      ];
    }

    default:
      return assertNever(command, 'CSP command');
  }
}

function requireOwnOrganisation(actor: Actor, csp: CspRecord): void {
  if (actor.role !== 'csp') {
    throw new DomainError('ROLE_NOT_ALLOWED', "Only the CSP's own representatives manage its offerings");
  }
  if (actor.organisationId !== csp.cspId) {
    throw new DomainError('NOT_CASE_OWNER', `You do not act for CSP ${csp.cspId}`);
  }
}

function activeOffering(csp: CspRecord, offeringId: string): OfferingRecord {
  const offering = csp.offerings[offeringId];
  if (offering === undefined) {
    throw new DomainError('OFFERING_NOT_FOUND', `CSP ${csp.cspId} has no offering ${offeringId}`, 'offeringId');
  }
  if (offering.status === 'retired') {
    throw new DomainError('OFFERING_RETIRED', `Offering ${offeringId} is retired`, 'offeringId');
  }
  return offering;
}
