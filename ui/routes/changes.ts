import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { statusOf } from '../../api/errors';
import { complianceGatewayOf } from '../../api/routes/reviews';
import { ChangeCommandPayloads } from '../../domain/compliance/change-commands';
import type { ChangeCase } from '../../domain/compliance/change-state';
import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { canSeeCspRecord } from '../../domain/shared/visibility';
import { streamName } from '../../eventstore/envelope';
import { COMPLIANCE_STAFF, type ComplianceDashboardRow } from '../../projections/compliance/queries';
import type { ChangeActionType } from '../../workflows/compliance/change-messages';
import { actorOf, csrfOf, seeOther, sendPage, type UiContext } from '../context';
import { caseNoteRoute, notesSection } from '../case-notes';
import { holdersSection } from '../case-holders';
import { commandIdField, commandIdOf, csrfField, errorSummary, formValues, issuesToErrors, radioField, textArea, type FormErrors, type FormValues } from '../forms';
import { html, type SafeHtml } from '../html';
import { label, page, when } from '../layout';
import { decodeStream, timeline } from '../timeline';

/** One significant change as the list shows it: the dashboard's entry with the offering it is about. */
export interface ChangeRow {
  change: ComplianceDashboardRow['significantChanges'][number];
  applicationId: string;
  offeringId: string;
  offeringName: string | null;
  cspId: string;
}

/** Every significant change the person may see, from the compliance dashboard, most recently requested first. */
export function changeRowsOf(rows: readonly ComplianceDashboardRow[]): ChangeRow[] {
  return rows
    .flatMap((r) => r.significantChanges.map((change) => ({ change, applicationId: r.applicationId, offeringId: r.offeringId, offeringName: r.offeringName, cspId: r.cspId })))
    .sort((a, b) => b.change.requestedAt.localeCompare(a.change.requestedAt));
}

export const changePath = (changeId: string): string => `/ui/changes/${encodeURIComponent(changeId)}`;

const DONE: Record<string, string> = {
  noted: 'Your note has been added.',
  recommend: 'Your recommendation is recorded; a director decides.',
  decide: 'Your decision is recorded.',
};

interface ChangeForm {
  command: ChangeActionType;
  path: 'recommend' | 'decide';
  role: 'reviewer' | 'director';
  /** The change's status in which the form is offered. */
  status: ChangeCase['status'];
  title: string;
  choice: { name: 'recommendation' | 'decision'; label: string };
  button: string;
}

const FORMS: readonly ChangeForm[] = [
  {
    command: 'RecommendChange',
    path: 'recommend',
    role: 'reviewer',
    status: 'requested',
    title: 'Recommend',
    choice: { name: 'recommendation', label: 'Recommendation' },
    button: 'Record recommendation',
  },
  {
    command: 'DecideChange',
    path: 'decide',
    role: 'director',
    status: 'awaiting-decision',
    title: 'Decide',
    choice: { name: 'decision', label: 'Decision' },
    button: 'Record decision',
  },
];

const CHOICES = [
  ['approve', 'Approve'],
  ['reject', 'Reject'],
] as const;

/** The compliance staff read every change; reviewers recommend and directors decide. */
function requireStaff(request: FastifyRequest): Actor {
  const actor = actorOf(request);
  if (!COMPLIANCE_STAFF.includes(actor.role)) throw new DomainError('ROLE_NOT_ALLOWED', 'Significant changes are worked by the Cloud Office staff');
  return actor;
}

function changeForm(changeId: string, form: ChangeForm, csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  const id = `change-${form.path}`;
  const common = { form: id, values, errors };
  return html`<section class="action" aria-labelledby="${id}-title">
    <h3 id="${id}-title">${form.title}</h3>
    ${errorSummary(id, errors)}
    <form class="stack" method="post" action="${changePath(changeId)}/${form.path}" novalidate>
      ${csrfField(csrf)}
      ${commandIdField(values)}
      ${radioField({ ...common, name: form.choice.name, label: form.choice.label, options: CHOICES, required: true })}
      ${textArea({ ...common, name: 'reasons', label: 'Reasons', required: true })}
      <div><button type="submit">${form.button}</button></div>
    </form>
  </section>`;
}

