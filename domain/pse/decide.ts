import type { ProcurementAnswer } from '../procurement/answer';
import type { Actor } from '../shared/actor';
import { DomainError, assertNever } from '../shared/errors';
import type { PseCommand } from './commands';
import type { PseEvent, RecordedCheck } from './events';
import type { PseRecord, PseState } from './state';

export interface PseDecideContext {
  /** The instant the command is handled at, ISO. */
  now: string;
}

/** The refusal of a procurement the check denies, naming every reason that failed. */
export function procurementDenied(answer: ProcurementAnswer): DomainError {
  const failed = answer.reasons.filter((r) => r.outcome === 'failed').map((r) => r.code);
  return new DomainError(
    'PROCUREMENT_DENIED',
    `The procurement check denies ${answer.query.dataClass} data on offering ${answer.query.offeringId}: ${failed.join(', ')}`,
    'offeringId',
  );
}

/** Pure: given a PSE's register entry and a command, the events that happen, or a DomainError thrown. */
export function decidePse(command: PseCommand, state: PseState, ctx: PseDecideContext): PseEvent[] {
  if (command.type === 'RegisterPse') {
    const { actor, data } = command;
    requireRegistrar(actor, data.jurisdiction);
    if (state.status !== 'none') throw new DomainError('PSE_ALREADY_REGISTERED', `PSE ${data.pseId} is already registered`, 'pseId');
    return [{ type: 'PseRegistered', data: { ...data, registeredBy: actor.userId, registeredAt: ctx.now } }];
  }
  if (state.status === 'none') throw new DomainError('PSE_NOT_REGISTERED', 'No such PSE is registered');
  const pse = state;

  switch (command.type) {
    case 'CorrectPseDetails': {
      const { actor, data } = command;
      // The same people who may register an entity of its jurisdiction keep its entry.
      requireRegistrar(actor, pse.jurisdiction);
      const name = data.name ?? pse.name;
      const ministry = data.ministry ?? pse.ministry;
      if (name === pse.name && ministry === pse.ministry) {
        throw new DomainError('PSE_UNCHANGED', `PSE ${pse.pseId} already has this name and ministry`, data.name === undefined ? 'ministry' : 'name');
      }
      return [
        {
          type: 'PseDetailsCorrected',
          data: { name, ministry, was: { name: pse.name, ministry: pse.ministry }, reason: data.reason, correctedBy: actor.userId, correctedAt: ctx.now },
        },
      ];
    }

    case 'ChangePseJurisdiction': {
      const { actor, data } = command;
      // A move takes an entity out of one province and into another: neither province's officers decide it alone.
      if (actor.role !== 'admin' || actor.jurisdiction !== 'federal') {
        throw new DomainError('ROLE_NOT_ALLOWED', "Only a federal administrator moves an entity to another jurisdiction");
      }
      if (data.jurisdiction === pse.jurisdiction) {
        throw new DomainError('PSE_UNCHANGED', `PSE ${pse.pseId} is already in the ${pse.jurisdiction} jurisdiction`, 'jurisdiction');
      }
      return [
        {
          type: 'PseJurisdictionChanged',
          data: { jurisdiction: data.jurisdiction, was: pse.jurisdiction, reason: data.reason, changedBy: actor.userId, changedAt: ctx.now },
        },
      ];
    }

    case 'RecordProcurement': {
      requireOwnEntity(command.actor, pse);
      const { check, ...procurement } = command.data;
      if (pse.procurements[procurement.procurementId] !== undefined) {
        throw new DomainError('PROCUREMENT_ALREADY_EXISTS', `Procurement ${procurement.procurementId} is already recorded`, 'procurementId');
      }
      const q = check.query;
      // An answer to another question proves nothing about this one.
      if (q.pseId !== pse.pseId || q.offeringId !== procurement.offeringId || q.dataClass !== procurement.dataClass) {
        throw new DomainError('VALIDATION_FAILED', 'The procurement check answered a different question', 'check');
      }
      if (check.decision === 'denied') throw procurementDenied(check);
      const recorded: RecordedCheck = { decision: check.decision, reasons: check.reasons.map((r) => r.code), evaluatedAt: check.evaluatedAt };
      if (check.noc !== undefined) recorded.noc = check.noc;
      return [
        { type: 'ProcurementRecorded', data: { ...procurement, check: recorded, recordedBy: command.actor.userId, recordedAt: ctx.now } },
      ];
    }

    case 'EndProcurement': {
      requireOwnEntity(command.actor, pse);
      const current = pse.procurements[command.data.procurementId];
      if (current === undefined) {
        throw new DomainError('PROCUREMENT_NOT_FOUND', `PSE ${pse.pseId} has no procurement ${command.data.procurementId}`, 'procurementId');
      }
      if (current.status === 'ended') {
        throw new DomainError('PROCUREMENT_ENDED', `Procurement ${current.procurementId} has already ended`, 'procurementId');
      }
      return [
        {
          type: 'ProcurementEnded',
          data: { procurementId: current.procurementId, reason: command.data.reason, endedBy: command.actor.userId, endedAt: ctx.now },
        },
      ];
    }

    default:
      return assertNever(command, 'PSE command');
  }
}

/**
 * Who keeps the register: a province's provincial officers register their own province's entities;
 * the Cloud Office's federal administrators register any entity, the federal ones in particular. An
 * administrator of a province's jurisdiction registers only that province's.
 */
function requireRegistrar(actor: Actor, jurisdiction: PseRecord['jurisdiction']): void {
  if (actor.role !== 'admin' && actor.role !== 'provincial-officer') {
    throw new DomainError('ROLE_NOT_ALLOWED', "A PSE is registered by an administrator or by its province's provincial officers");
  }
  const any = actor.role === 'admin' && actor.jurisdiction === 'federal';
  if (!any && actor.jurisdiction !== jurisdiction) {
    throw new DomainError(
      'OUTSIDE_JURISDICTION',
      `You register entities of the ${actor.jurisdiction} jurisdiction only, not of ${jurisdiction}`,
      'jurisdiction',
    );
  }
}

function requireOwnEntity(actor: Actor, pse: PseRecord): void {
  if (actor.role !== 'pse') throw new DomainError('ROLE_NOT_ALLOWED', "Only the entity's own officers record its procurements");
  if (actor.organisationId !== pse.pseId) throw new DomainError('NOT_CASE_OWNER', `You do not act for PSE ${pse.pseId}`);
}
