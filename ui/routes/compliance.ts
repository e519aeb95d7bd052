import type { FastifyInstance } from 'fastify';
import { COMPLIANCE_STAFF, type ComplianceDashboardRow } from '../../projections/compliance/queries';
import { actorOf, csrfOf, sendPage, type UiContext } from '../context';
import { html, type SafeHtml } from '../html';
import { label, page, when } from '../layout';

const reviewLink = (reviewId: string): SafeHtml => html`<a href="/ui/reviews/${encodeURIComponent(reviewId)}">${reviewId}</a>`;

/** The last months' reports, newest first, as "2026-10 submitted". */
function reports(row: ComplianceDashboardRow): SafeHtml {
  const m = row.monitoring;
  if (m.status === null) return html`<span class="muted">Not monitored</span>`;
  const recent = m.periods.slice(0, 3);
  return html`${m.submitted} on time, ${m.late} late, <strong>${m.missed}</strong> missed${
    m.consecutiveMisses > 0 ? html`; <strong>${m.consecutiveMisses} in a row</strong>` : ''
  }${m.status === 'ended' ? ' (monitoring ended)' : ''}${
    recent.length > 0 ? html`<br><span class="muted">${recent.map((p) => `${p.period} ${p.outcome}`).join(', ')}</span>` : ''
  }`;
}

function overdue(row: ComplianceDashboardRow): SafeHtml {
  const items = [
    ...row.overdue.evidence.map((e) => html`<li>Evidence for ${reviewLink(e.reviewId)}, due ${when(e.dueBy)}</li>`),
    ...row.overdue.findings.map((f) => html`<li>${f.findingId} (${f.severity}) of ${reviewLink(f.reviewId)}, due ${when(f.deadline)}</li>`),
  ];
  return items.length === 0 ? html`None` : html`<ul>${items}</ul>`;
}

function escalations(row: ComplianceDashboardRow): SafeHtml {
  if (row.escalations.length === 0) return html`None`;
  return html`<ul>${row.escalations.map(
    (e) => html`<li>${reviewLink(e.reviewId)}: ${label(e.reason)}, ${when(e.escalatedAt)} — ${
      e.outcome === null ? html`<strong>awaiting the director</strong>` : label(e.outcome)
    }</li>`,
  )}</ul>`;
}

/** The compliance record of every accredited offering (SPEC §3.2), for the Cloud Office's staff. */
export function complianceRoutes(app: FastifyInstance, ctx: UiContext): void {
  app.get('/compliance', async (request, reply) => {
    const actor = actorOf(request);
    const rows = COMPLIANCE_STAFF.includes(actor.role) ? (ctx.deps.complianceQueries?.dashboard(actor) ?? []) : [];
    return sendPage(
      reply,
      page({
        title: 'Compliance',
        actor,
        csrf: csrfOf(ctx, request),
        current: 'compliance',
        main: html`<h1>Compliance of accredited offerings</h1>
          ${
            rows.length === 0
              ? html`<p>There are no accredited offerings to show.</p>`
              : html`<table class="dashboard">
                  <caption>Per offering, most recently changed first</caption>
                  <thead><tr><th scope="col">Offering</th><th scope="col">Accreditation</th><th scope="col">Monthly reports</th>
                    <th scope="col">Open findings (high / moderate / low)</th><th scope="col">Overdue</th><th scope="col">Last review</th>
                    <th scope="col">Escalations</th></tr></thead>
                  <tbody>${rows.map(
                    (row) => html`<tr>
                      <th scope="row">${row.offeringName ?? row.offeringId} <span class="muted">(${row.offeringId}, ${row.cspId})</span></th>
                      <td><a href="/ui/accreditations/${encodeURIComponent(row.applicationId)}">${row.applicationId}</a><br>${
                        row.accreditationStatus ? label(row.accreditationStatus) : html`<span class="muted">—</span>`
                      }</td>
                      <td>${reports(row)}</td>
                      <td>${row.openFindings.high > 0 ? html`<strong>${row.openFindings.high}</strong>` : '0'} / ${row.openFindings.moderate} / ${row.openFindings.low}</td>
                      <td>${overdue(row)}</td>
                      <td>${
                        row.lastReview
                          ? html`${reviewLink(row.lastReview.reviewId)}<br>${label(row.lastReview.trigger)}, ${label(row.lastReview.status)}, opened ${when(row.lastReview.openedAt)}`
                          : 'None'
                      }</td>
                      <td>${escalations(row)}</td>
                    </tr>`,
                  )}</tbody>
                </table>`
          }`,
      }),
    );
  });
}
