import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import type { EventActivities } from '../../activities/event-activities';
import { isSystem, type Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { COMMAND_MAX_AGE_MS, verifyCommand, type CommandSeal, type SignedCommandRecord, type TakenCommand, type TakenOutcome } from '../../domain/shared/signed-command';
import { CaseKind, CaseStatus, Jurisdiction } from '../search-attributes';
import { TakenCommands } from './taken-commands';
import { trustedCommandKeys } from './trusted-keys';

/**
 * What every case process (NOC, accreditation, CSP register) shares: its state and stream revision,
 * appends through the event activity, one command at a time, refusals as ApplicationFailures whose type
 * is the stable error code, and people's actions as one Update whose validator runs the decider.
 */
const { appendCaseEvents } = proxyActivities<EventActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: ['EVENT_SCHEMA_INVALID', 'EVENT_SCHEMA_UNKNOWN', 'WRONG_EXPECTED_REVISION'],
  },
});

/** Workflow time: deterministic on replay. */
export const nowIso = (): string => new Date(Date.now()).toISOString();

/** A refusal travels as an ApplicationFailure whose type is the stable error code. */
export function toFailure(err: unknown): unknown {
  if (err instanceof DomainError) {
    return ApplicationFailure.create({ type: err.code, message: err.message, nonRetryable: true, details: [{ field: err.field ?? null }] });
  }
  return err;
}

export interface ActionInput {
  type: string;
  actor: Actor;
  data?: unknown;
  commandId: string;
  /** The API's seal over the command, this case and the instant (domain/shared/signed-command.ts). */
  seal?: CommandSeal;
}

/** Marks the runs that check the seals of first commands; runs recorded before it never did. */
export const SIGNED_COMMANDS_PATCH = 'signed-commands';

/** Marks the hand-overs that carry the commands taken (still within their seal's window) to the next run. */
export const TAKEN_COMMANDS_CARRIED_PATCH = 'taken-commands-carried';

/**
 * Marks the hand-overs that carry, with each taken command, what it asked and how it was answered: the
 * next run answers the same person's resend of it (the API's update id, same payload) with that outcome.
 */
export const TAKEN_COMMANDS_ANSWERED_PATCH = 'taken-commands-answered';

/** What a case process hands its next run over continue-as-new. */
export interface CarriedCase<S> {
  state: S;
  revision: number;
  /** People's commands taken by earlier runs whose seals are still within their window: not taken again. */
  taken?: TakenCommand[];
}

/** Refuses a person's command the API did not seal for this process, in this window. */
export function verifyAction(action: ActionInput): CommandSeal {
  return verifyCommand(action, action.seal, { caseId: workflowInfo().workflowId, now: Date.now(), keys: trustedCommandKeys() });
}

/**
 * Whether a process may take its first command: a person's, sealed by the API for this process around
 * the time the process was started; or the engine's, only from a parent process (nobody outside the
 * engine starts a child). Runs recorded before seals existed are replayed as they ran.
 */
export function admitFirstCommand(command: { type: string; actor: Actor; data?: unknown }, commandId: string, seal: unknown): CommandSeal | undefined {
  if (!patched(SIGNED_COMMANDS_PATCH)) return undefined;
  const info = workflowInfo();
  try {
    if (isSystem(command.actor)) {
      if (info.parent === undefined) throw new DomainError('COMMAND_SIGNATURE_INVALID', 'Refused: only the engine opens this process for the engine', 'actor');
      return undefined;
    }
    return verifyCommand({ ...command, commandId }, seal, { caseId: info.workflowId, now: info.runStartTime.getTime(), keys: trustedCommandKeys() });
  } catch (err) {
    throw toFailure(err);
  }
}

/** A person's action as a command of the case's decider, its payload checked against the command's schema. */
export function parseAction<C>(
  schemas: Readonly<Record<string, z.ZodType>>,
  input: ActionInput,
  what: string,
  notActions: ReadonlySet<string>,
): C {
  if (notActions.has(input.type)) {
    throw new DomainError('VALIDATION_FAILED', `${input.type} is not an action a person takes on a ${what}`, 'type');
  }
  const schema = schemas[input.type];
  if (!schema) throw new DomainError('VALIDATION_FAILED', `Unknown ${what} action ${String(input.type)}`, 'type');
  const parsed = schema.safeParse(input.data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError('VALIDATION_FAILED', issue?.message ?? 'Invalid input', issue?.path.join('.') || undefined);
  }
  return { type: input.type, actor: input.actor, data: parsed.data } as C;
}

/** Whether the run should hand over to a fresh one: the server's suggestion, or a test's lower bound. */
export function historyIsLong(continueAfterEvents?: number): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || (continueAfterEvents !== undefined && info.historyLength >= continueAfterEvents);
}

/**
 * The search attributes of a case that belongs to the federal Cloud Office alone (compliance cases:
 * SPEC §3.2), kept current after each commit: the ledger's `onCommitted`.
 */
