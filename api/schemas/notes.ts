import { z } from 'zod';
import { NoteEventSchemas, NoteText } from '../../domain/notes/events';

export const AddNoteBody = z.object({ text: NoteText }).strict();
export const NoteView = NoteEventSchemas.CaseNoteAdded;
export const NoteList = z.object({ items: z.array(NoteView) });