function facts(c: ChangeCase): SafeHtml {
  const changes = c.change.offeringChanges;
  return html`<dl class="facts">
    <dt>Provider</dt><dd>${c.change.cspId}</dd>
    <dt>Offering</dt><dd>${c.change.offeringId} <span class="muted">(application <a href="/ui/accreditations/${encodeURIComponent(c.change.applicationId)}">${c.change.applicationId}</a>)</span></dd>
    <dt>Kind</dt><dd>${label(c.change.kind)}</dd>
    <dt>Planned for</dt><dd>${when(c.change.plannedFor)}</dd>
    <dt>Requested</dt><dd>${when(c.requestedAt)} by ${c.requestedBy}${c.lateNotice ? html` <strong>(late notice: a compliance finding)</strong>` : ''}</dd>
    <dt>Description</dt><dd>${c.change.description}</dd>
    ${
      changes
        ? html`<dt>What it changes in the offering</dt><dd><ul>
            ${changes.name !== undefined ? html`<li>Name: ${changes.name}</li>` : ''}
            ${changes.serviceModels !== undefined ? html`<li>Service models: ${changes.serviceModels.join(', ')}</li>` : ''}
            ${changes.deploymentModel !== undefined ? html`<li>Deployment model: ${label(changes.deploymentModel)}</li>` : ''}
            ${changes.dataCentres !== undefined ? html`<li>Data centres: ${changes.dataCentres.map((d) => `${d.city} (${d.country})`).join(', ')}</li>` : ''}
          </ul></dd>`
        : ''
    }
    ${c.recommendation ? html`<dt>Recommendation</dt><dd>${label(c.recommendation.recommendation)} by ${c.recommendation.by}: ${c.recommendation.reasons}</dd>` : ''}
    ${c.decidedBy ? html`<dt>Decided by</dt><dd>${c.decidedBy}</dd>` : ''}
  </dl>`;
}

/**
 * The staff's pages of significant change requests: the list (from the compliance dashboard) and a page
 * per change with its facts, its history and the form open to the person: a reviewer recommends a
 * requested change, a director decides a recommended one (not the recommending reviewer: four eyes, as
 * the decider rules). Refusals come back on the form with what was typed.
 */
