import { buildCaseEvents } from '../../activities/event-activities';
import type { Actor } from '../../domain/shared/actor';
import type { EventToAppend } from '../../eventstore/port';

/** What one command of a script wrote: its envelopes, for the stream after `expectedRevision`. */
export interface ScriptStep {
  stream: string;
  expectedRevision: number;
  envelopes: EventToAppend[];
}

/**
 * One case's stream written command by command as its process writes it: the real decider and the
 * worker's own envelope code, so what the test stores is what production stores. `take` gives a
 * command's envelopes and moves the script past them; the caller stores them (a test log or a store).
 */
export class CaseScript<S, C extends { type: string; actor: Actor }, E extends { type: string; data: unknown }> {
  state: S;
  revision = -1;
  private step = 0;

  constructor(
    private readonly o: {
      stream: string;
      correlationId: string;
      policyVersion: string;
      initial: S;
      decide: (command: C, state: S, now: string) => E[];
      evolve: (state: S, event: E) => S;
    },
  ) {
    this.state = o.initial;
  }

  take(command: C, now: string): ScriptStep & { events: E[] } {
    const events = this.o.decide(command, this.state, now);
    this.step += 1;
    const expectedRevision = this.revision;
    const envelopes = buildCaseEvents({
      stream: this.o.stream,
      expectedRevision,
      events,
      actor: command.actor,
      occurredAt: now,
      correlationId: this.o.correlationId,
      causationId: `${command.type}-${this.step}`,
      policyVersion: this.o.policyVersion,
    });
    this.state = events.reduce(this.o.evolve, this.state);
    this.revision += events.length;
    return { stream: this.o.stream, expectedRevision, envelopes, events };
  }
}
