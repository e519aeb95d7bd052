import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../../api/deps';
import { RecordProcurementBody } from '../../../api/schemas/pse';
import { DomainError } from '../../../domain/shared/errors';
import type { AccreditedListRow } from '../../../projections/accreditation/queries';
import { csrfOf, sendPage, type UiContext } from '../../context';
import type { FormErrors, FormValues } from '../../forms';
import { html, type SafeHtml } from '../../html';
import { label, page, when } from '../../layout';
import { entityOf } from './scope';

/**
 * Choosing an offering without typing its id: the accredited list offered as suggestions (a
 * `<datalist>`, which browsers show as a combobox with or without JavaScript), and a server-side search
 * by provider or offering name for long lists. Whatever comes back is checked here against the list.
 */
const SEARCH_LIMIT = 50;

export function accreditedOfferings(deps: ApiDeps): AccreditedListRow[] {
  return deps.publicQueries?.list() ?? [];
}

const describe = (row: AccreditedListRow): string =>
  `${row.offeringName} — ${row.cspName ?? row.cspId} (${label(row.status)}, data up to ${row.highestDataClass})`;

/** Rows whose offering or provider name (or id) contains every word of `q`, case-insensitively. */
export function searchOfferings(rows: readonly AccreditedListRow[], q: string): AccreditedListRow[] {
  const words = q.toLowerCase().split(/\s+/).filter((w) => w.length > 0);
  return rows.filter((r) => {
    const text = `${r.offeringName} ${r.offeringId} ${r.cspName ?? ''} ${r.cspId}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

export type OfferingChoice = { ok: true; offeringId: string } | { ok: false; message: string };

/**
 * The offering a form named: an id on the accredited list, or a name (offering, or "offering — provider"
 * as the suggestions show it) that matches exactly one row.
 */
export function chooseOffering(rows: readonly AccreditedListRow[], typed: string, what: string): OfferingChoice {
  const value = typed.trim();
  if (value === '') return { ok: false, message: `${what}: choose an offering from the accredited list` };
  const byId = rows.find((r) => r.offeringId === value);
  if (byId) return { ok: true, offeringId: byId.offeringId };
  const lower = value.toLowerCase();
  const byName = rows.filter((r) => r.offeringName.toLowerCase() === lower || describe(r).toLowerCase() === lower);
  if (byName.length === 1) return { ok: true, offeringId: (byName[0] as AccreditedListRow).offeringId };
  if (byName.length > 1) return { ok: false, message: `${what}: several offerings are called "${value}"; choose one from the suggestions` };
  return { ok: false, message: `${what}: "${value}" is not an offering on the accredited list; choose one from the suggestions or search the list` };
}

/**
 * Whether the register knows an offering that is not on the accredited list (a NOC for a non-accredited
 * offering names one; open data needs only a registered provider): the procurement check names an
 * unknown offering whatever else it is asked.
 */
export function knownToRegister(deps: ApiDeps, pseId: string, offeringId: string): boolean {
  if (deps.publicQueries === undefined || !RecordProcurementBody.shape.offeringId.safeParse(offeringId).success) return false;
  const answer = deps.publicQueries.procurementCheck({ pse: pseId, offering: offeringId, dataClass: 'open' }, new Date().toISOString());
  return !answer.reasons.some((r) => r.code === 'UNKNOWN_OFFERING');
}

/** The combobox: an input tied to the list's suggestions, its hint naming the search page. */
export function offeringCombobox(o: {
  form: string;
  name: string;
  label: string;
  values: FormValues;
  errors: FormErrors;
  rows: readonly AccreditedListRow[];
  searchFor: 'noc' | 'procurement';
  required?: boolean;
}): SafeHtml {
  const id = `${o.form}-${o.name}`;
  const message = o.errors[o.name];
  const describedBy = [`${id}-hint`, ...(message ? [`${id}-error`] : [])].join(' ');
  return html`<div class="field">
    <label for="${id}">${o.label}</label>
    <p class="hint" id="${id}-hint">Start typing the offering's or the provider's name and pick a suggestion, or
      <a href="/ui/entity/offerings?for=${o.searchFor}">search the accredited list</a>.</p>
    ${message ? html`<p class="field-error" id="${id}-error">${message}</p>` : ''}
    <input id="${id}" name="${o.name}" type="text" list="${id}-list" autocomplete="off" value="${o.values[o.name] ?? ''}" aria-describedby="${describedBy}"${
      message ? html` aria-invalid="true"` : ''
    }${o.required ? html` required` : ''}>
    <datalist id="${id}-list">${o.rows.map((r) => html`<option value="${r.offeringId}" label="${describe(r)}">${describe(r)}</option>`)}</datalist>
  </div>`;
}

const FORM_OF = { noc: '/ui/entity/nocs/new', procurement: '/ui/entity/procurements/new' } as const;

export function offeringRoutes(app: FastifyInstance, ctx: UiContext): void {
  app.get('/entity/offerings', async (request, reply) => {
    const { actor } = entityOf(request);
    const query = request.query as Record<string, unknown>;
    const q = typeof query.q === 'string' ? query.q.trim().slice(0, 100) : '';
    const target = query.for === 'procurement' ? 'procurement' : 'noc';
    if (ctx.deps.publicQueries === undefined) throw new DomainError('UNAVAILABLE', 'The accredited list is not available on this server just now');
    const all = accreditedOfferings(ctx.deps);
    const found = q === '' ? all : searchOfferings(all, q);
    const shown = found.slice(0, SEARCH_LIMIT);
    const choose = (row: AccreditedListRow): string => `${FORM_OF[target]}?offeringId=${encodeURIComponent(row.offeringId)}`;
    return sendPage(
      reply,
      page({
        title: 'Choose an offering',
        actor,
        csrf: csrfOf(ctx, request),
        current: 'entity',
        main: html`<h1>Choose an offering</h1>
          <p>Offerings on the accredited list, by name. Choosing one takes you back to
            ${target === 'noc' ? 'the NOC request' : 'the procurement'} with it filled in.</p>
          <form class="filters" method="get" action="/ui/entity/offerings" role="search" aria-label="Search the accredited list">
            <input type="hidden" name="for" value="${target}">
            <div class="field"><label for="offering-q">Provider or offering name</label>
              <input id="offering-q" name="q" type="search" value="${q}"></div>
            <button type="submit">Search</button>
          </form>
          ${
            shown.length === 0
              ? html`<p>No accredited offering matches${q ? html` "${q}"` : ''}.</p>`
              : html`<table>
                  <caption>${found.length} offering${found.length === 1 ? '' : 's'}${q ? html` matching "${q}"` : ''}${found.length > shown.length ? `, the first ${shown.length} shown` : ''}</caption>
                  <thead><tr><th scope="col">Offering</th><th scope="col">Provider</th><th scope="col">Status</th><th scope="col">Deployment</th>
                    <th scope="col">Baseline</th><th scope="col">Data up to</th><th scope="col">Valid until</th><th scope="col">Choose</th></tr></thead>
                  <tbody>${shown.map(
                    (r) => html`<tr>
                      <th scope="row">${r.offeringName}<br><span class="muted">${r.offeringId}</span></th>
                      <td>${r.cspName ?? r.cspId}</td>
                      <td><span class="status">${label(r.status)}</span></td>
                      <td>${label(r.deploymentModel)}</td>
                      <td>${label(r.baseline)}</td>
                      <td>${label(r.highestDataClass)}</td>
                      <td>${when(r.validUntil)}</td>
                      <td><a href="${choose(r)}" aria-label="Choose ${r.offeringName}">Choose</a></td>
                    </tr>`,
                  )}</tbody>
                </table>`
          }
          <p><a href="${FORM_OF[target]}">Back without choosing</a></p>`,
      }),
    );
  });
}