export const federalCaseAttributes =
  (kind: string) =>
  (state: { status: string }): void =>
    upsertSearchAttributes([
      { key: CaseKind, value: kind },
      { key: CaseStatus, value: state.status },
      { key: Jurisdiction, value: 'federal' },
    ]);

export class CaseLedger<S, E extends { type: string; data: unknown }> {
  private busy = false;
  /** While the case's first command is being written: the state it leads to. */
  private opening: S | undefined;
  /** While a person's command runs: what the API signed, kept in the metadata of its events. */
  private signed: SignedCommandRecord | undefined;
  /** People's commands taken by this run and, carried over continue-as-new, by the runs before it. */
  private readonly taken: TakenCommands;

  constructor(
    public state: S,
    /** Revision of the stream's last event; -1 before any. */
    public revision: number,
    private readonly options: {
      evolve: (state: S, event: E) => S;
      policyVersion: string;
      /** Keeps search attributes current after each commit. */
      onCommitted: (state: S) => void;
      /** The commands earlier runs took, carried over continue-as-new. */
      taken?: readonly TakenCommand[];
      /** How long after its issue a command this process takes stays good (its longest seal window). */
      commandWindowMs?: number;
    },
  ) {
    // A state handed over is only believed from the process's own previous run, never from a starter.
    if (revision >= 0 && workflowInfo().continuedFromExecutionRunId === undefined) {
      throw ApplicationFailure.nonRetryable('A case state is only carried over from its own previous run', 'COMMAND_SIGNATURE_INVALID');
    }
    this.taken = new TakenCommands(options.taken ?? []);
  }

  /** Refuses a person's command this process has already taken under another update id (a captured command sent again). */
  checkNotTaken(action: { actor: Actor; commandId: string; type: string; data?: unknown }): void {
    this.taken.checkNotTaken(action);
  }

  /** How an earlier run answered this command, when this is the API's resend of it (see TakenCommands). */
  earlierAnswer(action: { actor: Actor; commandId: string; type: string; data?: unknown }): TakenOutcome | undefined {
    return this.taken.earlierAnswer(action);
  }

  /** Marks a person's command as taken, from the moment its action is accepted. */
  take(action: { actor: Actor; commandId: string; type: string; data?: unknown; seal?: { issuedAt: string } }): void {
    // An unsealed command (runs recorded before seals) counts as issued when it was taken.
    this.taken.take(action, action.seal?.issuedAt ?? nowIso());
  }

  /** Records how a taken command was answered, for a resend that reaches a later run. */
  answered(action: { actor: Actor; commandId: string }, outcome: TakenOutcome): void {
    this.taken.answered(action, outcome);
  }

  /**
   * What continue-as-new hands the next run: the state, its revision and the commands taken whose seals
   * the next run could still accept (issued less than the window ago), so the set stays small. Runs
   * recorded before the taken commands were carried handed over state and revision alone.
   */
  handOver(): CarriedCase<S> {
    const carried: CarriedCase<S> = { state: this.state, revision: this.revision };
    if (!patched(TAKEN_COMMANDS_CARRIED_PATCH)) return carried;
    const window = this.options.commandWindowMs ?? COMMAND_MAX_AGE_MS;
    return { ...carried, taken: this.taken.toHandOver(Date.now(), window, patched(TAKEN_COMMANDS_ANSWERED_PATCH)) };
  }

  /** Runs a person's signed command: its events keep the signed command. */
  async asSigned<T>(record: SignedCommandRecord | undefined, fn: () => Promise<T>): Promise<T> {
    if (record !== undefined) this.take(record);
    this.signed = record;
    try {
      return await fn();
    } finally {
      this.signed = undefined;
    }
  }

  /** Appends the events (ids from stream and revision: a retry writes nothing twice), then evolves the state. */
  async commit(stream: string, events: E[], actor: Actor, causationId: string): Promise<void> {
    if (events.length === 0) return;
    const result = await appendCaseEvents({
      stream,
      expectedRevision: this.revision,
      events,
      actor,
      occurredAt: nowIso(),
      correlationId: workflowInfo().workflowId,
      causationId,
      policyVersion: this.options.policyVersion,
      ...(this.signed === undefined ? {} : { command: this.signed }),
    });
    this.state = events.reduce(this.options.evolve, this.state);
    this.revision = result.revision;
    this.opening = undefined;
    this.options.onCommitted(this.state);
  }

  /**
   * The state a person's action is judged against: actions can arrive before the case's first events
   * are written, and are then judged against the state the first command leads to.
   */
  get stateForValidation(): S {
    return this.opening ?? this.state;
  }

  /**
   * Whether the state to judge an action against is known: not while an action delivered in the very
   * activation that starts the process is validated before the first command is read. Its handler waits
   * for the first events and judges it then.
   */
  get canJudge(): boolean {
    return this.revision >= 0 || this.opening !== undefined;
  }

