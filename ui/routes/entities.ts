import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodType } from 'zod';
import { statusOf } from '../../api/errors';
import type { PseGateway } from '../../api/pse-gateway';
import { ChangePseJurisdictionBody, CorrectPseBody, PseIdParams, RegisterPseBody } from '../../api/schemas/pse';
import type { PseAmendment, PseRecord } from '../../domain/pse/state';
import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { canSeePseRecord } from '../../domain/shared/visibility';
import { JURISDICTIONS, type Jurisdiction } from '../../domain/shared/vocabulary';
import { actorOf, csrfOf, seeOther, sendPage, type UiContext } from '../context';
import { commandIdField, commandIdOf, csrfField, errorSummary, formValues, issuesToErrors, selectField, textArea, textField, type FormErrors, type FormValues } from '../forms';
import { html, type SafeHtml } from '../html';
import { label, page, when } from '../layout';

const DONE: Record<string, string> = {
  registered: 'The entity is on the register.',
  corrected: "The entity's entry is corrected.",
  moved: 'The entity has moved to its new jurisdiction.',
};

const LABELS: Record<string, string> = {
  pseId: 'Entity id',
  name: 'Name',
  ministry: 'Ministry or division',
  jurisdiction: 'Jurisdiction',
  reason: 'Reason',
};

/** The register is kept by administrators and provincial officers; nobody else has these pages. */
function requireKeeper(request: FastifyRequest): Actor {
  const actor = actorOf(request);
  if (actor.role !== 'admin' && actor.role !== 'provincial-officer') {
    throw new DomainError('ROLE_NOT_ALLOWED', "The PSE register is kept by administrators and provincial officers");
  }
  return actor;
}

/** Only a federal administrator moves an entity between jurisdictions (as the decider rules). */
const movesEntities = (actor: Actor): boolean => actor.role === 'admin' && actor.jurisdiction === 'federal';

/** The jurisdictions the person registers entities in: every one for a federal administrator, else their own. */
const registersIn = (actor: Actor): readonly Jurisdiction[] => (movesEntities(actor) ? JURISDICTIONS : [actor.jurisdiction]);

const entityPath = (pseId: string): string => `/ui/entities/${encodeURIComponent(pseId)}`;

function gatewayOf(ctx: UiContext): PseGateway {
  if (ctx.deps.pseGateway === undefined) throw new DomainError('UNAVAILABLE', 'The PSE register is not available on this server');
  return ctx.deps.pseGateway;
}

type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FormErrors };

function parse<T>(schema: ZodType<T>, raw: unknown): Parsed<T> {
  const parsed = schema.safeParse(raw);
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, errors: issuesToErrors(parsed.error.issues, LABELS) };
}

/** A refusal the person can act on is shown on the form, next to the field it names. */
function refusalOf(err: unknown): { errors: FormErrors; status: number } {
  if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'unavailable') throw err;
  const field = err.field !== undefined && err.field in LABELS ? err.field : '';
  return { errors: { [field]: field === '' ? err.message : `${LABELS[field]}: ${err.message}` }, status: statusOf(err) };
}

function registerForm(actor: Actor, csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  const places = registersIn(actor);
  const only = places.length === 1 ? places[0] : undefined;
  const common = { form: 'register', values: only !== undefined && !values.jurisdiction ? { ...values, jurisdiction: only } : values, errors };
  return html`<h2>Register an entity</h2>
    ${errorSummary('register', errors)}
    <form class="stack" method="post" action="/ui/entities" novalidate>
      ${csrfField(csrf)}
      ${commandIdField(values)}
      ${textField({ ...common, name: 'pseId', label: LABELS.pseId as string, hint: 'Letters, digits, dots, dashes or underscores; e.g. pse-moitt. It cannot be changed later.', required: true })}
      ${textField({ ...common, name: 'name', label: LABELS.name as string, required: true })}
      ${textField({ ...common, name: 'ministry', label: LABELS.ministry as string, hint: 'Adoption figures are grouped by it.', required: true })}
      ${selectField({
        ...common,
        name: 'jurisdiction',
        label: LABELS.jurisdiction as string,
        required: true,
        ...(places.length > 1 ? { empty: 'Choose…' } : {}),
        options: places.map((j) => [j, label(j)] as const),
      })}
      <div><button type="submit">Register entity</button></div>
    </form>`;
}

function correctForm(pse: PseRecord, csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  const common = { form: 'correct', values, errors };
  return html`<h2>Correct the name or ministry</h2>
    ${errorSummary('correct', errors)}
    <form class="stack" method="post" action="${entityPath(pse.pseId)}/details" novalidate>
      ${csrfField(csrf)}
      ${commandIdField(values)}
      ${textField({ ...common, name: 'name', label: LABELS.name as string, required: true })}
      ${textField({ ...common, name: 'ministry', label: LABELS.ministry as string, required: true })}
      ${textArea({ ...common, name: 'reason', label: 'Reason for the correction', hint: 'Kept with the entry and shown in its history.', required: true })}
      <div><button type="submit">Correct entry</button></div>
    </form>`;
}

