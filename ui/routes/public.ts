import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ApiDeps } from '../../api/deps';
import { ProcurementQuery, publicAnswer, type CheckAnswer, type Reason } from '../../domain/procurement';
import { DATA_CLASSES } from '../../domain/shared/vocabulary';
import type { AccreditationChangeRow, AccreditedListRow } from '../../projections/accreditation/queries';
import type { PublicQueries } from '../../projections/procurement/queries';
import { sendPage } from '../context';
import { errorSummary, selectField, textField, type FormErrors, type FormValues } from '../forms';
import { html, type SafeHtml } from '../html';
import { label, page, when } from '../layout';
import { FEED_PATH, FEED_TYPE, KIND_TEXT, offeringPath } from './changes-feed';

/**
 * The public pages (SPEC §5): the accredited list, its change log and the procurement check, for
 * anyone, without signing in. They read the same read models as the public API.
 */
const CHANGES_PAGE_SIZE = 100;
const OFFERING_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** The list and its change log announce the feed of changes, so a feed reader finds it from either page. */
const FEED_LINK = html`<link rel="alternate" type="${FEED_TYPE}" title="Changes to the accredited list" href="${FEED_PATH}">`;

function publicPage(title: string, main: SafeHtml, head?: SafeHtml): SafeHtml {
  return page({ title, csrf: '', current: 'none', main, ...(head ? { head } : {}) });
}

/** Without the read models there is nothing true to show; say so instead of an empty list. */
function unavailable(reply: FastifyReply): FastifyReply {
  return sendPage(
    reply,
    publicPage('Not available', html`<h1>Not available</h1><p>The public register is not available on this server just now. Try again later.</p>`),
    503,
  );
}

const DEPLOYMENTS = ['public', 'government', 'private', 'hybrid'] as const;

interface ListFilter {
  values: FormValues;
  q?: string;
  dataClass?: (typeof DATA_CLASSES)[number];
  deployment?: string;
  status?: string;
}

/** Unknown values are ignored rather than refused: a filter narrows a public list, it changes nothing. */
function listFilter(query: Record<string, unknown>): ListFilter {
  const text = (key: string): string | undefined => {
    const v = typeof query[key] === 'string' ? (query[key] as string).trim() : '';
    return v === '' || v.length > 100 ? undefined : v;
  };
  const f: ListFilter = { values: {} };
  const q = text('q');
  if (q) f.q = f.values.q = q;
  const dataClass = text('dataClass');
  if (dataClass && (DATA_CLASSES as readonly string[]).includes(dataClass)) {
    f.values.dataClass = dataClass;
    f.dataClass = dataClass as NonNullable<ListFilter['dataClass']>;
  }
  const deployment = text('deployment');
  if (deployment && (DEPLOYMENTS as readonly string[]).includes(deployment)) f.deployment = f.values.deployment = deployment;
  const status = text('status');
  if (status === 'accredited' || status === 'suspended') f.status = f.values.status = status;
  return f;
}

function matches(r: AccreditedListRow, f: ListFilter): boolean {
  const text = `${r.offeringName} ${r.offeringId} ${r.cspName ?? ''} ${r.cspId}`.toLowerCase();
  return (
    (!f.q || text.includes(f.q.toLowerCase())) &&
    (!f.dataClass || DATA_CLASSES.indexOf(r.highestDataClass) >= DATA_CLASSES.indexOf(f.dataClass)) &&
    (!f.deployment || r.deploymentModel === f.deployment) &&
    (!f.status || r.status === f.status)
  );
}

function listTable(rows: readonly AccreditedListRow[]): SafeHtml {
  if (rows.length === 0) return html`<p>No offering is accredited at present.</p>`;
  return html`<table>
    <caption>${rows.length} accredited offering${rows.length === 1 ? '' : 's'}, by name</caption>
    <thead><tr><th scope="col">Offering</th><th scope="col">Provider</th><th scope="col">Status</th><th scope="col">Deployment</th>
      <th scope="col">Service models</th><th scope="col">Data centres</th><th scope="col">Baseline</th><th scope="col">Data up to</th>
      <th scope="col">Accredited since</th><th scope="col">Valid until</th><th scope="col">Conditions</th></tr></thead>
    <tbody>${rows.map(
      (r) => html`<tr>
        <th scope="row"><a href="${offeringPath(r.offeringId)}">${r.offeringName}</a><br><span class="muted">${r.offeringId}</span></th>
        <td>${r.cspName ?? r.cspId}</td>
        <td><span class="status">${label(r.status)}</span></td>
        <td>${label(r.deploymentModel)}</td>
        <td>${r.serviceModels.join(', ')}</td>
        <td>${r.dataCentres.map((dc) => `${dc.city} (${dc.country})`).join(', ')}</td>
        <td>${label(r.baseline)}</td>
        <td>${label(r.highestDataClass)}</td>
        <td>${when(r.accreditedSince)}</td>
        <td>${when(r.validUntil)}</td>
        <td>${r.conditions.length === 0 ? html`<span class="muted">None</span>` : html`<ul>${r.conditions.map((c) => html`<li>${c}</li>`)}</ul>`}</td>
      </tr>`,
    )}</tbody>
  </table>`;
}

