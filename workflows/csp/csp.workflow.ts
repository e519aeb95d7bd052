import { ApplicationFailure, condition, continueAsNew, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { CspCommandPayloads, type CspCommand } from '../../domain/csp/commands';
import { decideCsp } from '../../domain/csp/decide';
import type { CspEvent } from '../../domain/csp/events';
import { evolveCsp } from '../../domain/csp/evolve';
import { initialCspState, type CspState } from '../../domain/csp/state';
import { CaseKind, CaseStatus } from '../search-attributes';
import { CaseLedger, handleActions, historyIsLong, nowIso, parseAction, toFailure } from '../shared/case-process';
import { cspActionUpdate, cspStateQuery, type CspActionInput, type CspView, type CspWorkflowInput } from './messages';

/** The register has no policy of its own; events still name one so every stream's metadata reads alike. */
export const CSP_REGISTER_POLICY_VERSION = 'csp-register-1';

function toCommand(input: CspActionInput): CspCommand {
  return parseAction<CspCommand>(CspCommandPayloads, input, 'CSP', new Set(['RegisterCsp']));
}

/**
 * One provider's register entry (SPEC §3.1), for as long as the provider exists: its offerings are
 * added, changed and retired through the `cspAction` update, whose validator runs the decider so a
 * refused action never reaches history. The process never ends by itself; it hands its state to a
 * fresh run whenever its history grows long.
 */
export async function cspWorkflow(input: CspWorkflowInput): Promise<CspView> {
  const info = workflowInfo();
  const ledger = new CaseLedger<CspState, CspEvent>(input.carried?.state ?? initialCspState, input.carried?.revision ?? -1, {
    evolve: evolveCsp,
    policyVersion: CSP_REGISTER_POLICY_VERSION,
    onCommitted: (state) =>
      upsertSearchAttributes([
        { key: CaseKind, value: 'csp' },
        { key: CaseStatus, value: state.status },
      ]),
  });
  const view = (): CspView => ({ state: ledger.state, revision: ledger.revision });
  const decide = (command: CspCommand, on: CspState = ledger.state): CspEvent[] => decideCsp(command, on, { now: nowIso() });
  const run = (command: CspCommand, events: CspEvent[], causationId: string) => {
    const cspId = ledger.state.status === 'none' ? (command as Extract<CspCommand, { type: 'RegisterCsp' }>).data.cspId : ledger.state.cspId;
    return ledger.commit(`csp-${cspId}`, events, command.actor, causationId);
  };
  /** Actions that arrive before the registration is written are judged against the state it leads to. */
  let registered: CspState | undefined;

  setHandler(cspStateQuery, view);
  handleActions(cspActionUpdate, {
    toCommand,
    decide,
    stateForValidation: () => (ledger.state.status === 'none' && registered ? registered : ledger.state),
    run,
    exclusive: (fn) => ledger.exclusive(fn),
    view,
  });

  if (ledger.state.status === 'none') {
    if (!input.register) throw ApplicationFailure.nonRetryable('A CSP process starts with its registration', 'VALIDATION_FAILED');
    const register = input.register;
    try {
      registered = decide(register).reduce(evolveCsp, ledger.state);
      await ledger.exclusive(() => run(register, decide(register), input.requestId ?? info.workflowId));
    } catch (err) {
      throw toFailure(err);
    }
  }

  // The register lives on: only the history's length ends a run, and a fresh run takes over.
  await condition(() => historyIsLong(input.continueAfterEvents));
  await ledger.idle();
  return continueAsNew<typeof cspWorkflow>({
    continueAfterEvents: input.continueAfterEvents,
    carried: { state: ledger.state, revision: ledger.revision },
  });
}
