import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ApiDeps } from '../../api/deps';
import { DATA_CLASSES } from '../../domain/shared/vocabulary';
import type { AccreditationChangeRow, OfferingRecord } from '../../projections/accreditation/queries';
import { sendPage } from '../context';
import { html, type SafeHtml } from '../html';
import { label, page, when } from '../layout';
import { FEED_PATH, FEED_TYPE, KIND_TEXT } from './changes-feed';

/**
 * An offering's own public page: who provides it, what it is, the accreditation it holds (security
 * baseline, the data it may hold, conditions) and every change of its standing with the reasons.
 * An offering that was never accredited is not public: it answers 404 like an unknown one.
 */
const OFFERING_ID = /^[A-Za-z0-9._:-]{1,100}$/;

function publicPage(title: string, main: SafeHtml, status: number, reply: FastifyReply, head?: SafeHtml): FastifyReply {
  return sendPage(reply, page({ title, csrf: '', current: 'none', main, ...(head ? { head } : {}) }), status);
}

function standing(record: OfferingRecord): SafeHtml {
  const a = record.accreditation;
  const retired = record.retired
    ? html`<p class="error-summary"><strong>Retired.</strong> The provider has retired this offering: it is not on the accredited list and nothing new may be procured on it.</p>`
    : '';
  return html`${retired}${accreditation(record, a)}`;
}

function accreditation(record: OfferingRecord, a: OfferingRecord['accreditation']): SafeHtml {
  if (a === null) {
    const last = record.history[0];
    return html`<p class="error-summary"><strong>Not accredited.</strong> The accreditation was ${record.status} on ${when(last?.at)}.
      ${last?.transitionUntil ? html`Nothing new may go on it; workloads already on it must leave by ${when(last.transitionUntil)}.` : ''}</p>`;
  }
  const classes = DATA_CLASSES.slice(0, DATA_CLASSES.indexOf(a.highestDataClass) + 1);
  return html`${record.status === 'suspended' ? html`<p class="error-summary"><strong>Suspended.</strong> The offering keeps its place on the list, but nothing new may be procured on it until it is reinstated.</p>` : ''}
    <dl class="facts">
      <dt>Status</dt><dd><span class="status">${label(record.status)}</span></dd>
      <dt>Security baseline</dt><dd>${label(a.baseline)}</dd>
      <dt>Data it may hold</dt><dd>Up to ${label(a.highestDataClass)}: ${classes.map(label).join(', ')}</dd>
      <dt>Accredited since</dt><dd>${when(a.accreditedSince)}</dd>
      <dt>Valid</dt><dd>${when(a.validFrom)} to ${when(a.validUntil)}</dd>
      <dt>Conditions</dt><dd>${a.conditions.length === 0 ? html`<span class="muted">None</span>` : html`<ul>${a.conditions.map((c) => html`<li>${c}</li>`)}</ul>`}</dd>
    </dl>`;
}

function historyTable(rows: readonly AccreditationChangeRow[]): SafeHtml {
  return html`<table>
    <caption>${rows.length} change${rows.length === 1 ? '' : 's'}, newest first</caption>
    <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Status</th><th scope="col">Why</th><th scope="col">Decided by</th></tr></thead>
    <tbody>${rows.map(
      (c) => html`<tr>
        <td>${when(c.at)}</td>
        <td>${label(KIND_TEXT[c.kind])}</td>
        <td>${c.from === c.to ? label(c.to) : html`${c.from === null ? 'Not accredited' : label(c.from)} → <span class="status">${label(c.to)}</span>`}</td>
        <td>${c.reasons}${c.validUntil ? html`<br>Valid until ${when(c.validUntil)}.` : ''}${
          c.transitionUntil ? html`<br>Nothing new may go on it; workloads already on it must leave by ${when(c.transitionUntil)}.` : ''
        }</td>
        <td>${c.decidedBy.name ?? html`<span class="muted">Unnamed</span>`} <span class="muted">(${label(c.decidedBy.role)})</span></td>
      </tr>`,
    )}</tbody>
  </table>`;
}

export function offeringMain(record: OfferingRecord): SafeHtml {
  const feed = `${FEED_PATH}?offering=${encodeURIComponent(record.offeringId)}`;
  return html`<p><a href="/accredited-list">The accredited list</a></p>
    <h1>${record.offeringName}</h1>
    <p>Offering <code>${record.offeringId}</code>, provided by <strong>${record.cspName ?? record.cspId}</strong>${record.cspName ? html` <span class="muted">(${record.cspId})</span>` : ''}.</p>
    <h2>Accreditation</h2>
    ${standing(record)}
    <h2>The offering</h2>
    <dl class="facts">
      <dt>Deployment model</dt><dd>${label(record.deploymentModel)}</dd>
      <dt>Service models</dt><dd>${record.serviceModels.join(', ')}</dd>
      <dt>Data centres</dt><dd><ul>${record.dataCentres.map((dc) => html`<li>${dc.city} (${dc.country})</li>`)}</ul></dd>
    </dl>
    <h2>History</h2>
    ${historyTable(record.history)}
    <p><a href="${feed}">Follow this offering's changes (Atom feed)</a> ·
      <a href="/api/offerings/${encodeURIComponent(record.offeringId)}">This record as JSON</a> ·
      <a href="/procurement-check">Check a procurement</a></p>`;
}

export function offeringPage(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/offerings/:offeringId', async (request, reply) => {
    const queries = deps.publicQueries;
    if (!queries) {
      return publicPage('Not available', html`<h1>Not available</h1><p>The public register is not available on this server just now. Try again later.</p>`, 503, reply);
    }
    const { offeringId } = request.params as { offeringId: string };
    const record = OFFERING_ID.test(offeringId) ? queries.offering(offeringId) : undefined;
    if (record === undefined) {
      return publicPage(
        'Offering not found',
        html`<h1>Offering not found</h1>
          <p>No offering <code>${offeringId}</code> is or was on the accredited list. An offering has a public page once it has been accredited.</p>
          <p><a href="/accredited-list">The accredited list</a></p>`,
        404,
        reply,
      );
    }
    const head = html`<link rel="alternate" type="${FEED_TYPE}" title="Changes to ${record.offeringName}" href="${FEED_PATH}?offering=${encodeURIComponent(record.offeringId)}">`;
    return publicPage(record.offeringName, offeringMain(record), 200, reply, head);
  });
}