function changeTable(rows: readonly AccreditationChangeRow[], offset: number): SafeHtml {
  if (rows.length === 0) return html`<p>No change recorded${offset > 0 ? ' on this page' : ''}.</p>`;
  return html`<table>
    <caption>${rows.length} change${rows.length === 1 ? '' : 's'}${offset > 0 ? `, from number ${offset + 1}` : ''}, newest first</caption>
    <thead><tr><th scope="col">When</th><th scope="col">Offering</th><th scope="col">What</th><th scope="col">From</th><th scope="col">To</th>
      <th scope="col">Why</th><th scope="col">Decided by</th></tr></thead>
    <tbody>${rows.map(
      (c) => html`<tr>
        <td>${when(c.at)}</td>
        <td><a href="${offeringPath(c.offeringId)}">${c.offeringName}</a><br><span class="muted">${c.offeringId}</span></td>
        <td>${label(KIND_TEXT[c.kind])}</td>
        <td>${c.from === null ? html`<span class="muted">Not accredited</span>` : label(c.from)}</td>
        <td><span class="status">${label(c.to)}</span></td>
        <td>${c.reasons}${c.validUntil ? html`<br>Valid until ${when(c.validUntil)}.` : ''}${c.transitionUntil ? html`<br>Nothing new may go on it; workloads already on it must leave by ${when(c.transitionUntil)}.` : ''}</td>
        <td>${c.decidedBy.name ?? html`<span class="muted">Unnamed</span>`} <span class="muted">(${label(c.decidedBy.role)})</span></td>
      </tr>`,
    )}</tbody>
  </table>`;
}

const OUTCOME_TEXT: Record<Reason['outcome'], string> = { met: 'Met', failed: 'Not met', info: 'Note' };

function verdict(answer: CheckAnswer): SafeHtml {
  const { pseId, offeringId, dataClass } = answer.query;
  const question = `${pseId} putting ${dataClass} data on ${offeringId} at ${answer.evaluatedAt}`;
  switch (answer.decision) {
    case 'allowed':
      return html`<p class="notice" role="status"><strong>Allowed:</strong> ${question}.</p>`;
    case 'allowed-by-noc':
      return html`<p class="notice" role="status"><strong>Allowed by ${answer.noc?.nocId ? `NOC ${answer.noc.nocId}` : 'a NOC in force'}</strong> until ${when(answer.noc?.validUntil)}: ${question}.</p>`;
    case 'denied':
      return html`<p class="error-summary" role="status"><strong>Denied:</strong> ${question}.</p>`;
  }
}

function answerSection(answer: CheckAnswer): SafeHtml {
  return html`<section aria-labelledby="answer">
    <h2 id="answer">Answer</h2>
    ${verdict(answer)}
    <p>Rule applied: <strong>${answer.rule.id}</strong> — ${answer.rule.summary}.</p>
    <table>
      <caption>Every reason, the rule first</caption>
      <thead><tr><th scope="col">Outcome</th><th scope="col">Reason</th><th scope="col">Code</th></tr></thead>
      <tbody>${answer.reasons.map(
        (r) => html`<tr><td>${OUTCOME_TEXT[r.outcome]}</td><td>${r.message}</td><td><code>${r.code}</code></td></tr>`,
      )}</tbody>
    </table>
  </section>`;
}

const FIELD_LABELS: Record<string, string> = { pse: 'Entity', offering: 'Offering', dataClass: 'Data class', at: 'At' };

/** The form's values as typed (strings only), and the check's answer or what is wrong with them. */
function checkFromQuery(queries: PublicQueries, raw: Record<string, unknown>): { values: FormValues; errors: FormErrors; answer?: CheckAnswer } {
  const values: FormValues = {};
  for (const name of Object.keys(FIELD_LABELS)) {
    const value = raw[name];
    if (typeof value === 'string' && value.trim() !== '') values[name] = value.trim();
  }
  if (Object.keys(values).length === 0) return { values, errors: {} };
  const parsed = ProcurementQuery.safeParse(values);
  if (!parsed.success) {
    const errors: FormErrors = {};
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '');
      errors[field] ??= `${FIELD_LABELS[field] ?? 'The form'}: ${issue.message}`;
    }
    return { values, errors };
  }
  // The page is anonymous: it shows what anyone may learn (an entity sees its own NOCs through the API).
  return { values, errors: {}, answer: publicAnswer(queries.procurementCheck(parsed.data, new Date().toISOString())) };
}

