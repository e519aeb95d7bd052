import type { Actor } from '../shared/actor';
import { DomainError, assertNever } from '../shared/errors';
import type { Role } from '../shared/vocabulary';
import { NoteText, type CaseNote, type NoteEvent, type NotedCaseKind } from './events';

export type NoteCommand = {
  type: 'AddNote';
  actor: Actor;
  data: { noteId: string; caseKind: NotedCaseKind; caseId: string; text: string };
};

export interface NotesState {
  notes: CaseNote[];
}

export const EMPTY_NOTES: NotesState = { notes: [] };

/** Who works cases and so writes notes on them; auditors read them, organisations never see them. */
export const NOTE_WRITERS: readonly Role[] = ['reviewer', 'security-reviewer', 'director', 'provincial-officer'];
export const NOTE_READERS: readonly Role[] = [...NOTE_WRITERS, 'auditor'];

/**
 * Pure: adding a note. Only the office's case workers write notes; the text is required and bounded.
 * The same note id twice is the same note sent again (a retried form): nothing new is recorded.
 */
export function decideNotes(command: NoteCommand, state: NotesState, ctx: { now: string }): NoteEvent[] {
  switch (command.type) {
    case 'AddNote': {
      const { actor, data } = command;
      if (!NOTE_WRITERS.includes(actor.role)) throw new DomainError('ROLE_NOT_ALLOWED', 'Internal notes are written by the office’s reviewers, security reviewers, directors and provincial officers');
      const text = NoteText.safeParse(data.text);
      if (!text.success) throw new DomainError('VALIDATION_FAILED', `text: ${text.error.issues[0]?.message ?? 'invalid'}`, 'text');
      if (state.notes.some((n) => n.noteId === data.noteId)) return [];
      return [
        {
          type: 'CaseNoteAdded',
          data: { noteId: data.noteId, caseKind: data.caseKind, caseId: data.caseId, text: text.data, addedBy: actor.userId, addedByName: actor.name, addedAt: ctx.now },
        },
      ];
    }
    default:
      return assertNever(command.type);
  }
}

export function evolveNotes(state: NotesState, event: NoteEvent): NotesState {
  switch (event.type) {
    case 'CaseNoteAdded':
      return { notes: [...state.notes, event.data] };
    default:
      return assertNever(event.type);
  }
}

export const foldNotes = (events: readonly NoteEvent[]): NotesState => events.reduce(evolveNotes, EMPTY_NOTES);
