import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { statusOf } from '../../../api/errors';
import type { PseGateway } from '../../../api/pse-gateway';
import { EndProcurementBody, ProcurementParams, RecordProcurementBody } from '../../../api/schemas/pse';
import type { CheckAnswer } from '../../../domain/procurement';
import type { ProcurementRecord } from '../../../domain/pse';
import type { Actor } from '../../../domain/shared/actor';
import { DomainError } from '../../../domain/shared/errors';
import { DATA_CLASSES } from '../../../domain/shared/vocabulary';
import type { WorkloadBucket } from '../../../projections/adoption/queries';
import { csrfOf, seeOther, sendPage, type UiContext } from '../../context';
import { commandIdField, commandIdOf, csrfField, errorSummary, formValues, selectField, textArea, textField, type FormErrors, type FormValues } from '../../forms';
import { html, type SafeHtml } from '../../html';
import { label, page, when } from '../../layout';
import { answerSection, entityCheck } from './check';
import { accreditedOfferings, chooseOffering, knownToRegister, offeringCombobox } from './offerings';
import { entityOf } from './scope';

/**
 * Recording a procurement in two steps: the entity states it and sees the procurement check's whole
 * answer (its own NOCs included), then confirms. A denied answer offers nothing to confirm, and an answer
 * that changed between the two steps is shown again instead of being recorded. Ending one needs a reason.
 */
const FIELD_LABELS: Record<string, string> = { offeringId: 'Offering', dataClass: 'Data class', system: 'System' };

export const BUCKET_TEXT: Record<WorkloadBucket, string> = {
  accredited: 'On an accredited offering',
  noc: 'Under a NOC in force',
  migrating: 'Migrating: its offering’s accreditation ended',
  'non-compliant': 'Non-compliant',
};

export function pseGatewayOf(ctx: UiContext): PseGateway {
  if (ctx.deps.pseGateway === undefined) throw new DomainError('UNAVAILABLE', 'The PSE register is not available on this server just now');
  return ctx.deps.pseGateway;
}

/** The entity as the register holds it: its name and its procurements by id; none while it is not registered. */
export async function entityRecord(ctx: UiContext, pseId: string): Promise<{ name?: string; procurements: Record<string, ProcurementRecord> }> {
  const view = await pseGatewayOf(ctx).state(pseId);
  return view?.state.status === 'registered' ? { name: view.state.name, procurements: view.state.procurements } : { procurements: {} };
}

/** Each open workload's bucket in the adoption figures, by procurement id. */
export function bucketsOf(ctx: UiContext, pseId: string): Map<string, WorkloadBucket> {
  const rows = ctx.deps.adoptionQueries?.buckets(ctx.now().toISOString()) ?? [];
  return new Map(rows.filter((r) => r.pseId === pseId).map((r) => [r.procurementId, r.bucket]));
}

type Stated = { ok: true; data: ReturnType<typeof RecordProcurementBody.parse>; answer: CheckAnswer } | { ok: false; errors: FormErrors };

/** The procurement as stated, with the check's answer for it now; or what is wrong with the form. */
function stated(ctx: UiContext, pseId: string, values: FormValues): Stated {
  const errors: FormErrors = {};
  const typed = (values.offeringId ?? '').trim();
  const chosen = chooseOffering(accreditedOfferings(ctx.deps), typed, 'Offering');
  // An offering off the list may still be on the register (open data needs only a registered provider):
  // it is taken as an id when the register knows it, which the check says whatever the data class.
  const offeringId = chosen.ok ? chosen.offeringId : typed;
  if (!chosen.ok && !knownToRegister(ctx.deps, pseId, offeringId)) errors.offeringId = chosen.message;
  const parsed = RecordProcurementBody.safeParse({ offeringId, dataClass: values.dataClass || undefined, system: values.system ?? '' });
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const field = String(issue.path[0] ?? '');
    const empty = (values[field] ?? '').trim() === '';
    errors[field] ??= `${FIELD_LABELS[field] ?? field}: ${empty ? 'this is required' : issue.message}`;
  }
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, data: parsed.data, answer: entityCheck(ctx, pseId, { offering: parsed.data.offeringId, dataClass: parsed.data.dataClass }) };
}

