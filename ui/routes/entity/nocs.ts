import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { statusOf } from '../../../api/errors';
import { RequestNocBody } from '../../../api/schemas/noc';
import { DEVIATION_KINDS, type NocCase } from '../../../domain/noc';
import type { Actor } from '../../../domain/shared/actor';
import { DomainError } from '../../../domain/shared/errors';
import { DATA_CLASSES } from '../../../domain/shared/vocabulary';
import { actionFormByPath, availableActions, parseAction, type ActionForm } from '../../case-actions';
import { csrfOf, seeOther, sendPage, type UiContext } from '../../context';
import {
  commandIdField,
  commandIdOf,
  csrfField,
  errorSummary,
  formValues,
  lines,
  selectField,
  textArea,
  textField,
  type FormErrors,
  type FormValues,
} from '../../forms';
import { html, type SafeHtml } from '../../html';
import { label, page, when } from '../../layout';
import { timeline } from '../../timeline';
import { accreditedOfferings, chooseOffering, knownToRegister, offeringCombobox } from './offerings';
import { daysFrom, entityOf, loadEntityNoc, type EntityNoc } from './scope';

/**
 * The entity's NOCs: a request with the offering chosen from the accredited list, and each NOC's page
 * with its deadlines, what the entity may do on it now (answer, the one extension, withdraw) and its
 * timeline. Every command goes through the NOC gateway, which signs it.
 */
const ENTITY_ACTIONS = new Set(['provide-information', 'request-extension', 'withdraw']);

const DONE: Record<string, string> = {
  requested: 'Your NOC request has been recorded.',
  'provide-information': 'Your answer has been sent.',
  'request-extension': 'Your extension request has been recorded.',
  withdraw: 'The NOC has been withdrawn.',
};

const FIELD_LABELS: Record<string, string> = {
  deviation: 'Deviation',
  description: 'What you ask for',
  justification: 'Why it is needed',
  dataClass: 'Data class',
  systems: 'Systems',
  offeringId: 'Offering',
  requestedMonths: 'Duration',
};

type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FormErrors };

/**
 * The form as the API's request body. The offering, when given, is one on the accredited list, or one the
 * register knows that is not accredited (what a NOC for a non-accredited offering is about).
 */
function requestPayload(ctx: UiContext, pseId: string, values: FormValues): Parsed<ReturnType<typeof RequestNocBody.parse>> {
  const errors: FormErrors = {};
  const typed = (values.offeringId ?? '').trim();
  let offeringId: string | undefined;
  if (typed !== '') {
    const chosen = chooseOffering(accreditedOfferings(ctx.deps), typed, 'Offering');
    if (chosen.ok) offeringId = chosen.offeringId;
    else if (knownToRegister(ctx.deps, pseId, typed)) offeringId = typed;
    else errors.offeringId = chosen.message;
  }
  const months = (values.requestedMonths ?? '').trim();
  const raw = {
    deviation: values.deviation || undefined,
    description: values.description ?? '',
    justification: values.justification ?? '',
    dataClass: values.dataClass || undefined,
    systems: lines(values.systems),
    offeringId,
    requestedMonths: /^\d+$/.test(months) ? Number(months) : months === '' ? undefined : months,
  };
  const parsed = RequestNocBody.safeParse(raw);
  if (parsed.success && Object.keys(errors).length === 0) return { ok: true, data: parsed.data };
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const field = String(issue.path[0] ?? '');
    const value = (raw as Record<string, unknown>)[field];
    const empty = value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
    errors[field] ??= empty ? `${FIELD_LABELS[field] ?? field}: this is required` : `${FIELD_LABELS[field] ?? field}: ${issue.message}`;
  }
  return { ok: false, errors };
}

