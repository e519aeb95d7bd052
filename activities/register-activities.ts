import type { AccreditationEvent } from '../domain/accreditation/events';
import { evolveAccreditation } from '../domain/accreditation/evolve';
import { ACCREDITATION_HELD, initialAccreditationState, type AccreditationState } from '../domain/accreditation/state';
import type { ChangeEvent } from '../domain/compliance/change-events';
import { foldChange } from '../domain/compliance/change-evolve';
import type { CspCommandOf } from '../domain/csp/commands';
import { offeringStream } from '../domain/csp/events';
import type { Actor } from '../domain/shared/actor';
import { eventId } from '../eventstore/envelope';
import { WrongExpectedRevisionError, type EventStore } from '../eventstore/port';
import { currentVersion, decode, validateForWrite } from '../eventstore/registry';

/** Facts read from another process's stream, with the id of the event that caused the register to act on them. */
export interface Read<T> {
  data: T;
  causationId: string;
}

export interface RegisterActivityDeps {
  eventStore: EventStore;
}

export interface ReserveOfferingIdInput {
  offeringId: string;
  cspId: string;
  actor: Actor;
  occurredAt: string;
  correlationId: string;
  causationId: string;
  policyVersion: string;
}

/**
 * What the CSP register process reads and writes beyond its own stream. Everything it learns about
 * another process (a significant change, an accreditation) it reads from that process's stream in the
 * event store, the source of truth: a message only says where to look, so nobody can make the register
 * act by naming a change that was not approved or an application that is not held.
 */
export function createRegisterActivities({ eventStore }: RegisterActivityDeps) {
  return {
    /**
     * Reserves the offering id for the CSP, register-wide: the stream `offering-<id>` is created with
     * expected revision no-stream, which the store grants to exactly one writer. Answers the CSP that
     * owns the id — the caller's own on success or on a retry, another's when the id is taken.
     */
    async reserveOfferingId(input: ReserveOfferingIdInput): Promise<{ ownerCspId: string }> {
      const stream = offeringStream(input.offeringId);
      const type = 'OfferingIdReserved';
      const data = validateForWrite(type, { offeringId: input.offeringId, cspId: input.cspId, reservedBy: input.actor.userId });
      try {
        await eventStore.append(
          stream,
          [
            {
              // Named by the claimant too: two CSPs' claims are different events, never one's retry of the other's.
              id: eventId(`${stream}:${input.cspId}`, 0),
              type,
              data,
              metadata: {
                schemaVersion: currentVersion(type),
                actor: { userId: input.actor.userId, name: input.actor.name, role: input.actor.role, jurisdiction: input.actor.jurisdiction },
                occurredAt: input.occurredAt,
                correlationId: input.correlationId,
                causationId: input.causationId,
                policyVersion: input.policyVersion,
              },
            },
          ],
          'no-stream',
        );
      } catch (err) {
        if (!(err instanceof WrongExpectedRevisionError)) throw err;
      }
      // Whoever wrote first owns the id; read it back rather than trust the outcome of the append alone.
      const [first] = await eventStore.readStream(stream, { maxCount: 1 });
      if (first === undefined) throw new Error(`Stream ${stream} is empty after its reservation`);
      return { ownerCspId: (decode(first).data as { cspId: string }).cspId };
    },

    /** A significant change as its stream records it, in the terms the CSP register decides on; undefined when there is none. */
    async readSignificantChange(changeId: string): Promise<Read<CspCommandOf<'ApplyApprovedChange'>['data']> | undefined> {
      const recorded = await eventStore.readStream(`change-${changeId}`);
      const state = foldChange(recorded.map((e) => ({ type: e.type, data: decode(e).data }) as ChangeEvent));
      if (state.status === 'none') return undefined;
      const { change } = state;
      const data = {
        changeId: change.changeId,
        cspId: change.cspId,
        offeringId: change.offeringId,
        status: state.status,
        ...(state.decidedBy === undefined ? {} : { decidedBy: state.decidedBy }),
        ...(change.offeringChanges === undefined ? {} : { offeringChanges: change.offeringChanges }),
      };
      // Caused by the decision: the approval (or rejection) event, else the request's latest event.
      const decision = recorded.find((e) => e.type === 'SignificantChangeApproved' || e.type === 'SignificantChangeRejected') ?? recorded.at(-1);
      return { data, causationId: (decision ?? recorded[0])?.id ?? `change-${changeId}` };
    },

    /** An accreditation application's standing as its stream records it; undefined when there is none. */
    async readAccreditationStanding(applicationId: string): Promise<Read<CspCommandOf<'RecordAccreditationStanding'>['data']> | undefined> {
      const recorded = await eventStore.readStream(`accreditation-${applicationId}`);
      const events = recorded.map((e) => ({ type: e.type, data: decode(e).data }) as AccreditationEvent);
      const state: AccreditationState = events.reduce(evolveAccreditation, initialAccreditationState);
      if (state.status === 'none') return undefined;
      const data = {
        applicationId,
        cspId: state.application.cspId,
        offeringId: state.application.offering.offeringId,
        status: state.status,
        held: ACCREDITATION_HELD.includes(state.status),
      };
      // Caused by the application's latest event: the one that moved it into or out of a held status.
      return { data, causationId: recorded.at(-1)?.id ?? `accreditation-${applicationId}` };
    },
  };
}

export type RegisterActivities = ReturnType<typeof createRegisterActivities>;
