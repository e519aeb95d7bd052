import { ApplicationFailure, condition, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import type { CommandSeal } from '../../domain/shared/signed-command';
import { CaseKind, CaseStatus } from '../search-attributes';
import { CaseLedger, handleActions, historyIsLong, nowIso, parseAction, type ActionInput } from './case-process';

/** The state of a register entry: 'none' until registered, then something with a status. */
type RegisterState = { status: string };

export interface RegisterInput<C, S> {
  /** The registration command, on first start. */
  register?: C;
  requestId?: string;
  /** The API's seal over the first command (its command id: requestId) and this process. */
  seal?: CommandSeal;
  continueAfterEvents?: number;
  carried?: { state: S; revision: number };
}

export interface RegisterView<S> {
  state: S;
  revision: number;
}

/**
 * A register entry that lives as long as its organisation (a CSP, a PSE): registered when the process
 * starts, changed through one action update whose validator runs the decider, never ending by itself,
 * handing its state to a fresh run whenever its history grows long. Returns the carried-over input for
 * continue-as-new; the workflow function calls continueAsNew with it (it must name itself there).
 */
export async function runRegister<S extends RegisterState, E extends { type: string; data: unknown }, C extends { type: string; actor: ActionInput['actor']; data?: unknown }>(
  input: RegisterInput<C, S>,
  o: {
    kind: 'csp' | 'pse';
    what: string;
    policyVersion: string;
    initialState: S;
    registerType: string;
    payloads: Readonly<Record<string, z.ZodType>>;
    decide: (command: C, state: S, ctx: { now: string }) => E[];
    evolve: (state: S, event: E) => S;
    /** The stream of the entry: from the registration command before it is written, then from the state. */
    streamOf: (state: S, command: C) => string;
    update: UpdateDefinition<RegisterView<S>, [ActionInput]>;
    query: QueryDefinition<RegisterView<S>, []>;
  },
): Promise<{ continueAfterEvents?: number; carried: { state: S; revision: number } }> {
  const info = workflowInfo();
  const ledger = new CaseLedger<S, E>(input.carried?.state ?? o.initialState, input.carried?.revision ?? -1, {
    evolve: o.evolve,
    policyVersion: o.policyVersion,
    onCommitted: (state) =>
      upsertSearchAttributes([
        { key: CaseKind, value: o.kind },
        { key: CaseStatus, value: state.status },
      ]),
  });
  const view = (): RegisterView<S> => ({ state: ledger.state, revision: ledger.revision });
  const decide = (command: C, on: S = ledger.state): E[] => o.decide(command, on, { now: nowIso() });
  const run = (command: C, events: E[], causationId: string) => ledger.commit(o.streamOf(ledger.state, command), events, command.actor, causationId);

  setHandler(o.query, view);
  handleActions(o.update, ledger, {
    toCommand: (action: ActionInput) => parseAction<C>(o.payloads, action, o.what, new Set([o.registerType])),
    decide,
    run,
    view,
  });

  if (ledger.state.status === 'none') {
    if (!input.register) throw ApplicationFailure.nonRetryable(`A ${o.what} process starts with its registration`, 'VALIDATION_FAILED');
    await ledger.open(input.register, decide, run, input.requestId ?? info.workflowId, input.seal);
  }

  // The register lives on: only the history's length ends a run, and a fresh run takes over.
  await condition(() => historyIsLong(input.continueAfterEvents));
  await ledger.idle();
  return { continueAfterEvents: input.continueAfterEvents, carried: { state: ledger.state, revision: ledger.revision } };
}
