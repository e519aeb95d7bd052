import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { EventActivities } from '../../activities/event-activities';
import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { NocCommandPayloads, type NocCommand } from '../../domain/noc/commands';
import { decideNoc } from '../../domain/noc/decide';
import { evolveNoc } from '../../domain/noc/evolve';
import type { NocEvent } from '../../domain/noc/events';
import { NOC_FINAL, initialNocState, type NocState } from '../../domain/noc/state';
import { CaseKind, CaseStatus, Jurisdiction } from '../search-attributes';
import { nocActionUpdate, nocStateQuery, nocWakeSignal, type NocActionInput, type NocView, type NocWorkflowInput } from './messages';
import { nextNocDeadline } from './timers';

const { appendCaseEvents } = proxyActivities<EventActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['EVENT_SCHEMA_INVALID', 'EVENT_SCHEMA_UNKNOWN', 'WRONG_EXPECTED_REVISION'] },
});

const nowIso = (): string => new Date(Date.now()).toISOString();

/** A refusal travels as an ApplicationFailure whose type is the stable error code. */
function toFailure(err: unknown): unknown {
  if (err instanceof DomainError) {
    return ApplicationFailure.create({
      type: err.code,
      message: err.message,
      nonRetryable: true,
      details: [{ field: err.field ?? null }],
    });
  }
  return err;
}

function toCommand(input: NocActionInput): NocCommand {
  if (input.type === 'RequestNoc') {
    throw new DomainError('VALIDATION_FAILED', 'A NOC is requested by starting its process, not by an action', 'type');
  }
  const schema = NocCommandPayloads[input.type];
  if (!schema) throw new DomainError('VALIDATION_FAILED', `Unknown NOC action ${String(input.type)}`, 'type');
  const parsed = schema.safeParse(input.data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError('VALIDATION_FAILED', issue?.message ?? 'Invalid input', issue?.path.join('.') || undefined);
  }
  return { type: input.type, actor: input.actor, data: parsed.data } as NocCommand;
}

/**
 * One NOC's life, from request to its final state (SPEC §3.3). People act through the `nocAction`
 * update, whose validator runs the decider so a refused action never enters history; the engine's own
 * steps (lapse, reminders, expiry) run on durable timers.
 */
export async function nocWorkflow(input: NocWorkflowInput): Promise<NocView> {
  const { policy } = input;
  const info = workflowInfo();
  let state: NocState = input.carried?.state ?? initialNocState;
  let revision = input.carried?.revision ?? -1;
  let busy = false;

  const historyIsLong = (): boolean =>
    workflowInfo().continueAsNewSuggested ||
    (input.continueAfterEvents !== undefined && workflowInfo().historyLength >= input.continueAfterEvents);

  const view = (): NocView => ({ state, revision });
  const decide = (command: NocCommand, on: NocState = state): NocEvent[] => decideNoc(command, on, { now: nowIso(), policy });
  /**
   * Actions can arrive before the request's own events are written; they are judged against the state
   * the request leads to, and their handlers queue behind the request's commit.
   */
  let requested: NocState | undefined;
  const stateForValidation = (): NocState => (state.status === 'none' && requested ? requested : state);

  const commit = async (events: NocEvent[], command: NocCommand, causationId: string): Promise<void> => {
    if (events.length === 0) return;
    const stream = `noc-${state.status === 'none' ? (command as Extract<NocCommand, { type: 'RequestNoc' }>).data.nocId : state.request.nocId}`;
    const result = await appendCaseEvents({
      stream,
      expectedRevision: revision,
      events,
      actor: command.actor,
      occurredAt: nowIso(),
      correlationId: info.workflowId,
      causationId,
      policyVersion: policy.version,
    });
    state = events.reduce(evolveNoc, state);
    revision = result.revision;
    if (state.status !== 'none') {
      upsertSearchAttributes([
        { key: CaseKind, value: 'noc' },
        { key: CaseStatus, value: state.status },
        { key: Jurisdiction, value: state.request.jurisdiction },
      ]);
    }
  };

  /** Runs one command at a time: an update that awaited its append must not interleave with another. */
  const exclusive = async <T>(fn: () => Promise<T>): Promise<T> => {
    // Re-checked after every wake-up: two waiters may wake together, and only one may go on.
    while (busy) await condition(() => !busy);
    busy = true;
    try {
      return await fn();
    } finally {
      busy = false;
    }
  };

  setHandler(nocStateQuery, view);
  setHandler(nocWakeSignal, () => undefined);
  setHandler(
    nocActionUpdate,
    (action) =>
      exclusive(async () => {
        try {
          // Decided again here: another action may have committed since the validator ran.
          const command = toCommand(action);
          await commit(decide(command), command, action.commandId);
          return view();
        } catch (err) {
          throw toFailure(err);
        }
      }),
    {
      validator: (action) => {
        try {
          decide(toCommand(action), stateForValidation());
        } catch (err) {
          throw toFailure(err);
        }
      },
    },
  );

  if (state.status === 'none') {
    if (!input.request) throw ApplicationFailure.nonRetryable('A NOC process starts with its request', 'VALIDATION_FAILED');
    const request = input.request;
    try {
      requested = decide(request).reduce(evolveNoc, state);
      await exclusive(() => commit(decide(request), request, input.requestId ?? info.workflowId));
    } catch (err) {
      throw toFailure(err);
    }
  }

  while (state.status === 'none' || !NOC_FINAL.includes(state.status)) {
    const seen = revision;
    const deadline = nextNocDeadline(state, policy);
    if (deadline === undefined) {
      await condition(() => revision !== seen || historyIsLong());
    } else {
      // Temporal timers need a positive duration; an overdue step fires after 1 ms.
      const wait = Math.max(1, Date.parse(deadline.at) - Date.now());
      const changed = await condition(() => revision !== seen, wait);
      if (!changed) {
        await exclusive(async () => {
          if (revision !== seen) return; // a person acted while we queued; re-plan
          const command = { ...deadline.command, actor: SYSTEM_ACTOR } as NocCommand;
          await commit(decide(command), command, `timer:${deadline.command.type}:${deadline.at}`);
        });
      }
    }
    if (historyIsLong()) {
      // Bounded history: hand the state over to a fresh run once no action is in flight.
      await condition(() => !busy && allHandlersFinished());
      await continueAsNew<typeof nocWorkflow>({ policy, continueAfterEvents: input.continueAfterEvents, carried: { state, revision } });
    }
  }
  // Let in-flight updates reply before the process closes.
  await condition(allHandlersFinished);
  return view();
}
