import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { statusOf } from '../../../api/errors';
import { AddOfferingBody } from '../../../api/schemas/csp';
import { isPeriodBefore, monthlyReportDueAt, nextPeriod, periodOf, previousPeriod } from '../../../domain/compliance/period';
import type { CspRecord, OfferingRecord } from '../../../domain/csp';
import { DEPLOYMENT_MODELS } from '../../../domain/procurement/hosting-rules';
import type { Actor } from '../../../domain/shared/actor';
import { DomainError } from '../../../domain/shared/errors';
import type { ComplianceDashboardRow } from '../../../projections/compliance/queries';
import { csrfOf, sendPage, seeOther, type UiContext } from '../../context';
import { commandIdField, commandIdOf, csrfField, errorSummary, formValues, selectField, textArea, textField, type FormErrors, type FormValues } from '../../forms';
import { html, type SafeHtml } from '../../html';
import { label, page, when } from '../../layout';
import { cspsOf, dataCentresOf, issuesToErrors, requireProvider, serviceModelsOf } from './provider-forms';

export const PROVIDER_HOME = '/ui/provider';
const OFFERING_LABELS: Record<string, string> = {
  offeringId: 'Offering id',
  name: 'Name',
  serviceModels: 'Service models',
  deploymentModel: 'Deployment model',
  dataCentres: 'Data centres',
};
const DONE: Record<string, string> = {
  offering: 'The offering is added.',
  retired: 'The offering is retired; it stays on record and its id is never used again.',
  report: 'The monthly report is recorded.',
  change: 'The significant change request is sent to the Cloud Office.',
  applied: 'The application is submitted.',
};

interface Shown {
  form?: string;
  values?: FormValues;
  errors?: FormErrors;
}

const isHeld = (o: OfferingRecord): boolean => (o.heldBy?.length ?? 0) > 0;

function offeringRow(o: OfferingRecord, csrf: string, shown: Shown): SafeHtml {
  const form = `retire-${o.offeringId}`;
  const mine = shown.form === form;
  return html`<tr>
    <th scope="row">${o.name}<br><span class="muted">${o.offeringId}</span></th>
    <td>${o.serviceModels.join(', ')}</td>
    <td>${label(o.deploymentModel)}</td>
    <td>${o.dataCentres.map((d) => `${d.city} (${d.country})`).join(', ')}</td>
    <td>${o.status === 'retired' ? 'Retired' : isHeld(o) ? html`<strong>Accredited</strong>` : 'Active'}</td>
    <td>${
      o.status === 'retired'
        ? ''
        : html`${
            isHeld(o)
              ? html`<p class="hint">Its data centres and deployment model change only through a significant change the office approves.</p>
                  <p><a href="/ui/provider/changes/new?application=${encodeURIComponent(o.heldBy?.[0] ?? '')}">Request a significant change</a></p>`
              : ''
          }
          <details${mine ? html` open` : ''}><summary>Retire</summary>
            <form method="post" action="/ui/provider/offerings/${encodeURIComponent(o.offeringId)}/retire">
              ${csrfField(csrf)}${commandIdField(mine ? (shown.values ?? {}) : {})}${errorSummary(form, mine ? (shown.errors ?? {}) : {})}
              ${textField({ form, name: 'reason', label: 'Why it is retired', values: mine ? (shown.values ?? {}) : {}, errors: mine ? (shown.errors ?? {}) : {}, required: true })}
              <button type="submit">Retire the offering</button>
            </form>
          </details>`
    }</td>
  </tr>`;
}