export function changeRoutes(app: FastifyInstance, ctx: UiContext): void {
  const gateway = complianceGatewayOf(ctx.deps);

  app.get('/changes', async (request, reply) => {
    const actor = requireStaff(request);
    const rows = changeRowsOf(ctx.deps.complianceQueries?.dashboard(actor) ?? []);
    return sendPage(
      reply,
      page({
        title: 'Significant changes',
        actor,
        csrf: csrfOf(ctx, request),
        current: 'changes',
        main: html`<h1>Significant changes</h1>
          <p>Changes providers notify to accredited offerings. A reviewer recommends, a director decides; an approved change
            updates the offering in the provider's register.</p>
          ${
            rows.length === 0
              ? html`<p>No significant change has been requested.</p>`
              : html`<table>
                  <caption>${rows.length} ${rows.length === 1 ? 'change' : 'changes'}, most recently requested first</caption>
                  <thead><tr><th scope="col">Change</th><th scope="col">Kind</th><th scope="col">Offering</th><th scope="col">Provider</th>
                    <th scope="col">Planned for</th><th scope="col">Requested</th><th scope="col">Status</th></tr></thead>
                  <tbody>${rows.map(
                    (r) => html`<tr>
                      <th scope="row"><a href="${changePath(r.change.changeId)}">${r.change.changeId}</a></th>
                      <td>${label(r.change.kind)}</td>
                      <td>${r.offeringName ?? r.offeringId} <span class="muted">(${r.offeringId})</span></td>
                      <td>${r.cspId}</td>
                      <td>${when(r.change.plannedFor)}</td>
                      <td>${when(r.change.requestedAt)}${r.change.notifiedLate ? html`<br><strong>Late notice</strong>` : ''}</td>
                      <td>${label(r.change.status)}</td>
                    </tr>`,
                  )}</tbody>
                </table>`
          }`,
      }),
    );
  });

  const load = async (actor: Actor, changeId: string): Promise<ChangeCase> => {
    const view = /^[A-Za-z0-9._-]{1,100}$/.test(changeId) ? await gateway().change(actor, changeId) : undefined;
    // As the API: a change to an offering the person may not see is answered as one that does not exist.
    if (view === undefined || view.state.status === 'none' || !canSeeCspRecord(actor, view.state.change.cspId)) throw new DomainError('NOT_FOUND', `There is no change ${changeId} that you may see`);
    return view.state;
  };

  const render = async (request: FastifyRequest, reply: FastifyReply, actor: Actor, c: ChangeCase, refused?: { form: ChangeForm; values: FormValues; errors: FormErrors }, status = 200) => {
    const csrf = csrfOf(ctx, request);
    const changeId = c.change.changeId;
    const forms = FORMS.filter((f) => (f.role === actor.role && f.status === c.status) || refused?.form === f);
    const notes = html`${await notesSection(ctx, request, actor, 'change', changeId, csrf)}${holdersSection(ctx, actor, changeId)}`;
    const entries = decodeStream(await ctx.deps.eventStore.readStream(streamName('change', changeId)));
    return sendPage(
      reply,
      page({
        title: changeId,
        actor,
        csrf,
        current: 'changes',
        notice: DONE[(request.query as Record<string, string | undefined>).done ?? ''],
        main: html`<p><a href="/ui/changes">Significant changes</a></p>
          <h1>${changeId} <span class="status">${label(c.status)}</span></h1>
          ${facts(c)}
          <h2>What you can do</h2>
          ${
            forms.length === 0
              ? html`<p>There is nothing for you to do on this change now.</p>`
              : html`<div class="actions">${forms.map((f) => (refused?.form === f ? changeForm(changeId, f, csrf, refused.values, refused.errors) : changeForm(changeId, f, csrf, {}, {})))}</div>`
          }
          ${notes}
          <h2>History</h2>
          ${timeline(entries, actor.role === 'auditor')}`,
      }),
      status,
    );
  };

  app.get('/changes/:changeId', async (request, reply) => {
    const actor = requireStaff(request);
    const { changeId } = request.params as { changeId: string };
    request.caseId = changeId;
    return render(request, reply, actor, await load(actor, changeId));
  });

  caseNoteRoute(app, ctx, 'change', async (request, reply, _actor, changeId, status) => {
    const actor = requireStaff(request);
    return render(request, reply, actor, await load(actor, changeId), undefined, status);
  });

  for (const form of FORMS) {
    app.post(`/changes/:changeId/${form.path}`, async (request, reply) => {
      const actor = requireStaff(request);
      const { changeId } = request.params as { changeId: string };
      request.caseId = changeId;
      const c = await load(actor, changeId);
      // Whose form it is decides before what it says: a director's recommendation is refused, not corrected.
      if (actor.role !== form.role) throw new DomainError('ROLE_NOT_ALLOWED', `Only a ${form.role} may ${form.path} a significant change`);
      const values = formValues(request.body);
      const parsed = ChangeCommandPayloads[form.command].safeParse({ [form.choice.name]: values[form.choice.name] || undefined, reasons: values.reasons });
      if (!parsed.success) {
        return render(request, reply, actor, c, { form, values, errors: issuesToErrors(parsed.error.issues, { [form.choice.name]: form.choice.label, reasons: 'Reasons' }) }, 400);
      }
      try {
        await gateway().changeAction(changeId, { type: form.command, actor, data: parsed.data, commandId: commandIdOf(values) } as Parameters<ReturnType<typeof gateway>['changeAction']>[1]);
      } catch (err) {
        if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'unavailable') throw err;
        const field = err.field === form.choice.name || err.field === 'reasons' ? err.field : '';
        return render(request, reply, actor, await load(actor, changeId), { form, values, errors: { [field]: err.message } }, statusOf(err));
      }
      return seeOther(reply, `${changePath(changeId)}?done=${form.path}`);
    });
  }
}
