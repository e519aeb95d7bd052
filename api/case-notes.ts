import { randomUUID } from 'node:crypto';
import { NoteEventSchemas, decideNotes, foldNotes, type CaseNote, type NoteEvent, type NotedCaseKind } from '../domain/notes';
import type { Actor } from '../domain/shared/actor';
import { DomainError } from '../domain/shared/errors';
import { eventId, streamName } from '../eventstore/envelope';
import { WrongExpectedRevisionError, type EventStore, type ExpectedRevision } from '../eventstore/port';
import { currentVersion, decode, validateForWrite } from '../eventstore/registry';

const POLICY_VERSION = 'case-notes-1';

/** The notes of a case live beside it: `notes-noc-NOC-…`, `notes-review-REV-…`. */
export const notesStream = (kind: NotedCaseKind, caseId: string): string => streamName('notes', streamName(kind, caseId));

export interface CaseNotes {
  /** The case's notes, oldest first. The caller has checked that the person may see the case. */
  list(kind: NotedCaseKind, caseId: string): Promise<CaseNote[]>;
  /** Records a note; the same noteId again records nothing and answers the note already kept. */
  add(actor: Actor, kind: NotedCaseKind, caseId: string, text: string, noteId?: string): Promise<CaseNote>;
}

/**
 * Notes are appended by the API itself, not by a workflow: the case's own stream belongs to its
 * workflow (which appends with the revision it expects), so notes keep a stream of their own and
 * never race it. Two notes at once on one case: the second append meets a moved revision and is retried.
 */
export function createCaseNotes(deps: { eventStore: Pick<EventStore, 'readStream' | 'append'>; now?: () => Date }): CaseNotes {
  const now = deps.now ?? (() => new Date());

  async function read(stream: string): Promise<{ events: NoteEvent[]; expected: ExpectedRevision }> {
    const recorded = await deps.eventStore.readStream(stream);
    const events = recorded.map((r) => {
      const decoded = decode(r);
      return { type: decoded.type, data: decoded.data } as NoteEvent;
    });
    const last = recorded.at(-1);
    return { events, expected: last === undefined ? 'no-stream' : last.revision };
  }

  async function attempt(actor: Actor, kind: NotedCaseKind, caseId: string, text: string, noteId: string): Promise<CaseNote> {
    const stream = notesStream(kind, caseId);
    const { events, expected } = await read(stream);
    const occurredAt = now().toISOString();
    const state = foldNotes(events);
    const added = decideNotes({ type: 'AddNote', actor, data: { noteId, caseKind: kind, caseId, text } }, state, { now: occurredAt });
    const first = expected === 'no-stream' ? 0 : (expected as number) + 1;
    if (added.length > 0) {
      await deps.eventStore.append(
        stream,
        added.map((event, i) => ({
          id: eventId(stream, first + i),
          type: event.type,
          data: validateForWrite(event.type, NoteEventSchemas[event.type].parse(event.data)),
          metadata: {
            schemaVersion: currentVersion(event.type),
            actor: { userId: actor.userId, name: actor.name, role: actor.role, jurisdiction: actor.jurisdiction },
            occurredAt,
            correlationId: streamName(kind, caseId),
            causationId: noteId,
            policyVersion: POLICY_VERSION,
          },
        })),
        expected,
      );
    }
    const note = [...state.notes, ...added.map((e) => e.data)].find((n) => n.noteId === noteId);
    if (note === undefined) throw new Error(`note ${noteId} vanished after it was written`);
    return note;
  }

  return {
    async list(kind, caseId) {
      return foldNotes((await read(notesStream(kind, caseId))).events).notes;
    },
    async add(actor, kind, caseId, text, noteId = randomUUID()) {
      for (let tries = 0; ; tries += 1) {
        try {
          return await attempt(actor, kind, caseId, text, noteId);
        } catch (err) {
          if (!(err instanceof WrongExpectedRevisionError)) throw err;
          if (tries >= 2) throw new DomainError('WRONG_EXPECTED_REVISION', 'The case’s notes changed while this one was written; try again');
        }
      }
    },
  };
}