function addOfferingForm(csrf: string, shown: Shown): SafeHtml {
  const mine = shown.form === 'offering';
  const common = { form: 'offering', values: mine ? (shown.values ?? {}) : {}, errors: mine ? (shown.errors ?? {}) : {} };
  return html`<form method="post" action="/ui/provider/offerings">
    <h3>Add an offering</h3>
    ${csrfField(csrf)}${commandIdField(common.values)}${errorSummary('offering', common.errors)}
    ${textField({ ...common, name: 'offeringId', label: 'Offering id', hint: 'Unique across the register, e.g. nimbus-gov-cloud.', required: true })}
    ${textField({ ...common, name: 'name', label: 'Name', required: true })}
    ${textField({ ...common, name: 'serviceModels', label: 'Service models', hint: 'IaaS, PaaS and/or SaaS, separated by commas.', required: true })}
    ${selectField({ ...common, name: 'deploymentModel', label: 'Deployment model', required: true, empty: 'Choose…', options: DEPLOYMENT_MODELS.map((d) => [d, label(d)] as const) })}
    ${textArea({ ...common, name: 'dataCentres', label: 'Data centres', hint: 'One per line, as city and country code: Islamabad, PK.', required: true })}
    <button type="submit">Add the offering</button>
  </form>`;
}

/** The months of an accredited offering still without a report, oldest first (a late report is still taken). */
export function reportsDue(row: ComplianceDashboardRow, now: string, dueDay: number): { period: string; dueAt: string; overdue: boolean }[] {
  if (row.monitoring.status !== 'monitoring' || row.monitoring.firstPeriod === null) return [];
  const delivered = new Set(row.monitoring.periods.filter((p) => p.outcome !== 'missed').map((p) => p.period));
  const last = previousPeriod(periodOf(now));
  const due: { period: string; dueAt: string; overdue: boolean }[] = [];
  for (let period = row.monitoring.firstPeriod; !isPeriodBefore(last, period); period = nextPeriod(period)) {
    if (delivered.has(period)) continue;
    const dueAt = monthlyReportDueAt(period, { monthlyReportDueDay: dueDay });
    due.push({ period, dueAt, overdue: dueAt <= now });
  }
  return due.slice(-12);
}

/**
 * Every open finding with its severity and remediation deadline, and every evidence request not yet
 * answered with its due date; the overdue ones stand out. An evidence deadline that passed while the
 * review moved on (escalated) is still shown from the overdue list.
 */
function owed(row: ComplianceDashboardRow): SafeHtml {
  const pendingReviews = new Set(row.pending.evidence.map((e) => e.reviewId));
  const evidence = [...row.pending.evidence, ...row.overdue.evidence.filter((e) => !pendingReviews.has(e.reviewId)).map((e) => ({ ...e, overdue: true }))];
  if (row.pending.findings.length === 0 && evidence.length === 0) return html`Nothing open`;
  const mark = (overdue: boolean): SafeHtml => (overdue ? html` class="overdue"` : html``);
  return html`<ul>
    ${row.pending.findings.map(
      (f) => html`<li${mark(f.overdue)}>${label(f.severity)} finding ${f.findingId} “${f.title}”: remediation ${f.overdue ? 'was due' : 'due by'} ${when(f.deadline)}${f.overdue ? ' (overdue)' : ''}</li>`,
    )}
    ${evidence.map(
      (e) => html`<li${mark(e.overdue)}>Review <a href="/ui/reviews/${encodeURIComponent(e.reviewId)}">${e.reviewId}</a>: evidence due by ${when(e.dueBy)}${e.overdue ? ' (overdue)' : ''}</li>`,
    )}
  </ul>`;
}

