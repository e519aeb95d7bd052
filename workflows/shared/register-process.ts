import { ApplicationFailure, condition, log, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import { DomainError } from '../../domain/shared/errors';
import type { CommandSeal } from '../../domain/shared/signed-command';
import { CaseKind, CaseStatus } from '../search-attributes';
import { CaseLedger, handleActions, historyIsLong, nowIso, parseAction, type ActionInput, type CarriedCase } from './case-process';

/** The state of a register entry: 'none' until registered, then something with a status. */
type RegisterState = { status: string };

export interface RegisterInput<C, S> {
  /** The registration command, on first start. */
  register?: C;
  requestId?: string;
  /** The API's seal over the first command (its command id: requestId) and this process. */
  seal?: CommandSeal;
  continueAfterEvents?: number;
  carried?: CarriedCase<S>;
}

/** What an engine-to-engine handler may do: read facts (activities), then decide and write like any command, one at a time. */
export interface RegisterEngine<S, C> {
  state: () => S;
  /** Reads the command to run (undefined: nothing to do), then decides and writes it; a refusal is logged, not thrown. */
  step(what: string, read: () => Promise<{ command: C; causationId: string } | undefined>): Promise<void>;
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
    /** Commands only the engine issues: refused as a person's action. */
    engineCommands?: readonly string[];
    /** Runs before a command's events are written (a register-wide reservation, say); throws to refuse the command. */
    beforeCommit?: (command: C, state: S, causationId: string) => Promise<void>;
    /** Installs the process's engine-to-engine handlers; their steps take turns with people's actions. */
    install?: (engine: RegisterEngine<S, C>) => void;
  },
): Promise<{ continueAfterEvents?: number; carried: CarriedCase<S> }> {
  const info = workflowInfo();
  const ledger = new CaseLedger<S, E>(input.carried?.state ?? o.initialState, input.carried?.revision ?? -1, {
    evolve: o.evolve,
    policyVersion: o.policyVersion,
    taken: input.carried?.taken,
    onCommitted: (state) =>
      upsertSearchAttributes([
        { key: CaseKind, value: o.kind },
        { key: CaseStatus, value: state.status },
      ]),
  });
  const view = (): RegisterView<S> => ({ state: ledger.state, revision: ledger.revision });
  const decide = (command: C, on: S = ledger.state): E[] => o.decide(command, on, { now: nowIso() });
  const run = async (command: C, events: E[], causationId: string): Promise<void> => {
    if (events.length > 0 && o.beforeCommit) await o.beforeCommit(command, ledger.state, causationId);
    await ledger.commit(o.streamOf(ledger.state, command), events, command.actor, causationId);
  };

  setHandler(o.query, view);
  handleActions(o.update, ledger, {
    toCommand: (action: ActionInput) => parseAction<C>(o.payloads, action, o.what, new Set([o.registerType, ...(o.engineCommands ?? [])])),
    decide,
    run,
    view,
  });
  o.install?.({
    state: () => ledger.state,
    async step(what, read) {
      await condition(() => ledger.revision >= 0);
      await ledger.exclusive(async () => {
        const next = await read();
        if (next === undefined) {
          log.warn(`${o.what} engine step found nothing to act on`, { what });
          return;
        }
        try {
          await run(next.command, decide(next.command), next.causationId);
        } catch (err) {
          // A signal has nobody to answer: a refusal is logged and the register goes on as it was.
          if (!(err instanceof DomainError)) throw err;
          log.warn(`${o.what} engine step refused`, { what, code: err.code, message: err.message });
        }
      });
    },
  });

  if (ledger.state.status === 'none') {
    if (!input.register) throw ApplicationFailure.nonRetryable(`A ${o.what} process starts with its registration`, 'VALIDATION_FAILED');
    await ledger.open(input.register, decide, run, input.requestId ?? info.workflowId, input.seal);
  }

  // The register lives on: only the history's length ends a run, and a fresh run takes over.
  await condition(() => historyIsLong(input.continueAfterEvents));
  await ledger.idle();
  return { continueAfterEvents: input.continueAfterEvents, carried: ledger.handOver() };
}
