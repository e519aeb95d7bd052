import { ApplicationFailure, condition, continueAsNew, patched, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { NocCommandPayloads, type NocCommand } from '../../domain/noc/commands';
import { decideNoc } from '../../domain/noc/decide';
import { evolveNoc } from '../../domain/noc/evolve';
import type { NocEvent } from '../../domain/noc/events';
import { NOC_FINAL, initialNocState, type NocState } from '../../domain/noc/state';
import { CaseKind, CaseStatus, Jurisdiction } from '../search-attributes';
import { CaseLedger, handleActions, historyIsLong, nowIso, parseAction } from '../shared/case-process';
import { nocActionUpdate, nocRequestedUpdate, nocStateQuery, nocWakeSignal, type NocActionInput, type NocView, type NocWorkflowInput } from './messages';
import { nextNocDeadline } from './timers';

/** The request starts the process; the engine's own steps come from its timers. */
const NOT_ACTIONS = new Set(['RequestNoc', 'Lapse', 'RecordExpiryReminder', 'Expire']);

function toCommand(input: NocActionInput): NocCommand {
  if (input.type === 'RequestNoc') {
    throw new DomainError('VALIDATION_FAILED', 'A NOC is requested by starting its process, not by an action', 'type');
  }
  return parseAction<NocCommand>(NocCommandPayloads, input, 'NOC', NOT_ACTIONS);
}

/**
 * Marks the runs that hand over to a fresh run before they wait on a timer. A NOC in force waits months
 * for its reminders and its expiry; the worker keeps a few hundred processes in memory, and one it has
 * let go replays its whole history (request, review, recommendation, decision) when its timer fires,
 * and the engine sends that history over. A fresh run has a handful of events to replay. Runs recorded
 * before it wait in the run they are in.
 */
export const REST_BEFORE_TIMERS_PATCH = 'noc-rests-before-timers';

/** More events than a fresh run holds when it sets its first timer (started, a workflow task, the timer). */
const RESTED_HISTORY_EVENTS = 10;

/** Whether the run should hand over before it waits on a timer: only when it has a history to shed. */
function restsBeforeTimer(): boolean {
  return workflowInfo().historyLength > RESTED_HISTORY_EVENTS && patched(REST_BEFORE_TIMERS_PATCH);
}

/**
 * One NOC's life, from request to its final state (SPEC §3.3). People act through the `nocAction`
 * update, whose validator runs the decider so a refused action never enters history; the engine's own
 * steps (lapse, reminders, expiry) run on durable timers.
 */
export async function nocWorkflow(input: NocWorkflowInput): Promise<NocView> {
  const { policy } = input;
  const info = workflowInfo();
  const ledger = new CaseLedger<NocState, NocEvent>(input.carried?.state ?? initialNocState, input.carried?.revision ?? -1, {
    evolve: evolveNoc,
    policyVersion: policy.version,
    taken: input.carried?.taken,
    onCommitted: (state) => {
      if (state.status === 'none') return;
      upsertSearchAttributes([
        { key: CaseKind, value: 'noc' },
        { key: CaseStatus, value: state.status },
        { key: Jurisdiction, value: state.request.jurisdiction },
      ]);
    },
  });
  const view = (): NocView => ({ state: ledger.state, revision: ledger.revision });
  const decide = (command: NocCommand, on: NocState = ledger.state): NocEvent[] => decideNoc(command, on, { now: nowIso(), policy });
  const stream = (command: NocCommand): string =>
    `noc-${ledger.state.status === 'none' ? (command as Extract<NocCommand, { type: 'RequestNoc' }>).data.nocId : ledger.state.request.nocId}`;
  const run = (command: NocCommand, events: NocEvent[], causationId: string) => ledger.commit(stream(command), events, command.actor, causationId);

  setHandler(nocStateQuery, view);
  // No command of its own (a handler changes no history a running process replays), and a request the
  // process refuses ends it before this answers: the caller then reads the refusal from its result.
  setHandler(nocRequestedUpdate, async () => {
    await condition(() => ledger.revision >= 0);
    return view();
  });
  setHandler(nocWakeSignal, () => undefined);
  handleActions(nocActionUpdate, ledger, { toCommand, decide, run, view });

  if (ledger.state.status === 'none') {
    if (!input.request) throw ApplicationFailure.nonRetryable('A NOC process starts with its request', 'VALIDATION_FAILED');
    await ledger.open(input.request, decide, run, input.requestId ?? info.workflowId, input.seal);
  }

  const handOver = async (): Promise<never> => {
    // Once no action is in flight; actions sent meanwhile reach the next run (the engine resends them there).
    await ledger.idle();
    return continueAsNew<typeof nocWorkflow>({ policy, continueAfterEvents: input.continueAfterEvents, carried: ledger.handOver() });
  };

  while (ledger.state.status === 'none' || !NOC_FINAL.includes(ledger.state.status)) {
    const seen = ledger.revision;
    const deadline = nextNocDeadline(ledger.state, policy);
    if (deadline !== undefined && restsBeforeTimer()) await handOver();
    if (deadline === undefined) {
      await condition(() => ledger.revision !== seen || historyIsLong(input.continueAfterEvents));
    } else {
      // Temporal timers need a positive duration; an overdue step fires after 1 ms.
      const wait = Math.max(1, Date.parse(deadline.at) - Date.now());
      const changed = await condition(() => ledger.revision !== seen, wait);
      if (!changed) {
        await ledger.exclusive(async () => {
          if (ledger.revision !== seen) return; // a person acted while we queued; re-plan
          const command = { ...deadline.command, actor: SYSTEM_ACTOR } as NocCommand;
          await run(command, decide(command), `timer:${deadline.command.type}:${deadline.at}`);
        });
      }
    }
    // Bounded history: hand the state over to a fresh run.
    if (historyIsLong(input.continueAfterEvents)) await handOver();
  }
  // Let in-flight updates reply before the process closes.
  await ledger.idle();
  return view();
}