function complianceSection(rows: ComplianceDashboardRow[], now: string, dueDay: number): SafeHtml {
  if (rows.length === 0) return html`<p>No accredited offering is monitored yet.</p>`;
  return html`<table>
    <caption>Accredited offerings: monthly reports, reviews and findings</caption>
    <thead><tr><th scope="col">Offering</th><th scope="col">Monthly reports due</th><th scope="col">Review</th>
      <th scope="col">Open findings</th><th scope="col">Deadlines</th><th scope="col">Significant changes</th></tr></thead>
    <tbody>${rows.map((row) => {
      const due = reportsDue(row, now, dueDay);
      return html`<tr>
        <th scope="row"><a href="/ui/accreditations/${encodeURIComponent(row.applicationId)}">${row.offeringName ?? row.offeringId}</a><br>
          <span class="muted">${row.applicationId}, ${label(row.accreditationStatus ?? 'unknown')}</span></th>
        <td>${
          due.length === 0
            ? 'None due'
            : html`<ul>${due.map((d) => html`<li${d.overdue ? html` class="overdue"` : ''}>${d.period}: due by ${when(d.dueAt)}${d.overdue ? ' (overdue)' : ''}</li>`)}</ul>`
        }${row.monitoring.status === 'monitoring' ? html`<p><a href="/ui/provider/reports/${encodeURIComponent(row.applicationId)}">Submit a monthly report</a></p>` : ''}</td>
        <td>${
          row.lastReview === null
            ? 'None'
            : html`<a href="/ui/reviews/${encodeURIComponent(row.lastReview.reviewId)}">${row.lastReview.reviewId}</a> (${label(row.lastReview.trigger)}): ${label(row.lastReview.status)}`
        }</td>
        <td>High ${row.openFindings.high}, moderate ${row.openFindings.moderate}, low ${row.openFindings.low}</td>
        <td>${owed(row)}</td>
        <td>${
          row.significantChanges.length === 0
            ? 'None'
            : html`<ul>${row.significantChanges.map((c) => html`<li>${c.changeId}: ${label(c.kind)}, ${label(c.status)}${c.notifiedLate ? ' (notified late)' : ''}</li>`)}</ul>`
        }<p><a href="/ui/provider/changes/new?application=${encodeURIComponent(row.applicationId)}">Request a significant change</a></p></td>
      </tr>`;
    })}</tbody>
  </table>`;
}

/**
 * The provider's home: its offerings (add, retire; an accredited one's hosting changes through a
 * significant change), its applications and what waits for it with deadlines, its reviews and
 * findings, and the monthly reports due.
 */
