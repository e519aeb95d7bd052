import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NocIdParams } from '../../api/schemas/noc';
import { statusOf } from '../../api/errors';
import { canSeeNoc, foldNoc, type NocCase, type NocEvent } from '../../domain/noc';
import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { streamName } from '../../eventstore/envelope';
import { actionFormByPath, availableActions, parseAction, type ActionForm } from '../case-actions';
import { actorOf, csrfOf, seeOther, sendPage, type UiContext } from '../context';
import { caseNoteRoute, notesSection } from '../case-notes';
import { holdersSection } from '../case-holders';
import {
  commandIdField,
  commandIdOf,
  csrfField,
  formValues,
  radioField,
  textArea,
  textField,
  type FormErrors,
  type FormValues,
} from '../forms';
import { html, type SafeHtml } from '../html';
import { label, page, when } from '../layout';
import { decodeStream, timeline, type TimelineEntry } from '../timeline';

const DONE: Record<string, string> = {
  noted: 'Your note has been added.',
  'start-review': 'The review has started.',
  'request-information': 'Your questions have been sent to the entity.',
  'provide-information': 'Your answer has been sent.',
  recommend: 'Your recommendation has been recorded.',
  decide: 'Your decision has been recorded.',
  'request-extension': 'Your extension request has been recorded.',
  'decide-extension': 'Your decision on the extension has been recorded.',
  revoke: 'The NOC has been revoked.',
  withdraw: 'The NOC has been withdrawn.',
};

/** A refused action, shown again with what was typed and the refusal next to its field. */
interface Refused {
  form: ActionForm;
  values: FormValues;
  errors: FormErrors;
}

interface LoadedCase {
  nocId: string;
  noc: NocCase;
  entries: TimelineEntry[];
}

/** A case exists for the actor only if they may see it: anyone else gets the same 404 as for no case at all. */
const RETIRED_REQUEST_FORM = 'new';

async function loadCase(ctx: UiContext, actor: Actor, nocId: string): Promise<LoadedCase> {
  const notFound = new DomainError('NOT_FOUND', `There is no NOC ${nocId} that you may see`);
  if (!NocIdParams.safeParse({ nocId }).success) throw notFound;
  const entries = decodeStream(await ctx.deps.eventStore.readStream(streamName('noc', nocId)));
  const events = entries.filter((e) => e.decodeError === undefined).map((e) => ({ type: e.event.type, data: e.event.data }) as NocEvent);
  const state = foldNoc(events);
  if (state.status === 'none' || !canSeeNoc(actor, state.request)) throw notFound;
  return { nocId, noc: state, entries };
}

/** "Already decided" names who decided and how, from the case's own record. */
function explain(error: DomainError, loaded: LoadedCase): string {
  if (error.code !== 'NOC_ALREADY_DECIDED') return error.message;
  const decision = [...loaded.entries].reverse().find((e) => e.event.type === 'NocApproved' || e.event.type === 'NocRejected');
  const data = (decision?.event.data ?? {}) as { decidedByName?: string };
  const how = decision?.event.type === 'NocApproved' ? 'approved' : 'rejected';
  return `This NOC was already ${how} by ${data.decidedByName ?? loaded.noc.decidedBy ?? 'someone else'}${
    decision ? ` on ${decision.event.recordedAt.slice(0, 10)}` : ''
  }; nothing was changed.`;
}

function facts(noc: NocCase): SafeHtml {
  const r = noc.request;
  const row = (term: string, value: SafeHtml | string | number | undefined | null) =>
    value === undefined || value === null || value === '' ? '' : html`<dt>${term}</dt><dd>${value}</dd>`;
  return html`<dl class="facts">
    ${row('Entity', r.pseId)}
    ${row('Jurisdiction', label(r.jurisdiction))}
    ${row('Deviation', label(r.deviation))}
    ${row('Description', r.description)}
    ${row('Justification', r.justification)}
    ${row('Data class', label(r.dataClass))}
    ${row('Systems', r.systems.join(', '))}
    ${row('Offering', r.offeringId)}
    ${row('Requested duration', `${r.requestedMonths} months`)}
    ${row('Requested', when(noc.requestedAt))}
    ${row('Reviewer', noc.reviewerName)}
    ${row('Information due by', noc.informationDueBy ? when(noc.informationDueBy) : undefined)}
    ${row('Recommendation', noc.recommendation ? `${label(noc.recommendation.recommendation)} (${noc.recommendation.byName}): ${noc.recommendation.reasons}` : undefined)}
    ${row('Valid from', noc.validFrom ? when(noc.validFrom) : undefined)}
    ${row('Valid until', noc.validUntil ? when(noc.validUntil) : undefined)}
    ${row('Conditions', noc.conditions.length > 0 ? html`<ul>${noc.conditions.map((c) => html`<li>${c}</li>`)}</ul>` : undefined)}
    ${row('Extensions granted', noc.extensionsGranted > 0 ? noc.extensionsGranted : undefined)}
    ${row('Extension requested', noc.pendingExtensionMonths ? `${noc.pendingExtensionMonths} months` : undefined)}
  </dl>`;
}

