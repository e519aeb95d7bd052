import type { FastifyInstance } from 'fastify';
import { NOC_STATUSES, type NocStatus } from '../../domain/noc/state';
import { DATA_CLASSES, JURISDICTIONS, type DataClass, type Jurisdiction } from '../../domain/shared/vocabulary';
import type { NocRegisterFilter, NocRegisterRow } from '../../projections/noc/read-model';
import { actorOf, csrfOf, sendPage, type UiContext } from '../context';
import { selectField, textField } from '../forms';
import { html } from '../html';
import { label, page, when } from '../layout';

const PAGE_SIZE = 100;
const CSV_LIMIT = 1000;

/** The register's filters from the query string; unknown values are ignored rather than refused. */
function filterOf(query: Record<string, string | undefined>): { filter: NocRegisterFilter; values: Record<string, string> } {
  const filter: NocRegisterFilter = {};
  const values: Record<string, string> = {};
  if (query.status && (NOC_STATUSES as readonly string[]).includes(query.status)) {
    filter.status = [query.status as NocStatus];
    values.status = query.status;
  }
  if (query.jurisdiction && (JURISDICTIONS as readonly string[]).includes(query.jurisdiction)) {
    filter.jurisdiction = query.jurisdiction as Jurisdiction;
    values.jurisdiction = query.jurisdiction;
  }
  if (query.dataClass && (DATA_CLASSES as readonly string[]).includes(query.dataClass)) {
    filter.dataClass = query.dataClass as DataClass;
    values.dataClass = query.dataClass;
  }
  if (query.pseId && /^[A-Za-z0-9._-]{1,100}$/.test(query.pseId)) {
    filter.pseId = query.pseId;
    values.pseId = query.pseId;
  }
  if (query.expiringBefore && /^\d{4}-\d{2}-\d{2}$/.test(query.expiringBefore)) {
    filter.expiringBefore = `${query.expiringBefore}T00:00:00.000Z`;
    values.expiringBefore = query.expiringBefore;
  }
  return { filter, values };
}

const CSV_COLUMNS: readonly (readonly [string, (r: NocRegisterRow) => string | number | null])[] = [
  ['nocId', (r) => r.nocId],
  ['status', (r) => r.status],
  ['pseId', (r) => r.pseId],
  ['jurisdiction', (r) => r.jurisdiction],
  ['deviation', (r) => r.deviation],
  ['dataClass', (r) => r.dataClass],
  ['description', (r) => r.description],
  ['systems', (r) => r.systems.join('; ')],
  ['requestedMonths', (r) => r.requestedMonths],
  ['requestedAt', (r) => r.requestedAt],
  ['decidedAt', (r) => r.decidedAt],
  ['validFrom', (r) => r.validFrom],
  ['validUntil', (r) => r.validUntil],
  ['conditions', (r) => r.conditions.join('; ')],
  ['extensionsGranted', (r) => r.extensionsGranted],
];

/**
 * RFC 4180 quoting, and a leading apostrophe on text a spreadsheet would run as a formula
 * (=, +, -, @, tab, CR): a description typed by a requester must never execute in a reviewer's Excel.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function registerRoutes(app: FastifyInstance, ctx: UiContext): void {
  const { nocQueries } = ctx.deps;

  app.get('/nocs', async (request, reply) => {
    const actor = actorOf(request);
    const query = request.query as Record<string, string | undefined>;
    const { filter, values } = filterOf(query);
    const offset = Math.max(0, Number.parseInt(query.offset ?? '0', 10) || 0);
    const rows = nocQueries.list(actor, { ...filter, limit: PAGE_SIZE + 1, offset });
    const more = rows.length > PAGE_SIZE;
    const shown = rows.slice(0, PAGE_SIZE);
    const params = new URLSearchParams(values);
    const pageLink = (at: number) => {
      const p = new URLSearchParams(params);
      p.set('offset', String(at));
      return `/ui/nocs?${p.toString()}`;
    };
    const csrf = csrfOf(ctx, request);
    return sendPage(
      reply,
      page({
        title: 'NOC register',
        actor,
        csrf,
        current: 'register',
        main: html`<h1>NOC register</h1>
          <form class="filters" method="get" action="/ui/nocs" aria-label="Filter the register">
            ${selectField({ form: 'r', name: 'status', label: 'Status', values, errors: {}, options: NOC_STATUSES.map((s) => [s, label(s)] as const), empty: 'Any' })}
            ${selectField({ form: 'r', name: 'jurisdiction', label: 'Jurisdiction', values, errors: {}, options: JURISDICTIONS.map((j) => [j, label(j)] as const), empty: 'Any' })}
            ${selectField({ form: 'r', name: 'dataClass', label: 'Data class', values, errors: {}, options: DATA_CLASSES.map((d) => [d, label(d)] as const), empty: 'Any' })}
            ${textField({ form: 'r', name: 'pseId', label: 'Entity', values, errors: {} })}
            ${textField({ form: 'r', name: 'expiringBefore', label: 'Expiring before', type: 'date', values, errors: {} })}
            <button type="submit">Filter</button> <a href="/ui/nocs">Clear</a>
          </form>
          <p><a href="/ui/nocs.csv?${params.toString()}" download>Download these NOCs as CSV</a></p>
          ${
            shown.length === 0
              ? html`<p>No NOC matches.</p>`
              : html`<table>
                  <caption>${shown.length} NOC${shown.length === 1 ? '' : 's'}${offset > 0 ? html`, from number ${offset + 1}` : ''}, newest request first</caption>
                  <thead><tr><th scope="col">NOC</th><th scope="col">Status</th><th scope="col">Entity</th><th scope="col">Jurisdiction</th>
                    <th scope="col">Deviation</th><th scope="col">Data class</th><th scope="col">Requested</th><th scope="col">Valid until</th></tr></thead>
                  <tbody>${shown.map(
                    (r) => html`<tr>
                      <td><a href="/ui/nocs/${encodeURIComponent(r.nocId)}">${r.nocId}</a><br><span class="muted">${r.description}</span></td>
                      <td>${label(r.status)}</td><td>${r.pseId}</td><td>${label(r.jurisdiction)}</td><td>${label(r.deviation)}</td>
                      <td>${label(r.dataClass)}</td><td>${when(r.requestedAt)}</td><td>${when(r.validUntil)}</td>
                    </tr>`,
                  )}</tbody>
                </table>`
          }
          <nav aria-label="Pages">
            ${offset > 0 ? html`<a href="${pageLink(Math.max(0, offset - PAGE_SIZE))}">Previous page</a> ` : ''}
            ${more ? html`<a href="${pageLink(offset + PAGE_SIZE)}">Next page</a>` : ''}
          </nav>`,
      }),
    );
  });

  app.get('/nocs.csv', async (request, reply) => {
    const actor = actorOf(request);
    const { filter } = filterOf(request.query as Record<string, string | undefined>);
    const rows = nocQueries.list(actor, { ...filter, limit: CSV_LIMIT, offset: 0 });
    const body = [CSV_COLUMNS.map(([name]) => name).join(','), ...rows.map((r) => CSV_COLUMNS.map(([, get]) => csvCell(get(r))).join(','))].join('\r\n');
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="noc-register.csv"')
      .send(`${body}\r\n`);
  });
}
