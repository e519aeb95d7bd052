import { EMPTY_NOTES, decideNotes, foldNotes, type NoteCommand, type NoteEvent, type NotesState } from '../../domain/notes';
import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';

const AT = '2026-11-06T10:00:00.000Z';
const reviewer: Actor = { userId: 'u-rev', name: 'Rania Reviewer', role: 'reviewer', jurisdiction: 'federal' };
const add = (actor: Actor, text: string, noteId = 'note-1'): NoteCommand => ({ type: 'AddNote', actor, data: { noteId, caseKind: 'noc', caseId: 'NOC-1', text } });
const given = (...events: NoteEvent[]): NotesState => foldNotes(events);
const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (err) {
    return err instanceof DomainError ? err.code : 'not a domain error';
  }
};

describe('a case’s internal notes', () => {
  it('given no notes, when a reviewer adds one, then it is recorded with its author, trimmed', () => {
    const events = decideNotes(add(reviewer, '  Called the entity; systems list is final.  '), EMPTY_NOTES, { now: AT });
    expect(events).toEqual([
      {
        type: 'CaseNoteAdded',
        data: { noteId: 'note-1', caseKind: 'noc', caseId: 'NOC-1', text: 'Called the entity; systems list is final.', addedBy: 'u-rev', addedByName: 'Rania Reviewer', addedAt: AT },
      },
    ]);
  });

  it('given a note, when the same note is sent again, then nothing new is recorded', () => {
    const state = given(...decideNotes(add(reviewer, 'First'), EMPTY_NOTES, { now: AT }));
    expect(decideNotes(add(reviewer, 'First'), state, { now: AT })).toEqual([]);
  });

  it('given a note, when another is added, then both are kept in order', () => {
    const first = decideNotes(add(reviewer, 'First'), EMPTY_NOTES, { now: AT });
    const second = decideNotes(add(reviewer, 'Second', 'note-2'), given(...first), { now: AT });
    expect(given(...first, ...second).notes.map((n) => n.text)).toEqual(['First', 'Second']);
  });

  it('when the note is empty or too long, then it is refused naming the rule', () => {
    expect(codeOf(() => decideNotes(add(reviewer, '   '), EMPTY_NOTES, { now: AT }))).toBe('VALIDATION_FAILED');
    expect(() => decideNotes(add(reviewer, 'x'.repeat(4001)), EMPTY_NOTES, { now: AT })).toThrow(/text: at most 4000 characters/);
  });

  it('when an auditor, a provider, an entity or an administrator writes one, then it is refused for their role', () => {
    for (const role of ['auditor', 'csp', 'pse', 'admin'] as const) {
      expect(codeOf(() => decideNotes(add({ ...reviewer, role }, 'Note'), EMPTY_NOTES, { now: AT }))).toBe('ROLE_NOT_ALLOWED');
    }
  });
});
