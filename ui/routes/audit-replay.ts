import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { buildDossier } from '../../audit/dossier';
import { dossierHtml } from '../../audit/dossier-html';
import { DomainError } from '../../domain/shared/errors';
import { allProjections } from '../../projections';
import { asOfPageProblem, runAudit } from '../../api/audit-jobs';
import { actorOf, csrfOf, sendPage, type UiContext } from '../context';
import { errorSummary, selectField, textField, type FormErrors } from '../forms';
import { html, type SafeHtml } from '../html';
import { page } from '../layout';

/** Rows shown per table and page; the next ones a link away, the whole model from the CLI. */
const ROWS_SHOWN = 200;

function requireAuditor(ctx: UiContext, request: Parameters<typeof actorOf>[0]) {
  const actor = actorOf(request);
  if (actor.role !== 'auditor') throw new DomainError('ROLE_NOT_ALLOWED', 'Replaying history is for auditors');
  if (!ctx.deps.audit) throw new DomainError('UNAVAILABLE', 'Auditing is not configured on this server');
  return { actor, audit: ctx.deps.audit };
}

/** A table's page, and a link to the rows after it while there are more. */
function table(name: string, rows: Record<string, unknown>[], next: string | null, view: { model: string; asOf: string }): SafeHtml {
  const columns = rows[0] ? Object.keys(rows[0]) : [];
  const more = next === null ? '' : `/ui/audit/as-of?${new URLSearchParams({ ...view, table: name, after: next }).toString()}`;
  return html`<table>
    <caption>${name}: ${rows.length} row${rows.length === 1 ? '' : 's'}${next === null ? '' : ', more follow'}</caption>
    <thead><tr>${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
    <tbody>${rows.map((r) => html`<tr>${columns.map((c) => html`<td>${r[c] === null ? '' : String(r[c])}</td>`)}</tr>`)}</tbody>
  </table>${more === '' ? '' : html`<p><a href="${more}">The next ${ROWS_SHOWN} rows of ${name}</a></p>`}`;
}

/** Auditor pages: any read model as of an instant, the verification of the whole history, a case's dossier. */
export function auditReplayRoutes(app: FastifyInstance, ctx: UiContext): void {
  app.get('/audit/as-of', async (request, reply) => {
    const { actor, audit } = requireAuditor(ctx, request);
    const q = request.query as Record<string, string | undefined>;
    const models = allProjections().map((p) => p.name);
    const values = { model: q.model ?? models[0] ?? '', asOf: q.asOf ?? '' };
    const errors: FormErrors = {};
    let result: SafeHtml = html``;
    if (q.model !== undefined) {
      const projection = allProjections().find((p) => p.name === values.model);
      const instant = values.asOf.trim() === '' ? undefined : values.asOf.trim();
      if (!projection) errors.model = `Choose one of ${models.join(', ')}`;
      if (instant !== undefined && !z.iso.datetime({ offset: true }).safeParse(instant).success) {
        errors.asOf = 'An ISO-8601 instant such as 2026-06-30T23:59:59Z, or empty for now';
      }
      const page = { limit: ROWS_SHOWN, ...(q.table ? { table: q.table } : {}), ...(q.after ? { after: q.after } : {}) };
      const pageProblem = projection ? asOfPageProblem(projection, page) : undefined;
      // The table and cursor come from the page's own links, not the form: a bad one is said above it.
      if (pageProblem) errors[''] = pageProblem.message;
      if (projection && Object.keys(errors).length === 0) {
        const rebuilt = await runAudit(audit, { kind: 'as-of', model: projection.name, ...(instant !== undefined ? { asOf: instant } : {}), from: 'snapshot', page });
        result = html`<h2>${projection.name} as of ${instant ?? 'now'}</h2>
          <p>Rebuilt from the ${rebuilt.events} events recorded ${instant ? `up to ${instant}` : 'so far'}, in a separate database; the live read model is untouched.</p>
          ${Object.entries(rebuilt.tables).map(([name, rows]) => table(name, rows, rebuilt.next[name] ?? null, values))}`;
      }
    }
    return sendPage(
      reply,
      page({
        title: 'Read models as of an instant',
        actor,
        csrf: csrfOf(ctx, request),
        current: 'audit',
        main: html`<h1>Read models as of an instant</h1>
          ${errorSummary('asof', errors)}
          <form class="filters" method="get" action="/ui/audit/as-of" aria-label="Choose a read model and an instant">
            ${selectField({ form: 'asof', name: 'model', label: 'Read model', values, errors, options: models.map((m) => [m, m] as const) })}
            ${textField({ form: 'asof', name: 'asOf', label: 'As of (ISO instant; empty for now)', values, errors })}
            <button type="submit">Replay</button>
          </form>
          ${result}`,
      }),
      Object.keys(errors).length > 0 ? 400 : 200,
    );
  });

  app.get('/audit/verification', async (request, reply) => {
    const { actor, audit } = requireAuditor(ctx, request);
    const result = await runAudit(audit, { kind: 'verify', mode: 'full', record: false });
    const intact = result.breaks.length === 0 && result.checkpoints.findings.length === 0;
    return sendPage(
      reply,
      page({
        title: 'Verification of the history',
        actor,
        csrf: csrfOf(ctx, request),
        current: 'audit',
        main: html`<h1>Verification of the history</h1>
          <p class="${intact ? 'notice' : 'error-summary'}" role="status">${
            intact
              ? `Intact: ${result.events} events in ${result.streams} streams recompute their hash chains, and ${result.checkpoints.verified} signed checkpoints verify.`
              : `Not intact: ${result.breaks.length} broken stream(s), ${result.checkpoints.findings.length} checkpoint finding(s).`
          }</p>
          ${result.breaks.length > 0
            ? html`<table><caption>Broken streams (first wrong position)</caption><thead><tr><th scope="col">Stream</th><th scope="col">Revision</th><th scope="col">What</th><th scope="col">Detail</th></tr></thead>
              <tbody>${result.breaks.map((b) => html`<tr><td>${b.stream}</td><td>${b.revision}</td><td>${b.problem}</td><td>${b.detail}</td></tr>`)}</tbody></table>`
            : ''}
          ${result.checkpoints.findings.length > 0
            ? html`<table><caption>Checkpoint findings</caption><thead><tr><th scope="col">Checkpoint</th><th scope="col">What</th><th scope="col">Detail</th></tr></thead>
              <tbody>${result.checkpoints.findings.map(
                (f) => html`<tr><td>${f.sequence}</td><td>${f.problem}</td><td>${f.detail}${(f.streams ?? []).map((s) => html`<br>${s.stream}: ${s.problem} (recorded ${s.recorded}, found ${s.found ?? 'nothing'})`)}</td></tr>`,
              )}</tbody></table>`
            : ''}`,
      }),
    );
  });

  app.get('/audit/cases/:stream/dossier', async (request, reply) => {
    const { audit } = requireAuditor(ctx, request);
    const { stream } = request.params as { stream: string };
    const dossier = await buildDossier(audit.store, stream, audit.trustedKeys, new Date().toISOString(), { evidence: ctx.deps.evidence?.store, checkpoints: audit.checkpoints });
    if (!dossier) throw new DomainError('NOT_FOUND', `No case ${stream}`);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(dossierHtml(dossier, { caseHref: (other) => `../${encodeURIComponent(other)}/dossier` }));
  });
}
