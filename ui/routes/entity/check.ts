import type { FastifyInstance } from 'fastify';
import { entityAnswer, ProcurementQuery, type CheckAnswer, type Reason } from '../../../domain/procurement';
import type { Actor } from '../../../domain/shared/actor';
import { DomainError } from '../../../domain/shared/errors';
import { DATA_CLASSES } from '../../../domain/shared/vocabulary';
import type { NocRegisterRow } from '../../../projections/noc/read-model';
import { csrfOf, sendPage, type UiContext } from '../../context';
import { errorSummary, selectField, textField, type FormErrors, type FormValues } from '../../forms';
import { html, type SafeHtml } from '../../html';
import { label, page, when } from '../../layout';
import { accreditedOfferings, chooseOffering, offeringCombobox } from './offerings';
import { entityOf } from './scope';

/**
 * The procurement check as the entity itself sees it (SPEC §3.4): the public page gives the rule, the
 * offering's standing and whether a NOC in force covers the question; signed in, the entity also sees
 * each of its own NOCs the check considered, with its id, validity and conditions.
 */
const OUTCOME_TEXT: Record<Reason['outcome'], string> = { met: 'Met', failed: 'Not met', info: 'Note' };

/** The answer of the check for the actor's own entity, at now (or at `at`). */
export function entityCheck(ctx: UiContext, pseId: string, query: { offering: string; dataClass: (typeof DATA_CLASSES)[number]; at?: string }): CheckAnswer {
  const queries = ctx.deps.publicQueries;
  if (queries === undefined) throw new DomainError('UNAVAILABLE', 'The procurement check is not available on this server just now');
  return entityAnswer(queries.procurementCheck({ pse: pseId, ...query }, ctx.now().toISOString()));
}

function verdict(answer: CheckAnswer): SafeHtml {
  const { offeringId, dataClass } = answer.query;
  const question = html`${label(dataClass)} data on ${offeringId}, as of ${when(answer.evaluatedAt)}`;
  switch (answer.decision) {
    case 'allowed':
      return html`<p class="notice" role="status"><strong>Allowed:</strong> ${question}.</p>`;
    case 'allowed-by-noc':
      return html`<p class="notice" role="status"><strong>Allowed by your NOC ${answer.noc?.nocId ?? ''}</strong> until ${when(answer.noc?.validUntil)}: ${question}.</p>`;
    case 'denied':
      return html`<p class="error-summary" role="status"><strong>Denied:</strong> ${question}.</p>`;
  }
}

/** The entity's own NOCs the answer names, as the register holds them (ids in the order first named). */
function nocsNamed(ctx: UiContext, actor: Actor, answer: CheckAnswer): NocRegisterRow[] {
  const ids = [...new Set([...answer.reasons.flatMap((r) => (r.nocId ? [r.nocId] : [])), ...(answer.noc?.nocId ? [answer.noc.nocId] : [])])];
  return ids.flatMap((id) => {
    const row = ctx.deps.nocQueries.get(actor, id);
    return row ? [row] : [];
  });
}

function nocTable(rows: readonly NocRegisterRow[], covering: string | undefined): SafeHtml {
  if (rows.length === 0) return html`<p>None of your NOCs bears on this question.</p>`;
  return html`<table>
    <caption>Your NOCs the check considered</caption>
    <thead><tr><th scope="col">NOC</th><th scope="col">Status</th><th scope="col">Deviation</th><th scope="col">Data class</th>
      <th scope="col">Offering</th><th scope="col">Valid from</th><th scope="col">Valid until</th><th scope="col">Conditions</th></tr></thead>
    <tbody>${rows.map(
      (n) => html`<tr>
        <th scope="row"><a href="/ui/entity/nocs/${encodeURIComponent(n.nocId)}">${n.nocId}</a>${n.nocId === covering ? html`<br><strong>Covers this</strong>` : ''}</th>
        <td><span class="status">${label(n.status)}</span></td>
        <td>${label(n.deviation)}</td>
        <td>${label(n.dataClass)}</td>
        <td>${n.offeringId ?? html`<span class="muted">Any</span>`}</td>
        <td>${when(n.validFrom)}</td>
        <td>${when(n.validUntil)}</td>
        <td>${n.conditions.length === 0 ? html`<span class="muted">None</span>` : html`<ul>${n.conditions.map((c) => html`<li>${c}</li>`)}</ul>`}</td>
      </tr>`,
    )}</tbody>
  </table>`;
}