function moveForm(pse: PseRecord, csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  const common = { form: 'move', values, errors };
  return html`<h2>Move to another jurisdiction</h2>
    <p class="hint">The entity's NOCs keep the jurisdiction they were requested in; NOCs it requests afterwards take the new
      one. Its officers' accounts must be changed to the new jurisdiction before they request one.</p>
    ${errorSummary('move', errors)}
    <form class="stack" method="post" action="${entityPath(pse.pseId)}/jurisdiction" novalidate>
      ${csrfField(csrf)}
      ${commandIdField(values)}
      ${selectField({
        ...common,
        name: 'jurisdiction',
        label: 'New jurisdiction',
        required: true,
        empty: 'Choose…',
        options: JURISDICTIONS.filter((j) => j !== pse.jurisdiction).map((j) => [j, label(j)] as const),
      })}
      ${textArea({ ...common, name: 'reason', label: 'Reason for the move', required: true })}
      <div><button type="submit">Move entity</button></div>
    </form>`;
}

function amendmentText(a: PseAmendment): string {
  const parts = (['name', 'ministry', 'jurisdiction'] as const)
    .filter((key) => a.to[key] !== undefined)
    .map((key) => `${LABELS[key]}: ${key === 'jurisdiction' ? label(a.from[key] ?? '') : a.from[key]} → ${key === 'jurisdiction' ? label(a.to[key] ?? '') : a.to[key]}`);
  return parts.join('; ');
}

function history(pse: PseRecord): SafeHtml {
  const amendments = pse.amendments ?? [];
  return html`<h2>History of the entry</h2>
    <table>
      <caption>Registration, then every correction and move, oldest first</caption>
      <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">By</th><th scope="col">Reason</th></tr></thead>
      <tbody>
        <tr><td>${when(pse.registeredAt)}</td><td>Registered</td><td>${pse.registeredBy}</td><td class="muted">—</td></tr>
        ${amendments.map(
          (a) => html`<tr><td>${when(a.at)}</td><td>${a.kind === 'jurisdiction-changed' ? 'Moved' : 'Corrected'}: ${amendmentText(a)}</td>
            <td>${a.by}</td><td>${a.reason}</td></tr>`,
        )}
      </tbody>
    </table>`;
}

interface EntityForms {
  correct?: { values: FormValues; errors: FormErrors };
  move?: { values: FormValues; errors: FormErrors };
}

/**
 * The entity register's pages for those who keep it: the entities a person may see, a registration
 * form, and per entity its entry, its history and the forms to correct it (its jurisdiction's
 * registrars) and to move it (federal administrators). An entity the person may not see is answered as
 * one that does not exist. Refused forms come back with what was typed and the reason next to the field.
 */