  /**
   * Writes the case's first command (a request, a submission, an opening, a registration); actions that
   * arrive meanwhile queue behind it. A refusal fails the process with the refusal's code.
   */
  async open<C extends { type: string; actor: Actor; data?: unknown }>(
    command: C,
    decide: (command: C) => E[],
    run: (command: C, events: E[], causationId: string) => Promise<void>,
    causationId: string,
    seal?: unknown,
  ): Promise<void> {
    const sealed = admitFirstCommand(command, causationId, seal);
    const record = sealed === undefined ? undefined : { type: command.type, commandId: causationId, actor: command.actor, data: command.data ?? {}, seal: sealed };
    try {
      this.opening = decide(command).reduce(this.options.evolve, this.state);
      await this.exclusive(() => this.asSigned(record, () => run(command, decide(command), causationId)));
    } catch (err) {
      throw toFailure(err);
    }
  }

  /** Runs one command at a time: an update that awaited its append must not interleave with another. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    // Re-checked after every wake-up: two waiters may wake together, and only one may go on.
    while (this.busy) await condition(() => !this.busy);
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
    }
  }

  /** Resolves once no command runs and every update has answered: the moment to continue-as-new or end. */
  idle(): Promise<void> {
    return condition(() => !this.busy && allHandlersFinished());
  }
}

/**
 * People's actions on a case: one update whose validator runs the decider on the state the case is in
 * (or will be in once its first events are written), so a refused action never enters history; the
 * handler waits for the first events, then decides again, since another action may have committed
 * meanwhile.
 */
export function handleActions<I extends ActionInput, V extends { revision: number }, S, C, E extends { type: string; data: unknown }>(
  update: UpdateDefinition<V, [I]>,
  ledger: CaseLedger<S, E>,
  o: {
    toCommand: (input: I) => C;
    decide: (command: C, on?: S) => E[];
    run: (command: C, events: E[], commandId: string, action: I) => Promise<void>;
    view: () => V;
    /** What else a process demands of an action before it is accepted (e.g. a measure it must carry). */
    check?: (action: I, state: S) => void;
  },
): void {
  setHandler(
    update,
    async (action) => {
      const earlier = ledger.earlierAnswer(action);
      if (earlier !== undefined) return answerAgain(earlier, ledger, o.view);
      // Taken at once: a copy of it delivered in the same activation finds it taken.
      ledger.take(action);
      // An action can be delivered before the process has written its first events (same activation as
      // the start, in either order): it waits for them, then takes its turn.
      await condition(() => o.view().revision >= 0);
      return ledger.exclusive(async () => {
        try {
          const command = o.toCommand(action);
          // Judged here too: an action the validator could not judge yet (see canJudge) is judged now.
          if (action.seal !== undefined) o.check?.(action, ledger.state);
          const signed = signedRecordOf(action);
          await ledger.asSigned(signed, () => o.run(command, o.decide(command), action.commandId, action));
          ledger.answered(action, { applied: true });
          return o.view();
        } catch (err) {
          // A decided refusal is the command's answer; any other failure leaves it taken, unanswered.
          if (err instanceof DomainError) ledger.answered(action, { refused: { code: err.code, message: err.message, field: err.field ?? null } });
          throw toFailure(err);
        }
      });
    },
    {
      validator: (action) => {
        try {
          verifyAction(action);
          ledger.checkNotTaken(action);
          const earlier = ledger.earlierAnswer(action);
          // A resend of a refused command is refused again before it enters history; an applied one is answered by the handler.
          if (earlier !== undefined && 'refused' in earlier) throw new DomainError(earlier.refused.code, earlier.refused.message, earlier.refused.field ?? undefined);
          if (earlier !== undefined || !ledger.canJudge) return;
          o.check?.(action, ledger.stateForValidation);
          o.decide(o.toCommand(action), ledger.stateForValidation);
        } catch (err) {
          throw toFailure(err);
        }
      },
    },
  );
}

/**
 * A resend's answer, the outcome an earlier run gave: an applied command answers with the case as it is
 * now (it runs nothing and writes nothing, after any command in flight), a refused one with its refusal.
 */
async function answerAgain<S, E extends { type: string; data: unknown }, V>(outcome: TakenOutcome, ledger: CaseLedger<S, E>, view: () => V): Promise<V> {
  if ('refused' in outcome) {
    const { code, message, field } = outcome.refused;
    throw toFailure(new DomainError(code, message, field ?? undefined));
  }
  return ledger.exclusive(() => Promise.resolve(view()));
}

/** The signed command an accepted action carried (its validator verified the seal); none on runs recorded before seals. */
function signedRecordOf(action: ActionInput): SignedCommandRecord | undefined {
  if (action.seal === undefined) return undefined;
  return { type: action.type, commandId: action.commandId, actor: action.actor, data: action.data ?? {}, seal: action.seal };
}
