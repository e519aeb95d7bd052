import { ApplicationFailure, condition, continueAsNew, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { PseCommandPayloads, type PseCommand } from '../../domain/pse/commands';
import { decidePse } from '../../domain/pse/decide';
import type { PseEvent } from '../../domain/pse/events';
import { evolvePse } from '../../domain/pse/evolve';
import { initialPseState, type PseState } from '../../domain/pse/state';
import { CaseKind, CaseStatus } from '../search-attributes';
import { CaseLedger, handleActions, historyIsLong, nowIso, parseAction, toFailure } from '../shared/case-process';
import { pseActionUpdate, pseStateQuery, type PseActionInput, type PseView, type PseWorkflowInput } from './messages';

/** The register has no policy of its own; events still name one so every stream's metadata reads alike. */
export const PSE_REGISTER_POLICY_VERSION = 'pse-register-1';

function toCommand(input: PseActionInput): PseCommand {
  return parseAction<PseCommand>(PseCommandPayloads, input, 'PSE', new Set(['RegisterPse']));
}

/**
 * One public service entity's register entry, for as long as the entity exists: its procurements are
 * recorded and ended through the `pseAction` update, whose validator runs the decider, so a procurement
 * the check denied never reaches history. Like the CSP register it never ends by itself; it hands its
 * state to a fresh run whenever its history grows long.
 */
export async function pseWorkflow(input: PseWorkflowInput): Promise<PseView> {
  const info = workflowInfo();
  const ledger = new CaseLedger<PseState, PseEvent>(input.carried?.state ?? initialPseState, input.carried?.revision ?? -1, {
    evolve: evolvePse,
    policyVersion: PSE_REGISTER_POLICY_VERSION,
    onCommitted: (state) =>
      upsertSearchAttributes([
        { key: CaseKind, value: 'pse' },
        { key: CaseStatus, value: state.status },
      ]),
  });
  const view = (): PseView => ({ state: ledger.state, revision: ledger.revision });
  const decide = (command: PseCommand, on: PseState = ledger.state): PseEvent[] => decidePse(command, on, { now: nowIso() });
  const run = (command: PseCommand, events: PseEvent[], causationId: string) => {
    const pseId = ledger.state.status === 'none' ? (command as Extract<PseCommand, { type: 'RegisterPse' }>).data.pseId : ledger.state.pseId;
    return ledger.commit(`pse-${pseId}`, events, command.actor, causationId);
  };
  /** Actions that arrive before the registration is written are judged against the state it leads to. */
  let registered: PseState | undefined;

  setHandler(pseStateQuery, view);
  handleActions(pseActionUpdate, {
    toCommand,
    decide,
    stateForValidation: () => (ledger.state.status === 'none' && registered ? registered : ledger.state),
    run,
    exclusive: (fn) => ledger.exclusive(fn),
    view,
  });

  if (ledger.state.status === 'none') {
    if (!input.register) throw ApplicationFailure.nonRetryable('A PSE process starts with its registration', 'VALIDATION_FAILED');
    const register = input.register;
    try {
      registered = decide(register).reduce(evolvePse, ledger.state);
      await ledger.exclusive(() => run(register, decide(register), input.requestId ?? info.workflowId));
    } catch (err) {
      throw toFailure(err);
    }
  }

  // The register lives on: only the history's length ends a run, and a fresh run takes over.
  await condition(() => historyIsLong(input.continueAfterEvents));
  await ledger.idle();
  return continueAsNew<typeof pseWorkflow>({
    continueAfterEvents: input.continueAfterEvents,
    carried: { state: ledger.state, revision: ledger.revision },
  });
}