export function entityRegisterRoutes(app: FastifyInstance, ctx: UiContext): void {
  const renderList = (request: FastifyRequest, reply: FastifyReply, actor: Actor, values: FormValues = {}, errors: FormErrors = {}, status = 200) => {
    const register = ctx.deps.pseRegister;
    const entities = register === undefined ? [] : register.list({}).filter((entry) => canSeePseRecord(actor, entry));
    const done = DONE[(request.query as Record<string, string | undefined>).done ?? ''];
    const scope = movesEntities(actor) ? 'every jurisdiction' : `the ${label(actor.jurisdiction)} jurisdiction`;
    return sendPage(
      reply,
      page({
        title: 'Entity register',
        actor,
        csrf: csrfOf(ctx, request),
        current: 'entities',
        notice: done,
        main: html`<h1>Entity register</h1>
          <p>The public service entities of ${scope}. An entity must be on the register before it can request a NOC or
            record a procurement; its NOCs take the jurisdiction the register holds for it.</p>
          ${
            register === undefined
              ? html`<p>The register's list is not available on this server.</p>`
              : entities.length === 0
                ? html`<p>No entities are registered yet.</p>`
                : html`<table>
                    <caption>${entities.length} ${entities.length === 1 ? 'entity' : 'entities'}</caption>
                    <thead><tr><th scope="col">Entity</th><th scope="col">Ministry or division</th><th scope="col">Jurisdiction</th>
                      <th scope="col">Registered</th></tr></thead>
                    <tbody>${entities.map(
                      (e) => html`<tr><th scope="row"><a href="${entityPath(e.pseId)}">${e.name}</a> <span class="muted">(${e.pseId})</span></th>
                        <td>${e.ministry}</td><td>${label(e.jurisdiction)}</td><td>${when(e.registeredAt)}</td></tr>`,
                    )}</tbody>
                  </table>`
          }
          ${registerForm(actor, csrfOf(ctx, request), values, errors)}`,
      }),
      status,
    );
  };

  const load = async (actor: Actor, rawId: unknown): Promise<PseRecord> => {
    const params = PseIdParams.safeParse({ pseId: rawId });
    const missing = new DomainError('NOT_FOUND', `No PSE ${String(rawId)} is registered`);
    if (!params.success) throw missing;
    const view = await gatewayOf(ctx).state(params.data.pseId);
    if (view === undefined || view.state.status !== 'registered' || !canSeePseRecord(actor, view.state)) throw missing;
    return view.state;
  };

  const renderEntity = (request: FastifyRequest, reply: FastifyReply, actor: Actor, pse: PseRecord, forms: EntityForms = {}, status = 200) => {
    const csrf = csrfOf(ctx, request);
    const done = DONE[(request.query as Record<string, string | undefined>).done ?? ''];
    const active = Object.values(pse.procurements).filter((p) => p.status === 'active').length;
    const correct = forms.correct ?? { values: { name: pse.name, ministry: pse.ministry }, errors: {} };
    const move = forms.move ?? { values: {}, errors: {} };
    return sendPage(
      reply,
      page({
        title: pse.name,
        actor,
        csrf,
        current: 'entities',
        notice: done,
        main: html`<p><a href="/ui/entities">Entity register</a></p>
          <h1>${pse.name}</h1>
          <dl>
            <dt>Entity id</dt><dd>${pse.pseId}</dd>
            <dt>Ministry or division</dt><dd>${pse.ministry}</dd>
            <dt>Jurisdiction</dt><dd>${label(pse.jurisdiction)}</dd>
            <dt>Registered</dt><dd>${when(pse.registeredAt)} by ${pse.registeredBy}</dd>
            <dt>Workloads on offerings</dt><dd>${active} open, ${Object.keys(pse.procurements).length - active} ended</dd>
          </dl>
          ${history(pse)}
          ${correctForm(pse, csrf, correct.values, correct.errors)}
          ${movesEntities(actor) ? moveForm(pse, csrf, move.values, move.errors) : ''}`,
      }),
      status,
    );
  };

  app.get('/entities', async (request, reply) => renderList(request, reply, requireKeeper(request)));

  app.post('/entities', async (request, reply) => {
    const actor = requireKeeper(request);
    const values = formValues(request.body);
    const parsed = parse(RegisterPseBody, { pseId: values.pseId, name: values.name, ministry: values.ministry, jurisdiction: values.jurisdiction || undefined });
    if (!parsed.ok) return renderList(request, reply, actor, values, parsed.errors, 400);
    try {
      await gatewayOf(ctx).register(actor, parsed.data, commandIdOf(values));
    } catch (err) {
      const refusal = refusalOf(err);
      return renderList(request, reply, actor, values, refusal.errors, refusal.status);
    }
    return seeOther(reply, `${entityPath(parsed.data.pseId)}?done=registered`);
  });

  app.get('/entities/:pseId', async (request, reply) => {
    const actor = requireKeeper(request);
    return renderEntity(request, reply, actor, await load(actor, (request.params as { pseId: string }).pseId));
  });

  app.post('/entities/:pseId/details', async (request, reply) => {
    const actor = requireKeeper(request);
    const pse = await load(actor, (request.params as { pseId: string }).pseId);
    const values = formValues(request.body);
    const parsed = parse(CorrectPseBody, { name: values.name, ministry: values.ministry, reason: values.reason });
    if (!parsed.ok) return renderEntity(request, reply, actor, pse, { correct: { values, errors: parsed.errors } }, 400);
    try {
      await gatewayOf(ctx).correct(actor, pse.pseId, parsed.data, commandIdOf(values));
    } catch (err) {
      const refusal = refusalOf(err);
      return renderEntity(request, reply, actor, pse, { correct: { values, errors: refusal.errors } }, refusal.status);
    }
    return seeOther(reply, `${entityPath(pse.pseId)}?done=corrected`);
  });

  app.post('/entities/:pseId/jurisdiction', async (request, reply) => {
    // As the API: moves are administrators' (a provincial officer is refused whichever entity is named),
    // and of the entities an administrator sees, only a federal one moves them: refused before the form is read.
    const actor = requireKeeper(request);
    if (actor.role !== 'admin') throw new DomainError('ROLE_NOT_ALLOWED', 'An entity is moved to another jurisdiction by a federal administrator');
    const pse = await load(actor, (request.params as { pseId: string }).pseId);
    if (!movesEntities(actor)) throw new DomainError('ROLE_NOT_ALLOWED', 'Only a federal administrator moves an entity to another jurisdiction');
    const values = formValues(request.body);
    const parsed = parse(ChangePseJurisdictionBody, { jurisdiction: values.jurisdiction || undefined, reason: values.reason });
    if (!parsed.ok) return renderEntity(request, reply, actor, pse, { move: { values, errors: parsed.errors } }, 400);
    try {
      await gatewayOf(ctx).changeJurisdiction(actor, pse.pseId, parsed.data, commandIdOf(values));
    } catch (err) {
      const refusal = refusalOf(err);
      return renderEntity(request, reply, actor, pse, { move: { values, errors: refusal.errors } }, refusal.status);
    }
    return seeOther(reply, `${entityPath(pse.pseId)}?done=moved`);
  });
}