/** The whole answer: the verdict, the rule, every reason, and the entity's own NOCs with their details. */
export function answerSection(ctx: UiContext, actor: Actor, answer: CheckAnswer): SafeHtml {
  return html`<section aria-labelledby="answer">
    <h2 id="answer">The procurement check's answer</h2>
    ${verdict(answer)}
    <p>Rule applied: <strong>${answer.rule.id}</strong> — ${answer.rule.summary}.</p>
    <table>
      <caption>Every reason, the rule first</caption>
      <thead><tr><th scope="col">Outcome</th><th scope="col">Reason</th><th scope="col">NOC</th><th scope="col">Code</th></tr></thead>
      <tbody>${answer.reasons.map(
        (r) => html`<tr><td>${OUTCOME_TEXT[r.outcome]}</td><td>${r.message}</td><td>${r.nocId ?? ''}</td><td><code>${r.code}</code></td></tr>`,
      )}</tbody>
    </table>
    <h3>Your NOCs</h3>
    ${nocTable(nocsNamed(ctx, actor, answer), answer.decision === 'allowed-by-noc' ? answer.noc?.nocId : undefined)}
  </section>`;
}

const FIELD_LABELS: Record<string, string> = { offering: 'Offering', dataClass: 'Data class', at: 'At' };

export function checkRoutes(app: FastifyInstance, ctx: UiContext): void {
  app.get('/entity/procurement-check', async (request, reply) => {
    const { actor, pseId } = entityOf(request);
    const raw = request.query as Record<string, unknown>;
    const values: FormValues = {};
    for (const name of Object.keys(FIELD_LABELS)) {
      const value = raw[name];
      if (typeof value === 'string' && value.trim() !== '') values[name] = value.trim();
    }
    const rows = accreditedOfferings(ctx.deps);
    const errors: FormErrors = {};
    let answer: CheckAnswer | undefined;
    if (Object.keys(values).length > 0) {
      // Any offering the register may know is a fair question here; the suggestions are only a help.
      const chosen = chooseOffering(rows, values.offering ?? '', 'Offering');
      const offering = chosen.ok ? chosen.offeringId : values.offering;
      const parsed = ProcurementQuery.safeParse({ pse: pseId, offering, dataClass: values.dataClass, at: values.at });
      if (parsed.success) answer = entityCheck(ctx, pseId, parsed.data);
      else
        for (const issue of parsed.error.issues) {
          const field = String(issue.path[0] ?? '');
          errors[field] ??= `${FIELD_LABELS[field] ?? 'The form'}: ${issue.message}`;
        }
    }
    const form = 'check';
    return sendPage(
      reply,
      page({
        title: 'Procurement check for your entity',
        actor,
        csrf: csrfOf(ctx, request),
        current: 'entity',
        main: html`<h1>Procurement check for ${pseId}</h1>
          <p>May your entity put data of a given class on a cloud offering? Signed in, you see every reason,
            including each of your own NOCs the check considered (the <a href="/procurement-check">public check</a>
            shows only whether a NOC in force covers it).</p>
          ${errorSummary(form, errors)}
          <form class="stack" method="get" action="/ui/entity/procurement-check" novalidate>
            ${offeringCombobox({ form, name: 'offering', label: 'Offering', values, errors, rows, searchFor: 'procurement', required: true })}
            ${selectField({ form, name: 'dataClass', label: 'Data class', values, errors, required: true, empty: 'Choose a class', options: DATA_CLASSES.map((d) => [d, label(d)] as const) })}
            ${textField({ form, name: 'at', label: 'At (optional)', hint: 'An instant such as 2026-06-01T00:00:00Z; leave empty for now', values, errors })}
            <div><button type="submit">Check</button></div>
          </form>
          ${answer ? answerSection(ctx, actor, answer) : ''}`,
      }),
      Object.keys(errors).length > 0 ? 400 : 200,
    );
  });
}
