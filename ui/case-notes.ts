import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NOTE_MAX_LENGTH, NOTE_READERS, NOTE_WRITERS, NoteText, type NotedCaseKind } from '../domain/notes';
import type { Actor } from '../domain/shared/actor';
import { DomainError } from '../domain/shared/errors';
import { assertNotesVisible } from '../api/routes/notes';
import { actorOf, seeOther, type UiContext } from './context';
import { csrfField, errorSummary, formValues, textArea, type FormErrors, type FormValues } from './forms';
import { html, type SafeHtml } from './html';
import { when } from './layout';

declare module 'fastify' {
  interface FastifyRequest {
    /** A note the case page refused, shown again in its form with what was typed and why. */
    refusedNote?: { values: FormValues; errors: FormErrors };
  }
}

/** Where each kind of case's page is, and the name of its id in the page's path. */
const PAGES: Record<NotedCaseKind, { base: string; param: string }> = {
  noc: { base: 'nocs', param: 'nocId' },
  accreditation: { base: 'accreditations', param: 'applicationId' },
  review: { base: 'reviews', param: 'reviewId' },
  change: { base: 'changes', param: 'changeId' },
};
export const casePagePath = (kind: NotedCaseKind, caseId: string): string => `/ui/${PAGES[kind].base}/${encodeURIComponent(caseId)}`;

/**
 * The case page's internal notes: for the office's staff and auditors only (a provider or entity
 * viewing its own case sees nothing of them, not even that there are any), with a form for those who
 * work cases. The page has already checked that the person may see the case.
 */
export async function notesSection(ctx: UiContext, request: FastifyRequest, actor: Actor, kind: NotedCaseKind, caseId: string, csrf: string): Promise<SafeHtml> {
  const notes = ctx.deps.caseNotes;
  if (notes === undefined || !NOTE_READERS.includes(actor.role)) return html``;
  const items = await notes.list(kind, caseId);
  const refused = request.refusedNote ?? { values: {}, errors: {} };
  return html`<h2 id="notes">Internal notes</h2>
    <p class="muted">Seen by the office’s staff and auditors only, never by the provider or the entity.</p>
    ${
      items.length === 0
        ? html`<p>No notes yet.</p>`
        : html`<ol class="notes">${items.map((n) => html`<li><p class="note-text">${n.text}</p><p class="muted">${n.addedByName}, ${when(n.addedAt)}</p></li>`)}</ol>`
    }
    ${
      NOTE_WRITERS.includes(actor.role)
        ? html`<form class="stack" method="post" action="${casePagePath(kind, caseId)}/notes">${csrfField(csrf)}
            ${errorSummary('note', refused.errors)}
            ${textArea({ form: 'note', name: 'text', label: 'Add a note', hint: `At most ${NOTE_MAX_LENGTH} characters.`, values: refused.values, errors: refused.errors, required: true })}
            <div><button type="submit">Add note</button></div></form>`
        : ''
    }`;
}

/** The case page as its own route shows it, with the answer's status (a refused note's 400). */
export type CasePageRenderer = (request: FastifyRequest, reply: FastifyReply, actor: Actor, caseId: string, status: number) => Promise<FastifyReply>;

/**
 * A note is added from the case's own page, and the person goes back there to see it. A refused note
 * (empty, too long) comes back on that page, in its form, with what was typed and the reason by the field.
 */
export function caseNoteRoute(app: FastifyInstance, ctx: UiContext, kind: NotedCaseKind, render: CasePageRenderer): void {
  const { base, param } = PAGES[kind];
  app.post(`/${base}/:${param}/notes`, async (request, reply) => {
    const actor = actorOf(request);
    const caseId = (request.params as Record<string, string>)[param] ?? '';
    await assertNotesVisible(ctx.deps, actor, kind, caseId);
    if (!NOTE_WRITERS.includes(actor.role)) throw new DomainError('ROLE_NOT_ALLOWED', 'Internal notes are written by the office’s case workers');
    const typed = formValues(request.body).text ?? '';
    const text = NoteText.safeParse(typed);
    if (!text.success) {
      request.refusedNote = { values: { text: typed }, errors: { text: `Note: ${text.error.issues[0]?.message ?? 'invalid'}` } };
      return render(request, reply, actor, caseId, 400);
    }
    if (ctx.deps.caseNotes === undefined) throw new DomainError('UNAVAILABLE', 'Case notes are not available on this server');
    await ctx.deps.caseNotes.add(actor, kind, caseId, text.data);
    return seeOther(reply, `${casePagePath(kind, caseId)}?done=noted#notes`);
  });
}
