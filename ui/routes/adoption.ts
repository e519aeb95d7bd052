import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../api/deps';
import type { AdoptionFigures } from '../../projections/adoption/queries';
import { sendPage } from '../context';
import { html, type SafeHtml } from '../html';
import { label, page, when } from '../layout';

/**
 * Adoption of cloud-first across public service entities, as simple bar charts. The bars are plain
 * HTML (no script, no canvas), and every chart has its table of numbers for screen readers and print.
 */
type Row = AdoptionFigures['byJurisdiction'][number] | AdoptionFigures['byMinistry'][number];

const SERIES = [
  ['workloadsOnAccredited', 'Workloads on accredited clouds', 'bar-good', 'workloads on accredited clouds'],
  ['workloadsUnderNoc', 'Workloads under a NOC in force', 'bar-warn', 'workloads under a NOC in force'],
  ['activeNocs', 'NOCs in force', 'bar-info', 'NOCs in force'],
  ['nocsExpiringWithin30Days', 'NOCs expiring within 30 days', 'bar-bad', 'NOCs expiring within 30 days'],
  ['workloadsInTransition', 'Workloads migrating off an offering whose accreditation ended', 'bar-warn', 'workloads migrating off an offering whose accreditation ended'],
  ['workloadsNonCompliant', 'Workloads non-compliant (past a migration deadline, or their NOC ended)', 'bar-bad', 'workloads non-compliant'],
] as const;


/** Widths come in steps of 5% as classes: the pages' content security policy allows no inline style. */
function widthStep(value: number, max: number): number {
  return value === 0 ? 0 : Math.max(5, Math.round((value / max) * 20) * 5);
}

function chart(title: string, rows: readonly Row[], name: (r: Row) => string): SafeHtml {
  if (rows.length === 0) return html`<h2>${title}</h2><p>Nothing recorded yet.</p>`;
  const max = Math.max(1, ...rows.flatMap((r) => SERIES.map(([key]) => r[key])));
  return html`<h2>${title}</h2>
    <div class="chart" aria-hidden="true">${rows.map(
      (r) => html`<div class="chart-group"><div class="chart-label">${name(r)}</div>${SERIES.map(
        ([key, , cls, inline]) => html`<div class="chart-row"><span class="bar ${cls} w${widthStep(r[key], max)}"></span><span class="bar-value">${r[key]} <span class="muted">${inline}</span></span></div>`,
      )}</div>`,
    )}</div>
    <table>
      <caption>${title}: the numbers</caption>
      <thead><tr><th scope="col">${title.includes('ministry') ? 'Ministry' : 'Jurisdiction'}</th>${SERIES.map(([, text]) => html`<th scope="col">${text}</th>`)}</tr></thead>
      <tbody>${rows.map((r) => html`<tr><th scope="row">${name(r)}</th>${SERIES.map(([key]) => html`<td>${r[key]}</td>`)}</tr>`)}</tbody>
    </table>`;
}

export function adoptionMain(figures: AdoptionFigures): SafeHtml {
  const t = figures.totals;
  return html`<h1>Cloud adoption across public service entities</h1>
    <p>As of ${when(figures.asOf)}: ${t.workloadsOnAccredited} workloads on accredited clouds, ${t.workloadsUnderNoc} under a NOC in force,
      ${t.workloadsInTransition} migrating off an offering whose accreditation ended, ${t.workloadsNonCompliant} non-compliant
      (each workload counted once); ${t.activeNocs} NOCs in force, ${t.nocsExpiringWithin30Days} expiring within 30 days.
      <a href="/api/adoption">The figures as JSON</a>.</p>
    ${chart('By jurisdiction', figures.byJurisdiction, (r) => label(r.jurisdiction))}
    ${chart('By ministry', figures.byMinistry, (r) => ('ministry' in r && r.ministry ? r.ministry : 'Entity not registered') + ` (${label(r.jurisdiction)})`)}`;
}

export function adoptionPage(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/adoption', async (_request, reply) => {
    if (!deps.adoptionQueries) {
      return sendPage(reply, page({ title: 'Not available', csrf: '', current: 'none', main: html`<h1>Not available</h1><p>Adoption figures are not available on this server just now.</p>` }), 503);
    }
    const figures = deps.adoptionQueries.figures(new Date().toISOString());
    return sendPage(reply, page({ title: 'Cloud adoption', csrf: '', current: 'none', main: adoptionMain(figures) }));
  });
}
