import { continueAsNew } from '@temporalio/workflow';
import { CspCommandPayloads, type CspCommand } from '../../domain/csp/commands';
import { decideCsp } from '../../domain/csp/decide';
import type { CspEvent } from '../../domain/csp/events';
import { evolveCsp } from '../../domain/csp/evolve';
import { initialCspState, type CspState } from '../../domain/csp/state';
import { runRegister } from '../shared/register-process';
import { cspActionUpdate, cspStateQuery, type CspView, type CspWorkflowInput } from './messages';

/** The register has no policy of its own; events still name one so every stream's metadata reads alike. */
export const CSP_REGISTER_POLICY_VERSION = 'csp-register-1';

/**
 * One provider's register entry (SPEC §3.1), for as long as the provider exists: its offerings are
 * added, changed and retired through the `cspAction` update, whose validator runs the decider so a
 * refused action never reaches history. The process never ends by itself; it hands its state to a
 * fresh run whenever its history grows long.
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
  });
  return continueAsNew<typeof cspWorkflow>(next);
}