function requestForm(ctx: UiContext, csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  const form = 'noc';
  const common = { form, values, errors };
  return html`<h1>Request a NOC</h1>
    <p>A NOC allows your entity a time-limited deviation from the cloud-first policy. A reviewer examines the
      request and a director (or, for a province, a second provincial officer) decides.</p>
    ${errorSummary(form, errors)}
    <form class="stack" method="post" action="/ui/entity/nocs" novalidate>
      ${csrfField(csrf)}
      ${commandIdField(values)}
      ${selectField({ ...common, name: 'deviation', label: 'Deviation', required: true, empty: 'Choose…', options: DEVIATION_KINDS.map((d) => [d, label(d)] as const) })}
      ${offeringCombobox({ ...common, name: 'offeringId', label: 'Cloud offering (if the deviation is about one)', rows: accreditedOfferings(ctx.deps), searchFor: 'noc' })}
      ${textArea({ ...common, name: 'description', label: 'What do you ask for?', required: true })}
      ${textArea({ ...common, name: 'justification', label: 'Why is it needed?', required: true })}
      ${selectField({ ...common, name: 'dataClass', label: 'Class of the data concerned', required: true, empty: 'Choose…', options: DATA_CLASSES.map((d) => [d, label(d)] as const) })}
      ${textArea({ ...common, name: 'systems', label: 'Systems concerned', hint: 'One per line.', required: true })}
      ${textField({ ...common, name: 'requestedMonths', label: 'Duration in months', type: 'number', min: 1, max: 60, required: true })}
      <div><button type="submit">Submit request</button></div>
    </form>`;
}

/** What the entity must watch on a NOC: an answer owed, an extension pending, the end of its validity. */
export function nocDeadlines(noc: Pick<NocCase, 'status' | 'informationDueBy' | 'validUntil' | 'pendingExtensionMonths'>, now: string): SafeHtml[] {
  const out: SafeHtml[] = [];
  if (noc.status === 'awaiting-pse' && noc.informationDueBy) {
    out.push(html`Information requested: answer by ${when(noc.informationDueBy)} (${daysFrom(now, noc.informationDueBy)})`);
  }
  if ((noc.status === 'active' || noc.status === 'extension-requested') && noc.validUntil) {
    out.push(html`Expires ${daysFrom(now, noc.validUntil)}, at ${when(noc.validUntil)}`);
  }
  if (noc.status === 'extension-requested' && noc.pendingExtensionMonths) out.push(html`Extension of ${noc.pendingExtensionMonths} months awaits a decision`);
  return out;
}

function facts(noc: NocCase, now: string, offeringName: string | undefined): SafeHtml {
  const r = noc.request;
  const row = (term: string, value: SafeHtml | string | number | undefined | null) =>
    value === undefined || value === null || value === '' ? '' : html`<dt>${term}</dt><dd>${value}</dd>`;
  const deadlines = nocDeadlines(noc, now);
  return html`<dl class="facts">
    ${row('Deadlines', deadlines.length > 0 ? html`<ul>${deadlines.map((d) => html`<li>${d}</li>`)}</ul>` : undefined)}
    ${row('Deviation', label(r.deviation))}
    ${row('Offering', r.offeringId && offeringName ? `${offeringName} (${r.offeringId})` : r.offeringId)}
    ${row('Data class', label(r.dataClass))}
    ${row('Systems', r.systems.join(', '))}
    ${row('Description', r.description)}
    ${row('Justification', r.justification)}
    ${row('Requested duration', `${r.requestedMonths} months`)}
    ${row('Requested', when(noc.requestedAt))}
    ${row('Valid from', noc.validFrom ? when(noc.validFrom) : undefined)}
    ${row('Valid until', noc.validUntil ? when(noc.validUntil) : undefined)}
    ${row('Conditions', noc.conditions.length > 0 ? html`<ul>${noc.conditions.map((c) => html`<li>${c}</li>`)}</ul>` : undefined)}
    ${row('Extensions granted', noc.extensionsGranted > 0 ? noc.extensionsGranted : undefined)}
  </dl>`;
}

function actionForm(nocId: string, form: ActionForm, csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  const id = `act-${form.path}`;
  const common = { form: id, values, errors };
  return html`<section class="action" aria-labelledby="${id}-title">
    <h3 id="${id}-title">${form.title}</h3>
    ${errors[''] ? html`<p class="field-error" role="alert">${errors['']}</p>` : ''}
    <form class="stack" method="post" action="/ui/entity/nocs/${encodeURIComponent(nocId)}/${form.path}" novalidate>
      ${csrfField(csrf)}
      ${commandIdField(values)}
      ${form.fields.map((f) =>
        f.kind === 'number'
          ? textField({ ...common, name: f.name, label: f.label, hint: f.hint, required: f.required, type: 'number', min: 1 })
          : f.kind === 'radio'
            ? ''
            : textArea({ ...common, name: f.name, label: f.label, hint: f.hint, required: f.required }),
      )}
      <div><button type="submit">${form.button}</button></div>
    </form>
  </section>`;
}

interface Refused {
  form: ActionForm;
  values: FormValues;
  errors: FormErrors;
}

