import { ApplicationFailure } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { Actor } from '../domain/shared/actor';
import type { SignedCommandRecord } from '../domain/shared/signed-command';
import { DomainError } from '../domain/shared/errors';
import { eventId } from '../eventstore/envelope';
import { WrongExpectedRevisionError, positionToString, type EventStore, type EventToAppend } from '../eventstore/port';
import { currentVersion, validateForWrite } from '../eventstore/registry';
import type { CrashPoints } from '../worker/crash-points';
import type { TimerLatenessObserver } from '../metrics/timers';

export interface AppendCaseEventsInput {
  stream: string;
  /** Revision of the stream's last event as the workflow knows it; -1 for a new stream. */
  expectedRevision: number;
  events: { type: string; data: unknown }[];
  actor: Actor;
  occurredAt: string;
  correlationId: string;
  causationId: string;
  policyVersion: string;
  /** The person's signed command that caused the events; the engine's own steps have none. */
  command?: SignedCommandRecord;
}

export interface AppendCaseEventsResult {
  revision: number;
  position: string;
}

export interface EventActivityDeps {
  eventStore: EventStore;
  logger: Logger;
  /** TEST ONLY: crashes the worker around the append (worker/crash-points.ts); absent in production. */
  crashPoints?: Pick<CrashPoints, 'maybeCrash'>;
  /** Told the events of every append once recorded; the worker's timer-lateness histogram listens. */
  timerLateness?: TimerLatenessObserver;
}

/** Envelopes for a step's events; ids come from stream and revision, so a retry produces the same ids. */
export function buildCaseEvents(input: AppendCaseEventsInput): EventToAppend[] {
  const actor = {
    userId: input.actor.userId,
    name: input.actor.name,
    role: input.actor.role,
    jurisdiction: input.actor.jurisdiction,
  };
  return input.events.map((event, i) => ({
    id: eventId(input.stream, input.expectedRevision + 1 + i),
    type: event.type,
    data: validateForWrite(event.type, event.data),
    metadata: {
      schemaVersion: currentVersion(event.type),
      actor,
      occurredAt: input.occurredAt,
      correlationId: input.correlationId,
      causationId: input.causationId,
      policyVersion: input.policyVersion,
      ...(input.command === undefined ? {} : { command: input.command }),
    },
  }));
}

/**
 * Activities that write a case's domain events. Built by a factory so the worker wires the store;
 * a retried append writes nothing twice.
 */
export function createEventActivities({ eventStore, logger, crashPoints, timerLateness }: EventActivityDeps) {
  return {
    async appendCaseEvents(input: AppendCaseEventsInput): Promise<AppendCaseEventsResult> {
      let toAppend: EventToAppend[];
      try {
        toAppend = buildCaseEvents(input);
      } catch (err) {
        // A schema refusal is a bug in the caller, not a passing fault: never retried.
        if (err instanceof DomainError) {
          throw ApplicationFailure.create({ type: err.code, message: err.message, nonRetryable: true });
        }
        throw err;
      }
      try {
        crashPoints?.maybeCrash('before-append');
        const result = await eventStore.append(
          input.stream,
          toAppend,
          input.expectedRevision < 0 ? 'no-stream' : input.expectedRevision,
        );
        timerLateness?.(input.events, Date.now());
        logger.info(
          {
            caseId: input.stream,
            workflowId: input.correlationId,
            events: input.events.map((e) => e.type),
            revision: result.nextExpectedRevision,
            actor: input.actor.userId,
          },
          'case transition',
        );
        // Written but not yet reported: Temporal retries the activity, whose append must then write nothing.
        crashPoints?.maybeCrash('after-append');
        return { revision: result.nextExpectedRevision, position: positionToString(result.position) };
      } catch (err) {
        if (err instanceof WrongExpectedRevisionError) {
          // Someone else wrote to the stream: retrying cannot help, and the workflow must know.
          throw ApplicationFailure.create({ type: 'WRONG_EXPECTED_REVISION', message: err.message, nonRetryable: true });
        }
        throw err;
      }
    },
  };
}

export type EventActivities = ReturnType<typeof createEventActivities>;
