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
import { DomainError } from '../../domain/shared/errors';
import { CspCommandPayloads, type CspCommand } from '../../domain/csp/commands';
import { decideCsp } from '../../domain/csp/decide';
import type { CspEvent } from '../../domain/csp/events';
import { evolveCsp } from '../../domain/csp/evolve';
import { initialCspState, type CspState } from '../../domain/csp/state';
import { CaseKind, CaseStatus } from '../search-attributes';
import { cspActionUpdate, cspStateQuery, type CspActionInput, type CspView, type CspWorkflowInput } from './messages';

const { appendCaseEvents } = proxyActivities<EventActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['EVENT_SCHEMA_INVALID', 'EVENT_SCHEMA_UNKNOWN', 'WRONG_EXPECTED_REVISION'] },
});

/** The register has no policy of its own; events still name one so every stream's metadata reads alike. */
export const CSP_REGISTER_POLICY_VERSION = 'csp-register-1';

const nowIso = (): string => new Date(Date.now()).toISOString();

/** A refusal travels as an ApplicationFailure whose type is the stable error code. */
function toFailure(err: unknown): unknown {
  if (err instanceof DomainError) {
    return ApplicationFailure.create({ type: err.code, message: err.message, nonRetryable: true, details: [{ field: err.field ?? null }] });
  }
  return err;
}

function toCommand(input: CspActionInput): CspCommand {
  if ((input.type as string) === 'RegisterCsp') {
    throw new DomainError('VALIDATION_FAILED', 'A CSP is registered by starting its process, not by an action', 'type');
  }
  const schema = CspCommandPayloads[input.type];
  if (!schema) throw new DomainError('VALIDATION_FAILED', `Unknown CSP action ${String(input.type)}`, 'type');
  const parsed = schema.safeParse(input.data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError('VALIDATION_FAILED', issue?.message ?? 'Invalid input', issue?.path.join('.') || undefined);
  }
  return { type: input.type, actor: input.actor, data: parsed.data } as CspCommand;
}

/**
 * One provider's register entry (SPEC §3.1), for as long as the provider exists: its offerings are
 * added, changed and retired through the `cspAction` update, whose validator runs the decider so a
 * refused action never reaches history. The process never ends by itself; it hands its state to a
 * fresh run whenever its history grows long.
 */
export async function cspWorkflow(input: CspWorkflowInput): Promise<CspView> {
  const info = workflowInfo();
  let state: CspState = input.carried?.state ?? initialCspState;
  let revision = input.carried?.revision ?? -1;
  let busy = false;

  const historyIsLong = (): boolean =>
    workflowInfo().continueAsNewSuggested ||
    (input.continueAfterEvents !== undefined && workflowInfo().historyLength >= input.continueAfterEvents);
  const view = (): CspView => ({ state, revision });
  const decide = (command: CspCommand, on: CspState = state): CspEvent[] => decideCsp(command, on, { now: nowIso() });
  /** Actions that arrive before the registration is written are judged against the state it leads to. */
  let registered: CspState | undefined;
  const stateForValidation = (): CspState => (state.status === 'none' && registered ? registered : state);

  const commit = async (events: CspEvent[], command: CspCommand, causationId: string): Promise<void> => {
    if (events.length === 0) return;
    const cspId = state.status === 'none' ? (command as Extract<CspCommand, { type: 'RegisterCsp' }>).data.cspId : state.cspId;
    const result = await appendCaseEvents({
      stream: `csp-${cspId}`,
      expectedRevision: revision,
      events,
      actor: command.actor,
      occurredAt: nowIso(),
      correlationId: info.workflowId,
      causationId,
      policyVersion: CSP_REGISTER_POLICY_VERSION,
    });
    state = events.reduce(evolveCsp, state);
    revision = result.revision;
    upsertSearchAttributes([
      { key: CaseKind, value: 'csp' },
      { key: CaseStatus, value: state.status },
    ]);
  };

  const exclusive = async <T>(fn: () => Promise<T>): Promise<T> => {
    while (busy) await condition(() => !busy);
    busy = true;
    try {
      return await fn();
    } finally {
      busy = false;
    }
  };

  setHandler(cspStateQuery, view);
  setHandler(
    cspActionUpdate,
    (action) =>
      exclusive(async () => {
        try {
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
    if (!input.register) throw ApplicationFailure.nonRetryable('A CSP process starts with its registration', 'VALIDATION_FAILED');
    const register = input.register;
    try {
      registered = decide(register).reduce(evolveCsp, state);
      await exclusive(() => commit(decide(register), register, input.requestId ?? info.workflowId));
    } catch (err) {
      throw toFailure(err);
    }
  }

  // The register lives on: only the history's length ends a run, and a fresh run takes over.
  await condition(() => historyIsLong() && !busy && allHandlersFinished());
  return continueAsNew<typeof cspWorkflow>({ continueAfterEvents: input.continueAfterEvents, carried: { state, revision } });
}