function statementForm(ctx: UiContext, csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  const form = 'proc';
  const common = { form, values, errors };
  return html`<h1>Record a procurement</h1>
    <p>A procurement is one of your systems' workloads put on a cloud offering. First see what the procurement
      check answers for it; you confirm on the next page, and only an allowed procurement can be recorded.</p>
    ${errorSummary(form, errors)}
    <form class="stack" method="post" action="/ui/entity/procurements/check" novalidate>
      ${csrfField(csrf)}
      ${offeringCombobox({ ...common, name: 'offeringId', label: 'Offering', rows: accreditedOfferings(ctx.deps), searchFor: 'procurement', required: true })}
      ${selectField({ ...common, name: 'dataClass', label: 'Class of the data', required: true, empty: 'Choose…', options: DATA_CLASSES.map((d) => [d, label(d)] as const) })}
      ${textField({ ...common, name: 'system', label: 'System', hint: 'The system whose workload goes on the offering.', required: true })}
      <div><button type="submit">Check</button></div>
    </form>`;
}

function confirmPage(ctx: UiContext, actor: Actor, csrf: string, s: Extract<Stated, { ok: true }>, values: FormValues, errors: FormErrors): SafeHtml {
  const offering = accreditedOfferings(ctx.deps).find((r) => r.offeringId === s.data.offeringId);
  const back = `/ui/entity/procurements/new?${new URLSearchParams({ offeringId: s.data.offeringId, dataClass: s.data.dataClass, system: s.data.system }).toString()}`;
  return html`<h1>Confirm the procurement</h1>
    ${errorSummary('confirm', errors)}
    <dl class="facts"><dt>Offering</dt><dd>${offering ? `${offering.offeringName} (${s.data.offeringId})` : s.data.offeringId}</dd><dt>Data class</dt><dd>${label(s.data.dataClass)}</dd><dt>System</dt><dd>${s.data.system}</dd></dl>
    ${answerSection(ctx, actor, s.answer)}
    ${
      s.answer.decision === 'denied'
        ? html`<p><strong>The check denies this procurement; it cannot be recorded.</strong> A NOC may allow it:
            <a href="/ui/entity/nocs/new?offeringId=${encodeURIComponent(s.data.offeringId)}">request a NOC</a>.</p>`
        : html`<form class="stack" method="post" action="/ui/entity/procurements" novalidate>
            ${csrfField(csrf)}
            ${commandIdField(values)}
            <input type="hidden" name="offeringId" value="${s.data.offeringId}">
            <input type="hidden" name="dataClass" value="${s.data.dataClass}">
            <input type="hidden" name="system" value="${s.data.system}">
            <input type="hidden" name="seenDecision" value="${s.answer.decision}">
            <div><button type="submit">Confirm and record</button></div>
          </form>`
    }
    <p><a href="${back}">Change the procurement</a> · <a href="/ui/entity">Back to your entity</a></p>`;
}

function procurementPage(p: ProcurementRecord, bucket: WorkloadBucket | undefined, csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  const row = (term: string, value: SafeHtml | string | undefined) => (value === undefined ? '' : html`<dt>${term}</dt><dd>${value}</dd>`);
  return html`<p><a href="/ui/entity">Your entity</a></p>
    <h1>${p.system} <span class="status">${label(p.status)}</span></h1>
    <dl class="facts">
      ${row('Procurement', p.procurementId)}
      ${row('Offering', p.offeringId)}
      ${row('Data class', label(p.dataClass))}
      ${row('Standing', p.status === 'active' ? (bucket ? BUCKET_TEXT[bucket] : 'Not yet counted') : undefined)}
      ${row('Recorded', when(p.recordedAt))}
      ${row('Check when recorded', p.check.decision === 'allowed-by-noc' ? `Allowed by NOC ${p.check.noc?.nocId ?? ''}` : label(p.check.decision))}
      ${row('Its reasons', p.check.reasons.join(', '))}
      ${row('NOC permission until', p.check.noc ? when(p.check.noc.validUntil) : undefined)}
      ${row('Ended', p.endedAt ? when(p.endedAt) : undefined)}
    </dl>
    ${
      p.status === 'active'
        ? html`<section class="action" aria-labelledby="end-title">
            <h2 id="end-title">End this procurement</h2>
            ${errorSummary('end', errors)}
            <form class="stack" method="post" action="/ui/entity/procurements/${encodeURIComponent(p.procurementId)}/end" novalidate>
              ${csrfField(csrf)}
              ${commandIdField(values)}
              ${textArea({ form: 'end', name: 'reason', label: 'Why the workload left the offering', values, errors, required: true })}
              <div><button type="submit">End procurement</button></div>
            </form>
          </section>`
        : ''
    }`;
}

