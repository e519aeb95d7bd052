import type { FastifyInstance } from 'fastify';
import type { ProcurementRecord } from '../../../domain/pse';
import type { NocRegisterRow } from '../../../projections/noc/read-model';
import { csrfOf, sendPage, type UiContext } from '../../context';
import { html, type SafeHtml } from '../../html';
import { label, page, when } from '../../layout';
import { nocDeadlines } from './nocs';
import { accreditedOfferings } from './offerings';
import { BUCKET_TEXT, bucketsOf, entityRecord } from './procurements';
import { entityOf } from './scope';

/**
 * The entity's home: its NOCs with their deadlines, its procurements with their standing, and the way to
 * everything it does in the browser. The NOCs come from the register read model, the procurements from
 * the entity's own register entry, their standing from the adoption figures.
 */
const NOC_LIMIT = 500;

/** NOCs that ask something of the entity first, then those in force by their end, then the rest, newest first. */
function nocOrder(a: NocRegisterRow, b: NocRegisterRow): number {
  const rank = (n: NocRegisterRow): number => (n.status === 'awaiting-pse' ? 0 : n.status === 'active' || n.status === 'extension-requested' ? 1 : 2);
  return rank(a) - rank(b) || (rank(a) === 1 ? (a.validUntil ?? '').localeCompare(b.validUntil ?? '') : b.requestedAt.localeCompare(a.requestedAt));
}

function nocTable(rows: readonly NocRegisterRow[], now: string): SafeHtml {
  if (rows.length === 0) return html`<p>Your entity has no NOC.</p>`;
  return html`<table>
    <caption>${rows.length} NOC${rows.length === 1 ? '' : 's'}: those that need you first</caption>
    <thead><tr><th scope="col">NOC</th><th scope="col">Status</th><th scope="col">Deviation</th><th scope="col">Offering</th>
      <th scope="col">Data class</th><th scope="col">Valid until</th><th scope="col">Deadlines</th></tr></thead>
    <tbody>${rows.map((n) => {
      const deadlines = nocDeadlines(
        { status: n.status, informationDueBy: n.informationDueBy ?? undefined, validUntil: n.validUntil ?? undefined, pendingExtensionMonths: n.pendingExtensionMonths ?? undefined },
        now,
      );
      return html`<tr>
        <th scope="row"><a href="/ui/entity/nocs/${encodeURIComponent(n.nocId)}">${n.nocId}</a></th>
        <td><span class="status">${label(n.status)}</span></td>
        <td>${label(n.deviation)}</td>
        <td>${n.offeringId ?? html`<span class="muted">—</span>`}</td>
        <td>${label(n.dataClass)}</td>
        <td>${when(n.validUntil)}</td>
        <td>${deadlines.length === 0 ? html`<span class="muted">None</span>` : html`<ul>${deadlines.map((d) => html`<li>${d}</li>`)}</ul>`}</td>
      </tr>`;
    })}</tbody>
  </table>`;
}

function procurementTable(rows: readonly ProcurementRecord[], names: Map<string, string>, buckets: Map<string, keyof typeof BUCKET_TEXT>): SafeHtml {
  if (rows.length === 0) return html`<p>Your entity has recorded no procurement.</p>`;
  return html`<table>
    <caption>${rows.length} procurement${rows.length === 1 ? '' : 's'}, open ones first</caption>
    <thead><tr><th scope="col">System</th><th scope="col">Offering</th><th scope="col">Data class</th><th scope="col">Status</th>
      <th scope="col">Standing</th><th scope="col">Recorded</th></tr></thead>
    <tbody>${rows.map((p) => {
      const bucket = buckets.get(p.procurementId);
      const standing = p.status === 'ended' ? html`<span class="muted">Ended ${when(p.endedAt)}</span>` : bucket ? BUCKET_TEXT[bucket] : html`<span class="muted">Not yet counted</span>`;
      const flagged = p.status === 'active' && (bucket === 'migrating' || bucket === 'non-compliant');
      return html`<tr>
        <th scope="row"><a href="/ui/entity/procurements/${encodeURIComponent(p.procurementId)}">${p.system}</a></th>
        <td>${names.get(p.offeringId) ?? p.offeringId}<br><span class="muted">${p.offeringId}</span></td>
        <td>${label(p.dataClass)}</td>
        <td><span class="status">${p.status === 'active' ? 'Open' : 'Ended'}</span></td>
        <td>${flagged ? html`<strong>${standing}</strong>` : standing}</td>
        <td>${when(p.recordedAt)}</td>
      </tr>`;
    })}</tbody>
  </table>`;
}

export function entityHomeRoute(app: FastifyInstance, ctx: UiContext): void {
  app.get('/entity', async (request, reply) => {
    const { actor, pseId } = entityOf(request);
    const now = ctx.now().toISOString();
    const nocs = ctx.deps.nocQueries.list(actor, { pseId, limit: NOC_LIMIT, offset: 0 }).sort(nocOrder);
    const entity = await entityRecord(ctx, pseId);
    const procurements = Object.values(entity.procurements).sort(
      (a, b) => (a.status === b.status ? b.recordedAt.localeCompare(a.recordedAt) : a.status === 'active' ? -1 : 1),
    );
    const names = new Map(accreditedOfferings(ctx.deps).map((r) => [r.offeringId, r.offeringName]));
    return sendPage(
      reply,
      page({
        title: entity.name ?? pseId,
        actor,
        csrf: csrfOf(ctx, request),
        current: 'entity',
        main: html`<h1>${entity.name ?? pseId} <span class="muted">${pseId}</span></h1>
          ${entity.name === undefined ? html`<p class="error-summary">Your entity is not on the PSE register yet: it can neither request a NOC nor record a procurement until the office registers it.</p>` : ''}
          <ul class="counts">
            <li><a class="button" href="/ui/entity/nocs/new">Request a NOC</a></li>
            <li><a class="button" href="/ui/entity/procurements/new">Record a procurement</a></li>
            <li><a href="/ui/entity/procurement-check">Procurement check</a></li>
            <li><a href="/ui/inbox">Your notices</a></li>
          </ul>
          <h2>NOCs</h2>
          ${nocTable(nocs, now)}
          <h2>Procurements</h2>
          ${procurementTable(procurements, names, bucketsOf(ctx, pseId))}`,
      }),
    );
  });
}