function actionForm(nocId: string, form: ActionForm, csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  const id = `act-${form.path}`;
  const common = { form: id, values, errors };
  return html`<section class="action" aria-labelledby="${id}-title">
    <h3 id="${id}-title">${form.title}</h3>
    ${errors[''] ? html`<p class="field-error" role="alert">${errors['']}</p>` : ''}
    <form class="stack" method="post" action="/ui/nocs/${encodeURIComponent(nocId)}/${form.path}" novalidate>
      ${csrfField(csrf)}
      ${commandIdField(values)}
      ${form.fields.map((f) => {
        const base = { ...common, name: f.name, label: f.label, required: f.required };
        switch (f.kind) {
          case 'radio':
            return radioField({ ...base, options: f.options });
          case 'textarea':
            return textArea({ ...base, hint: f.hint });
          case 'lines':
            return textArea({ ...base, hint: f.hint });
          case 'number':
            return textField({ ...base, hint: f.hint, type: 'number', min: 1 });
          case 'date':
            return textField({ ...base, hint: f.hint, type: 'date' });
        }
      })}
      <div><button type="submit">${form.button}</button></div>
    </form>
  </section>`;
}

export function caseRoutes(app: FastifyInstance, ctx: UiContext): void {
  const { deps } = ctx;

  const renderCase = async (request: FastifyRequest, reply: FastifyReply, actor: Actor, loaded: LoadedCase, refused?: Refused, status = 200) => {
    const csrf = csrfOf(ctx, request);
    const forms = availableActions(loaded.noc, actor, deps.config.nocPolicy, ctx.now().toISOString());
    // A refused form stays on the page, with its values and its refusal, even if the action is no longer open.
    if (refused && !forms.some((f) => f.command === refused.form.command)) forms.unshift(refused.form);
    const notes = html`${await notesSection(ctx, request, actor, 'noc', loaded.nocId, csrf)}${holdersSection(ctx, actor, loaded.nocId)}`;
    const done = DONE[(request.query as Record<string, string | undefined>).done ?? ''];
    return sendPage(
      reply,
      page({
        title: loaded.nocId,
        actor,
        csrf,
        current: 'case',
        notice: done,
        main: html`<h1>${loaded.nocId} <span class="status">${label(loaded.noc.status)}</span></h1>
          <h2>Facts</h2>
          ${facts(loaded.noc)}
          <h2>What you can do</h2>
          ${
            forms.length === 0
              ? html`<p>There is nothing for you to do on this NOC now.</p>`
              : html`<div class="actions">${forms.map((form) =>
                  refused?.form.command === form.command
                    ? actionForm(loaded.nocId, form, csrf, refused.values, refused.errors)
                    : actionForm(loaded.nocId, form, csrf, {}, {}),
                )}</div>`
          }
          ${notes}
          <h2>History</h2>
          ${timeline(loaded.entries, actor.role === 'auditor')}`,
      }),
      status,
    );
  };

  app.get('/nocs/:nocId', async (request, reply) => {
    const actor = actorOf(request);
    const { nocId } = request.params as { nocId: string };
    // The retired request form's path (no NOC id has this shape): an entity's officer following an old
    // link or bookmark is sent on to the form in the entity portal, with what the link carried; anyone
    // else is answered as before, there being no such NOC. Kept in this route rather than one of its
    // own so the answer to everyone else stays exactly the missing NOC's.
    if (nocId === RETIRED_REQUEST_FORM && actor.role === 'pse' && actor.organisationId !== undefined) {
      const query = request.url.indexOf('?');
      return seeOther(reply, `/ui/entity/nocs/new${query === -1 ? '' : request.url.slice(query)}`);
    }
    request.caseId = nocId;
    return renderCase(request, reply, actor, await loadCase(ctx, actor, nocId));
  });

  caseNoteRoute(app, ctx, 'noc', async (request, reply, actor, nocId, status) => renderCase(request, reply, actor, await loadCase(ctx, actor, nocId), undefined, status));

  app.post('/nocs/:nocId/:action', async (request, reply) => {
    const actor = actorOf(request);
    const { nocId, action } = request.params as { nocId: string; action: string };
    request.caseId = nocId;
    const form = actionFormByPath(action);
    if (!form) throw new DomainError('NOT_FOUND', `There is no action ${action}`);
    const loaded = await loadCase(ctx, actor, nocId);
    const values = formValues(request.body);
    const parsed = parseAction(form, values);
    if (!parsed.ok) return renderCase(request, reply, actor, loaded, { form, values, errors: parsed.errors }, 400);
    try {
      await deps.nocGateway.act(nocId, { type: form.command, actor, data: parsed.data, commandId: commandIdOf(values) } as Parameters<
        typeof deps.nocGateway.act
      >[1]);
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'unavailable') throw err;
      // Re-read: the refusal may be because the case moved on, and the page must show where it is now.
      const current = await loadCase(ctx, actor, nocId);
      const field = err.field && form.fields.some((f) => f.name === err.field) ? err.field : (form.primaryField ?? form.fields[0]?.name ?? '');
      return renderCase(request, reply, actor, current, { form, values, errors: { [field]: explain(err, current) } }, statusOf(err));
    }
    ctx.claims().releaseNoc(nocId, actor);
    return seeOther(reply, `/ui/nocs/${encodeURIComponent(nocId)}?done=${form.path}`);
  });
}