export function publicPages(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/accredited-list', async (request, reply) => {
    const queries = deps.publicQueries;
    if (!queries) return unavailable(reply);
    const filter = listFilter(request.query as Record<string, unknown>);
    const rows = queries.list().filter((r) => matches(r, filter));
    return sendPage(
      reply,
      publicPage(
        'Accredited cloud offerings',
        html`<h1>Accredited cloud offerings</h1>
          <p>Cloud offerings that hold an accreditation of the Cloud Office. A suspended offering keeps its
            place on the list, but nothing new may be procured on it until it is reinstated.</p>
          <p><a href="/api/accredited-list?format=csv" download>Download the list as CSV</a> ·
            <a href="/accredited-list/changes">Changes to the list</a> ·
            <a href="${FEED_PATH}">Follow the changes (Atom feed)</a> ·
            <a href="/procurement-check">Check a procurement</a></p>
          <form class="filters" method="get" action="/accredited-list" aria-label="Filter the accredited list">
            ${textField({ form: 'list', name: 'q', label: 'Offering or provider contains', values: filter.values, errors: {} })}
            ${selectField({ form: 'list', name: 'dataClass', label: 'Allows data of class', values: filter.values, errors: {}, empty: 'Any', options: DATA_CLASSES.map((c) => [c, label(c)] as const) })}
            ${selectField({ form: 'list', name: 'deployment', label: 'Deployment model', values: filter.values, errors: {}, empty: 'Any', options: DEPLOYMENTS.map((d) => [d, label(d)] as const) })}
            ${selectField({ form: 'list', name: 'status', label: 'Status', values: filter.values, errors: {}, empty: 'Any', options: [['accredited', 'Accredited'], ['suspended', 'Suspended']] as const })}
            <button type="submit">Filter</button> <a href="/accredited-list">Clear</a>
          </form>
          ${listTable(rows)}`,
        FEED_LINK,
      ),
    );
  });

  app.get('/accredited-list/changes', async (request, reply) => {
    const queries = deps.publicQueries;
    if (!queries) return unavailable(reply);
    const query = request.query as Record<string, unknown>;
    const offering = typeof query.offering === 'string' && OFFERING_ID.test(query.offering) ? query.offering : undefined;
    const offset = Math.max(0, Number.parseInt(typeof query.offset === 'string' ? query.offset : '0', 10) || 0);
    const rows = queries.changes({ offeringId: offering, limit: CHANGES_PAGE_SIZE + 1, offset });
    const more = rows.length > CHANGES_PAGE_SIZE;
    const pageLink = (at: number): string => {
      const p = new URLSearchParams(offering ? { offering } : {});
      p.set('offset', String(at));
      return `/accredited-list/changes?${p.toString()}`;
    };
    return sendPage(
      reply,
      publicPage(
        'Changes to the accredited list',
        html`<h1>Changes to the accredited list</h1>
          <p>Every grant, renewal, suspension, reinstatement, revocation, withdrawal and expiry of an accreditation, and
            every change of an accredited offering, with the reasons given and who decided.
            <a href="${FEED_PATH}">Follow the changes (Atom feed)</a>.</p>
          <p>${offering ? html`Showing offering <strong>${offering}</strong> only. <a href="/accredited-list/changes">Show every offering</a> · ` : ''}<a href="/accredited-list">The accredited list</a></p>
          ${changeTable(rows.slice(0, CHANGES_PAGE_SIZE), offset)}
          <nav aria-label="Pages">
            ${offset > 0 ? html`<a href="${pageLink(Math.max(0, offset - CHANGES_PAGE_SIZE))}">Previous page</a> ` : ''}
            ${more ? html`<a href="${pageLink(offset + CHANGES_PAGE_SIZE)}">Next page</a>` : ''}
          </nav>`,
        FEED_LINK,
      ),
    );
  });

  app.get('/procurement-check', async (request, reply) => {
    const queries = deps.publicQueries;
    if (!queries) return unavailable(reply);
    const { values, errors, answer } = checkFromQuery(queries, request.query as Record<string, unknown>);
    const form = 'pc';
    return sendPage(
      reply,
      publicPage(
        'Procurement check',
        html`<h1>Procurement check</h1>
          <p>May a public service entity put data of a given class on a cloud offering? The answer applies the
            cloud-first policy's hosting rules and says whether a NOC in force covers the question, with every reason.
            The entity's other NOCs are not shown here.</p>
          ${errorSummary(form, errors)}
          <form class="stack" method="get" action="/procurement-check">
            ${textField({ form, name: 'pse', label: 'Entity', hint: 'The id of the public service entity, e.g. pse-moitt', values, errors, required: true })}
            ${textField({ form, name: 'offering', label: 'Offering', hint: 'The id of the offering, as on the accredited list', values, errors, required: true })}
            ${selectField({ form, name: 'dataClass', label: 'Data class', values, errors, required: true, options: DATA_CLASSES.map((d) => [d, label(d)] as const), empty: 'Choose a class' })}
            ${textField({ form, name: 'at', label: 'At (optional)', hint: 'An instant such as 2025-06-01T00:00:00Z; leave empty for now', values, errors })}
            <div><button type="submit">Check</button></div>
          </form>
          ${answer ? answerSection(answer) : ''}
          <p><a href="/accredited-list">The accredited list</a></p>`,
      ),
      Object.keys(errors).length > 0 ? 400 : 200,
    );
  });
}
