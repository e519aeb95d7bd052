import { z } from 'zod';
import { IsoDateTime } from '../shared/vocabulary';

/** The kinds of case staff keep internal notes on, and the stream category each case lives in. */
export const NOTED_CASE_KINDS = ['noc', 'accreditation', 'review', 'change'] as const;
export const NotedCaseKind = z.enum(NOTED_CASE_KINDS);
export type NotedCaseKind = z.infer<typeof NotedCaseKind>;

/** The longest note, in characters once trimmed. */
export const NOTE_MAX_LENGTH = 4000;
export const NoteText = z.string().trim().min(1, 'write the note').max(NOTE_MAX_LENGTH, `at most ${NOTE_MAX_LENGTH} characters`);

/**
 * A case's internal notes (stream `notes-<case stream>`): what the office's staff write down about a
 * case for each other and for the auditors. Never shown to the provider or entity the case is about.
 * Kept apart from the case's own stream, which only its workflow writes.
 */
export const NoteEventSchemas = {
  CaseNoteAdded: z.object({
    /** A fresh UUID, or the Idempotency-Key the note was sent with. */
    noteId: z.string().min(1).max(200),
    caseKind: NotedCaseKind,
    caseId: z.string().min(1),
    text: NoteText,
    addedBy: z.string().min(1),
    addedByName: z.string().min(1),
    addedAt: IsoDateTime,
  }),
} as const;

type Schemas = typeof NoteEventSchemas;
export type NoteEventType = keyof Schemas;
export type NoteEvent = { [K in NoteEventType]: { type: K; data: z.infer<Schemas[K]> } }[NoteEventType];
export type CaseNote = z.infer<Schemas['CaseNoteAdded']>;