export function providerHomeRoutes(app: FastifyInstance, ctx: UiContext): void {
  const { deps } = ctx;
  const render = async (request: FastifyRequest, reply: FastifyReply, actor: Actor & { organisationId: string }, shown: Shown = {}, status = 200) => {
    const csrf = csrfOf(ctx, request);
    const view = await cspsOf(ctx).state(actor.organisationId);
    const csp = view?.state.status === 'registered' ? (view.state as CspRecord) : undefined;
    const offerings = csp === undefined ? [] : Object.values(csp.offerings);
    const applications = deps.accreditationQueue?.applications(actor) ?? [];
    const tasks = deps.accreditationQueue?.queue(actor) ?? [];
    const compliance = deps.complianceQueries?.dashboard(actor) ?? [];
    const now = ctx.now().toISOString();
    const notice = DONE[(request.query as Record<string, string | undefined>).done ?? ''];
    return sendPage(
      reply,
      page({
        title: 'Provider home',
        actor,
        csrf,
        current: 'home',
        notice,
        main: html`<h1>${csp?.organisation.name ?? actor.organisationId}</h1>
          ${csp === undefined ? html`<p class="error-summary" role="alert">Your organisation ${actor.organisationId} is not in the CSP register yet.</p>` : ''}
          <h2>Waiting for you</h2>
          ${
            tasks.length === 0
              ? html`<p>Nothing waits for you on your applications.</p>`
              : html`<ul>${tasks.map(
                  (t) => html`<li><a href="/ui/accreditations/${encodeURIComponent(t.applicationId)}">${t.applicationId}</a>: ${label(t.kind)}${
                    t.dueAt ? html`, due by ${when(t.dueAt)}` : ''
                  }</li>`,
                )}</ul>`
          }
          <h2>Offerings</h2>
          ${
            offerings.length === 0
              ? html`<p>No offering yet: add one to apply for its accreditation.</p>`
              : html`<table>
                  <thead><tr><th scope="col">Offering</th><th scope="col">Service models</th><th scope="col">Deployment model</th>
                    <th scope="col">Data centres</th><th scope="col">Status</th><th scope="col">Actions</th></tr></thead>
                  <tbody>${offerings.map((o) => offeringRow(o, csrf, shown))}</tbody>
                </table>`
          }
          ${csp === undefined ? '' : addOfferingForm(csrf, shown)}
          <h2>Applications</h2>
          <p><a href="/ui/provider/apply">Apply for accreditation</a></p>
          ${
            applications.length === 0
              ? html`<p>No application yet.</p>`
              : html`<table>
                  <thead><tr><th scope="col">Application</th><th scope="col">Offering</th><th scope="col">Baseline</th><th scope="col">Status</th>
                    <th scope="col">Submitted</th><th scope="col">Last change</th></tr></thead>
                  <tbody>${applications.map(
                    (a) => html`<tr>
                      <th scope="row"><a href="/ui/accreditations/${encodeURIComponent(a.applicationId)}">${a.applicationId}</a></th>
                      <td>${a.offeringName} <span class="muted">(${a.offeringId})</span></td>
                      <td>${label(a.requestedBaseline)}</td><td>${label(a.status)}</td><td>${when(a.submittedAt)}</td><td>${when(a.updatedAt)}</td>
                    </tr>`,
                  )}</tbody>
                </table>`
          }
          <h2>Compliance</h2>
          ${complianceSection(compliance, now, deps.config.compliancePolicy.monthlyReportDueDay)}`,
      }),
      status,
    );
  };

  /**
   * Runs a register command; a refusal comes back next to its field, with what was typed. An offering
   * that is not the provider's own is the 404 page, as one that does not exist: its form is not on the
   * provider's page to show the refusal next to.
   */
  const attempt = async (request: FastifyRequest, reply: FastifyReply, actor: Actor & { organisationId: string }, form: string, values: FormValues, run: () => Promise<string>, fields: Record<string, string>) => {
    try {
      return seeOther(reply, await run());
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'unavailable' || err.kind === 'not-found') throw err;
      const field = err.field !== undefined && err.field in fields ? err.field : '';
      const message = field === '' ? err.message : `${fields[field]}: ${err.message}`;
      return render(request, reply, actor, { form, values, errors: { [field]: message } }, statusOf(err));
    }
  };

  app.get('/provider', async (request, reply) => render(request, reply, requireProvider(request)));

  app.post('/provider/offerings', async (request, reply) => {
    const actor = requireProvider(request);
    const values = formValues(request.body);
    const parsed = AddOfferingBody.safeParse({
      offeringId: (values.offeringId ?? '').trim(),
      name: values.name ?? '',
      serviceModels: serviceModelsOf(values.serviceModels),
      deploymentModel: values.deploymentModel || undefined,
      dataCentres: dataCentresOf(values.dataCentres),
    });
    if (!parsed.success) return render(request, reply, actor, { form: 'offering', values, errors: issuesToErrors(parsed.error.issues, OFFERING_LABELS) }, 400);
    return attempt(request, reply, actor, 'offering', values, async () => {
      await cspsOf(ctx).act(actor.organisationId, { type: 'AddOffering', actor, data: parsed.data, commandId: commandIdOf(values) });
      return `${PROVIDER_HOME}?done=offering`;
    }, OFFERING_LABELS);
  });

  app.post('/provider/offerings/:offeringId/retire', async (request, reply) => {
    const actor = requireProvider(request);
    const { offeringId } = request.params as { offeringId: string };
    const values = formValues(request.body);
    const form = `retire-${offeringId}`;
    const reason = (values.reason ?? '').trim();
    if (reason === '') return render(request, reply, actor, { form, values, errors: { reason: 'Why it is retired: must not be empty' } }, 400);
    return attempt(request, reply, actor, form, values, async () => {
      await cspsOf(ctx).act(actor.organisationId, { type: 'RetireOffering', actor, data: { offeringId, reason }, commandId: commandIdOf(values) });
      return `${PROVIDER_HOME}?done=retired`;
    }, { reason: 'Why it is retired' });
  });
}
