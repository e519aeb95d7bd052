import { DomainError, type ErrorCode } from '../../domain/shared/errors';
import { decideNoc, type DecideContext } from '../../domain/noc/decide';
import { foldNoc } from '../../domain/noc/evolve';
import { NocEventSchemas, type NocEvent } from '../../domain/noc/events';
import type { NocCommand } from '../../domain/noc/commands';
import type { NocState } from '../../domain/noc/state';

/**
 * Decider specifications in the given (history) / when (command) / then (events | refusal) style.
 * The state is always rebuilt from the history through the real fold, so a test exercises decide
 * and evolve together the way the workflow does.
 */
export interface Decider<State, Command, Event, Context> {
  decide(command: Command, state: State, ctx: Context): Event[];
  fold(events: readonly Event[]): State;
  /** Throws when an emitted event would not be accepted by the event store's schema. */
  validate?(event: Event): void;
}

export interface Outcome<State, Event> {
  events: Event[];
  /** The state after the history and the new events. */
  state: State;
}

export interface Expectation<State, Event> {
  /** The command succeeds with exactly these events (each also valid against its schema). */
  then(expected: readonly Event[]): Outcome<State, Event>;
  /** The command is refused with this code (and this field, when one is given); the error is returned. */
  thenRefuses(code: ErrorCode, field?: string): DomainError;
}

export function deciderSpec<State, Command, Event, Context>(decider: Decider<State, Command, Event, Context>) {
  return function given(history: readonly Event[]) {
    return {
      when(command: Command, ctx: Context): Expectation<State, Event> {
        const before = decider.fold(history);
        return {
          then(expected) {
            const events = decider.decide(command, before, ctx);
            expect(events).toEqual(expected);
            events.forEach((event) => decider.validate?.(event));
            return { events, state: decider.fold([...history, ...events]) };
          },
          thenRefuses(code, field) {
            let events: Event[];
            try {
              events = decider.decide(command, before, ctx);
            } catch (error) {
              expect(error).toBeInstanceOf(DomainError);
              const refusal = error as DomainError;
              expect(refusal.code).toBe(code);
              if (field !== undefined) expect(refusal.field).toBe(field);
              return refusal;
            }
            throw new Error(`Expected a refusal with ${code}, but the command produced ${JSON.stringify(events)}`);
          },
        };
      },
    };
  };
}

/** An event is valid when its schema accepts it unchanged (no unknown keys stripped, nothing trimmed). */
export function validateNocEvent(event: NocEvent): void {
  const parsed = NocEventSchemas[event.type].parse(event.data);
  expect(parsed).toEqual(event.data);
}

export const given = deciderSpec<NocState, NocCommand, NocEvent, DecideContext>({
  decide: decideNoc,
  fold: foldNoc,
  validate: validateNocEvent,
});
