import { continueAsNew, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { RegisterActivities } from '../../activities/register-activities';
import { CSP_ENGINE_COMMANDS, CspCommandPayloads, type CspCommand } from '../../domain/csp/commands';
import { decideCsp } from '../../domain/csp/decide';
import type { CspEvent } from '../../domain/csp/events';
import { evolveCsp } from '../../domain/csp/evolve';
import { initialCspState, type CspState } from '../../domain/csp/state';
import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { nowIso } from '../shared/case-process';
import { runRegister, type RegisterEngine } from '../shared/register-process';
import {
  accreditationStandingSignal,
  approvedChangeSignal,
  cspActionUpdate,
  cspStateQuery,
  cspWorkflowId,
  type CspView,
  type CspWorkflowInput,
} from './messages';

const { reserveOfferingId, readSignificantChange, readAccreditationStanding } = proxyActivities<RegisterActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['EVENT_SCHEMA_INVALID', 'EVENT_SCHEMA_UNKNOWN'] },
});

/** Processes that added offerings before ids were reserved register-wide replay without the reservation. */
export const OFFERING_ID_RESERVATION_PATCH = 'offering-id-reservation';

/**
 * An offering id is unique across the register (SPEC §3.1): before the offering is added, the id is
 * reserved for this provider in the stream `offering-<id>` (first writer wins, in the store); an id
 * another provider holds is refused.
 */
async function reserveBeforeAdding(command: CspCommand, state: CspState, causationId: string): Promise<void> {
  if (command.type !== 'AddOffering' || state.status !== 'registered') return;
  if (!patched(OFFERING_ID_RESERVATION_PATCH)) return;
  const { offeringId } = command.data;
  const { ownerCspId } = await reserveOfferingId({
    offeringId,
    cspId: state.cspId,
    actor: command.actor,
    occurredAt: nowIso(),
    correlationId: cspWorkflowId(state.cspId),
    causationId,
    policyVersion: CSP_REGISTER_POLICY_VERSION,
  });
  if (ownerCspId !== state.cspId) {
    throw new DomainError('OFFERING_ID_TAKEN', `The offering id ${offeringId} belongs to another CSP's offering; an offering id is unique across the register`, 'offeringId');
  }
}

/** What other processes tell the register; each message names where to look, and the facts are read from the store. */
function installEngineHandlers(engine: RegisterEngine<CspState, CspCommand>): void {
  setHandler(approvedChangeSignal, ({ changeId }) =>
    engine.step(`change ${changeId}`, async () => {
      const read = await readSignificantChange(changeId);
      return read && { command: { type: 'ApplyApprovedChange', actor: SYSTEM_ACTOR, data: read.data }, causationId: read.causationId };
    }),
  );
  setHandler(accreditationStandingSignal, ({ applicationId }) =>
    engine.step(`accreditation ${applicationId}`, async () => {
      const read = await readAccreditationStanding(applicationId);
      return read && { command: { type: 'RecordAccreditationStanding', actor: SYSTEM_ACTOR, data: read.data }, causationId: read.causationId };
    }),
  );
}

/** The register has no policy of its own; events still name one so every stream's metadata reads alike. */
export const CSP_REGISTER_POLICY_VERSION = 'csp-register-1';

/**
 * One provider's register entry (SPEC §3.1), for as long as the provider exists: its offerings are
 * added, changed and retired through the `cspAction` update, whose validator runs the decider so a
 * refused action never reaches history. An approved significant change takes effect here, and the
 * register keeps track of which of its offerings hold an accreditation, from the signals of those
 * processes (checked against their streams). The process never ends by itself; it hands its state to
 * a fresh run whenever its history grows long.
 */
export async function cspWorkflow(input: CspWorkflowInput): Promise<CspView> {
  const next = await runRegister<CspState, CspEvent, CspCommand>(input, {
    kind: 'csp',
    what: 'CSP',
    policyVersion: CSP_REGISTER_POLICY_VERSION,
    initialState: initialCspState,
    registerType: 'RegisterCsp',
    payloads: CspCommandPayloads,
    decide: decideCsp,
    evolve: evolveCsp,
    streamOf: (state, command) =>
      `csp-${state.status === 'none' ? (command as Extract<CspCommand, { type: 'RegisterCsp' }>).data.cspId : state.cspId}`,
    update: cspActionUpdate as never,
    query: cspStateQuery,
    engineCommands: CSP_ENGINE_COMMANDS,
    beforeCommit: reserveBeforeAdding,
    install: installEngineHandlers,
  });
  return continueAsNew<typeof cspWorkflow>(next);
}
