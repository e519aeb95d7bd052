import { continueAsNew } from '@temporalio/workflow';
import { PseCommandPayloads, type PseCommand } from '../../domain/pse/commands';
import { decidePse } from '../../domain/pse/decide';
import type { PseEvent } from '../../domain/pse/events';
import { evolvePse } from '../../domain/pse/evolve';
import { initialPseState, type PseState } from '../../domain/pse/state';
import { runRegister } from '../shared/register-process';
import { pseActionUpdate, pseStateQuery, type PseView, type PseWorkflowInput } from './messages';

/** The register has no policy of its own; events still name one so every stream's metadata reads alike. */
export const PSE_REGISTER_POLICY_VERSION = 'pse-register-1';

/**
 * One public service entity's register entry, for as long as the entity exists: its procurements are
 * recorded and ended through the `pseAction` update, whose validator runs the decider, so a procurement
 * the check denied never reaches history. Like the CSP register it never ends by itself; it hands its
 * state to a fresh run whenever its history grows long.
 */
export async function pseWorkflow(input: PseWorkflowInput): Promise<PseView> {
  const next = await runRegister<PseState, PseEvent, PseCommand>(input, {
    kind: 'pse',
    what: 'PSE',
    policyVersion: PSE_REGISTER_POLICY_VERSION,
    initialState: initialPseState,
    registerType: 'RegisterPse',
    payloads: PseCommandPayloads,
    decide: decidePse,
    evolve: evolvePse,
    streamOf: (state, command) =>
      `pse-${state.status === 'none' ? (command as Extract<PseCommand, { type: 'RegisterPse' }>).data.pseId : state.pseId}`,
    update: pseActionUpdate as never,
    query: pseStateQuery,
  });
  return continueAsNew<typeof pseWorkflow>(next);
}