export function entityNocRoutes(app: FastifyInstance, ctx: UiContext): void {
  const { deps } = ctx;

  const renderNoc = (request: FastifyRequest, reply: FastifyReply, actor: Actor, loaded: EntityNoc, refused?: Refused, status = 200) => {
    const csrf = csrfOf(ctx, request);
    const now = ctx.now().toISOString();
    const forms = availableActions(loaded.noc, actor, deps.config.nocPolicy, now).filter((f) => ENTITY_ACTIONS.has(f.path));
    if (refused && !forms.some((f) => f.command === refused.form.command)) forms.unshift(refused.form);
    const done = DONE[(request.query as Record<string, string | undefined>).done ?? ''];
    return sendPage(
      reply,
      page({
        title: loaded.nocId,
        actor,
        csrf,
        current: 'entity',
        notice: done,
        main: html`<p><a href="/ui/entity">Your entity</a></p>
          <h1>${loaded.nocId} <span class="status">${label(loaded.noc.status)}</span></h1>
          <h2>Facts and deadlines</h2>
          ${facts(loaded.noc, now, accreditedOfferings(deps).find((o) => o.offeringId === loaded.noc.request.offeringId)?.offeringName)}
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
          <h2>Timeline</h2>
          ${timeline(loaded.entries, false)}`,
      }),
      status,
    );
  };

  const showRequest = (request: FastifyRequest, reply: FastifyReply, actor: Actor, values: FormValues, errors: FormErrors, status = 200) => {
    const csrf = csrfOf(ctx, request);
    return sendPage(reply, page({ title: 'Request a NOC', actor, csrf, current: 'entity', main: requestForm(ctx, csrf, values, errors) }), status);
  };

  app.get('/entity/nocs/new', async (request, reply) => {
    const { actor } = entityOf(request);
    const query = request.query as Record<string, unknown>;
    // Coming back from the offering search: the chosen offering is filled in.
    const values: FormValues = typeof query.offeringId === 'string' ? { offeringId: query.offeringId.slice(0, 100) } : {};
    return showRequest(request, reply, actor, values, {});
  });

  app.post('/entity/nocs', async (request, reply) => {
    const { actor, pseId } = entityOf(request);
    const values = formValues(request.body);
    const payload = requestPayload(ctx, pseId, values);
    if (!payload.ok) return showRequest(request, reply, actor, values, payload.errors, 400);
    try {
      const view = await deps.nocGateway.request(actor, payload.data, commandIdOf(values));
      const nocId = view.state.status === 'none' ? '' : view.state.request.nocId;
      return seeOther(reply, `/ui/entity/nocs/${encodeURIComponent(nocId)}?done=requested`);
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'unavailable') throw err;
      const field = err.field !== undefined && err.field in FIELD_LABELS ? err.field : '';
      return showRequest(request, reply, actor, values, { [field]: err.message }, statusOf(err));
    }
  });

  app.get('/entity/nocs/:nocId', async (request, reply) => {
    const { actor } = entityOf(request);
    const { nocId } = request.params as { nocId: string };
    request.caseId = nocId;
    return renderNoc(request, reply, actor, await loadEntityNoc(ctx, actor, nocId));
  });

  app.post('/entity/nocs/:nocId/:action', async (request, reply) => {
    const { actor } = entityOf(request);
    const { nocId, action } = request.params as { nocId: string; action: string };
    request.caseId = nocId;
    const form = ENTITY_ACTIONS.has(action) ? actionFormByPath(action) : undefined;
    if (!form) throw new DomainError('NOT_FOUND', `There is no action ${action} for an entity`);
    const loaded = await loadEntityNoc(ctx, actor, nocId);
    const values = formValues(request.body);
    const parsed = parseAction(form, values);
    if (!parsed.ok) return renderNoc(request, reply, actor, loaded, { form, values, errors: parsed.errors }, 400);
    try {
      await deps.nocGateway.act(nocId, { type: form.command, actor, data: parsed.data, commandId: commandIdOf(values) } as Parameters<typeof deps.nocGateway.act>[1]);
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'unavailable') throw err;
      // The NOC may have moved on meanwhile: show where it is now, with the refusal next to the form.
      const current = await loadEntityNoc(ctx, actor, nocId);
      const field = err.field && form.fields.some((f) => f.name === err.field) ? err.field : (form.fields[0]?.name ?? '');
      return renderNoc(request, reply, actor, current, { form, values, errors: { [field]: err.message } }, statusOf(err));
    }
    return seeOther(reply, `/ui/entity/nocs/${encodeURIComponent(nocId)}?done=${form.path}`);
  });
}