export function procurementRoutes(app: FastifyInstance, ctx: UiContext): void {
  const show = (request: FastifyRequest, reply: FastifyReply, actor: Actor, title: string, main: SafeHtml, status = 200, notice?: string) =>
    sendPage(reply, page({ title, actor, csrf: csrfOf(ctx, request), current: 'entity', main, notice }), status);

  app.get('/entity/procurements/new', async (request, reply) => {
    const { actor } = entityOf(request);
    const query = request.query as Record<string, unknown>;
    const values: FormValues = {};
    for (const name of Object.keys(FIELD_LABELS)) if (typeof query[name] === 'string') values[name] = (query[name] as string).slice(0, 200);
    return show(request, reply, actor, 'Record a procurement', statementForm(ctx, csrfOf(ctx, request), values, {}));
  });

  app.post('/entity/procurements/check', async (request, reply) => {
    const { actor, pseId } = entityOf(request);
    const values = formValues(request.body);
    const s = stated(ctx, pseId, values);
    if (!s.ok) return show(request, reply, actor, 'Record a procurement', statementForm(ctx, csrfOf(ctx, request), values, s.errors), 400);
    return show(request, reply, actor, 'Confirm the procurement', confirmPage(ctx, actor, csrfOf(ctx, request), s, {}, {}));
  });

  app.post('/entity/procurements', async (request, reply) => {
    const { actor, pseId } = entityOf(request);
    const values = formValues(request.body);
    const s = stated(ctx, pseId, values);
    if (!s.ok) return show(request, reply, actor, 'Record a procurement', statementForm(ctx, csrfOf(ctx, request), values, s.errors), 400);
    const again = (errors: FormErrors, status: number) =>
      show(request, reply, actor, 'Confirm the procurement', confirmPage(ctx, actor, csrfOf(ctx, request), s, values, errors), status);
    if (s.answer.decision === 'denied') return again({ '': 'The procurement check denies this procurement; nothing was recorded.' }, 422);
    if (values.seenDecision !== s.answer.decision) {
      return again({ '': 'The check’s answer is not the one you confirmed; read it again before you confirm.' }, 409);
    }
    try {
      const result = await pseGatewayOf(ctx).recordProcurement(actor, s.data, commandIdOf(values));
      return seeOther(reply, `/ui/entity/procurements/${encodeURIComponent(result.procurement.procurementId)}?done=recorded`);
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'unavailable') throw err;
      return again({ '': err.message }, statusOf(err));
    }
  });

  const own = async (pseId: string, procurementId: string): Promise<ProcurementRecord> => {
    const found = ProcurementParams.safeParse({ procurementId }).success ? (await entityRecord(ctx, pseId)).procurements[procurementId] : undefined;
    if (found === undefined) throw new DomainError('NOT_FOUND', `Your entity has no procurement ${procurementId}`);
    return found;
  };

  app.get('/entity/procurements/:procurementId', async (request, reply) => {
    const { actor, pseId } = entityOf(request);
    const { procurementId } = request.params as { procurementId: string };
    const p = await own(pseId, procurementId);
    const done = (request.query as Record<string, unknown>).done;
    const notice = done === 'recorded' ? 'The procurement has been recorded.' : done === 'ended' ? 'The procurement has been ended.' : undefined;
    return show(request, reply, actor, p.system, procurementPage(p, bucketsOf(ctx, pseId).get(p.procurementId), csrfOf(ctx, request), {}, {}), 200, notice);
  });

  app.post('/entity/procurements/:procurementId/end', async (request, reply) => {
    const { actor, pseId } = entityOf(request);
    const { procurementId } = request.params as { procurementId: string };
    const p = await own(pseId, procurementId);
    const values = formValues(request.body);
    const refuse = (message: string, status: number) =>
      show(request, reply, actor, p.system, procurementPage(p, bucketsOf(ctx, pseId).get(p.procurementId), csrfOf(ctx, request), values, { reason: message }), status);
    const parsed = EndProcurementBody.safeParse({ reason: values.reason ?? '' });
    if (!parsed.success) return refuse((values.reason ?? '').trim() === '' ? 'Reason: this is required' : `Reason: ${parsed.error.issues[0]?.message ?? 'not valid'}`, 400);
    try {
      await pseGatewayOf(ctx).endProcurement(actor, procurementId, parsed.data.reason, commandIdOf(values));
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'unavailable') throw err;
      return refuse(err.message, statusOf(err));
    }
    return seeOther(reply, `/ui/entity/procurements/${encodeURIComponent(procurementId)}?done=ended`);
  });
}
