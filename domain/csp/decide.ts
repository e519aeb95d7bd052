import { isSystem, type Actor } from '../shared/actor';
import { DomainError, assertNever } from '../shared/errors';
import type { CspCommand, CspCommandOf } from './commands';
import { ACCREDITED_FIELDS, type CspEvent, type OfferingChanges, type OfferingDetails } from './events';
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
  if (command.type === 'ApplyApprovedChange') return applyApprovedChange(command, csp);
  if (command.type === 'RecordAccreditationStanding') return recordAccreditationStanding(command, csp);
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
      const { offering, changed } = changedOffering(current, command.data);
      // Sending what is already recorded changes nothing, so nothing happens (a retried request is harmless).
      if (changed.length === 0) return [];
      const locked = changed.find((field) => (ACCREDITED_FIELDS as readonly string[]).includes(field));
      if (locked !== undefined && (current.heldBy?.length ?? 0) > 0) {
        throw new DomainError(
          'OFFERING_ACCREDITED',
          `Offering ${current.offeringId} holds an accreditation (${(current.heldBy ?? []).join(', ')}): its ${locked} changes only through an approved significant change (POST /api/changes)`,
          locked,
        );
      }
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

/** The offering with the given fields applied, and which fields actually differ. */
function changedOffering(current: OfferingRecord, changes: OfferingChanges): { offering: OfferingDetails & { offeringId: string }; changed: string[] } {
  const offering = { offeringId: current.offeringId, name: current.name, serviceModels: current.serviceModels, deploymentModel: current.deploymentModel, dataCentres: current.dataCentres };
  const changed: string[] = [];
  for (const field of OFFERING_FIELDS) {
    const value = changes[field];
    if (value === undefined || JSON.stringify(value) === JSON.stringify(current[field])) continue;
    Object.assign(offering, { [field]: value });
    changed.push(field);
  }
  return { offering, changed };
}

function requireEngine(actor: Actor, what: string): void {
  if (!isSystem(actor)) throw new DomainError('ROLE_NOT_ALLOWED', `Only the engine ${what}`);
}

/**
 * An approved significant change takes effect (SPEC §3.2): the register applies the offering changes
 * the change request recorded, once. Anything but an approved change of this provider's own offering
 * is refused, so a message naming someone else's change, or a rejected one, changes nothing.
 */
function applyApprovedChange(command: CspCommandOf<'ApplyApprovedChange'>, csp: CspRecord): CspEvent[] {
  const { data } = command;
  requireEngine(command.actor, 'applies an approved significant change');
  if (data.cspId !== csp.cspId) throw new DomainError('NOT_CASE_OWNER', `Change ${data.changeId} is not about CSP ${csp.cspId}`, 'cspId');
  if (data.status !== 'approved') {
    throw new DomainError('CHANGE_WRONG_STATE', `Change ${data.changeId} is ${data.status}; only an approved change takes effect`);
  }
  const current = activeOffering(csp, data.offeringId);
  if (current.appliedChanges?.includes(data.changeId) || data.offeringChanges === undefined) return [];
  const { offering, changed } = changedOffering(current, data.offeringChanges);
  if (changed.length === 0) return [];
  return [{ type: 'OfferingUpdated', data: { ...offering, changed, updatedBy: data.decidedBy ?? command.actor.userId, changeId: data.changeId } }];
}

/** Keeps the register's knowledge of which accreditations the offering holds in line with the applications' own streams. */
function recordAccreditationStanding(command: CspCommandOf<'RecordAccreditationStanding'>, csp: CspRecord): CspEvent[] {
  const { data } = command;
  requireEngine(command.actor, "records an offering's accreditation");
  if (data.cspId !== csp.cspId) throw new DomainError('NOT_CASE_OWNER', `Application ${data.applicationId} is not by CSP ${csp.cspId}`, 'cspId');
  const offering = csp.offerings[data.offeringId];
  if (offering === undefined) throw new DomainError('OFFERING_NOT_FOUND', `CSP ${csp.cspId} has no offering ${data.offeringId}`, 'offeringId');
  const holds = offering.heldBy?.includes(data.applicationId) ?? false;
  const facts = { offeringId: data.offeringId, applicationId: data.applicationId, status: data.status };
  if (data.held && !holds) return [{ type: 'OfferingAccreditationHeld', data: facts }];
  if (!data.held && holds) return [{ type: 'OfferingAccreditationReleased', data: facts }];
  return [];
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
