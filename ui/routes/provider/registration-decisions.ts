import { dueMark } from '../../due';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { statusOf } from '../../../api/errors';
import type { Approval } from '../../../api/csp-registration-desk';
import { CspRegistrationCommandPayloads, suggestedCspId, type RegistrationRequest } from '../../../domain/csp-registration';
import type { Actor } from '../../../domain/shared/actor';
import { DomainError } from '../../../domain/shared/errors';
import { actorOf, csrfOf, sendPage, seeOther, type UiContext } from '../../context';
import { csrfField, errorSummary, formValues, textArea, textField, type FormErrors, type FormValues } from '../../forms';
import { html, type SafeHtml } from '../../html';
import { label, page, when } from '../../layout';
import { deskOf, shownOnForm } from './registration';

const PATH = '/ui/provider-registrations';

function requireAdmin(request: FastifyRequest): Actor {
  const actor = actorOf(request);
  if (actor.role !== 'admin') throw new DomainError('ROLE_NOT_ALLOWED', 'Registration requests are decided by administrators');
  return actor;
}

/** A refusal shown on the page, next to the request it was about. */
interface Refusal {
  requestId: string;
  form: 'approve' | 'refuse';
  values: FormValues;
  errors: FormErrors;
}

function organisationCell(r: RegistrationRequest): SafeHtml {
  const { organisation } = r;
  return html`<strong>${organisation.name}</strong><br><span class="muted">SECP ${organisation.registrationNumber}</span><br>
    ${organisation.contact.name}, <a href="mailto:${organisation.contact.email}">${organisation.contact.email}</a>${
      organisation.contact.phone ? `, ${organisation.contact.phone}` : ''
    }`;
}

function decisionForms(r: RegistrationRequest, csrf: string, refusal: Refusal | undefined): SafeHtml {
  const mine = refusal?.requestId === r.requestId ? refusal : undefined;
  const approve = mine?.form === 'approve' ? mine : undefined;
  const refuse = mine?.form === 'refuse' ? mine : undefined;
  const form = (kind: string) => `${kind}-${r.requestId}`;
  return html`
    <form method="post" action="${PATH}/${r.requestId}/approve">
      ${csrfField(csrf)}
      ${errorSummary(form('approve'), approve?.errors ?? {})}
      ${textField({
        form: form('approve'),
        name: 'cspId',
        label: 'Register id',
        hint: 'The provider’s id in the CSP register; its account acts for it.',
        values: approve?.values ?? { cspId: suggestedCspId(r.organisation.name) },
        errors: approve?.errors ?? {},
        required: true,
      })}
      <button type="submit">Approve and create the account</button>
    </form>
    <form method="post" action="${PATH}/${r.requestId}/refuse">
      ${csrfField(csrf)}
      ${errorSummary(form('refuse'), refuse?.errors ?? {})}
      ${textArea({ form: form('refuse'), name: 'reasons', label: 'Reasons for refusing', values: refuse?.values ?? {}, errors: refuse?.errors ?? {}, required: true })}
      <button type="submit">Refuse</button>
    </form>`;
}

/**
 * The administrators' page of providers' registration requests: the waiting ones with approve and
 * refuse forms, the decided ones with their outcome. Approving shows the contact's first password once.
 */
export function registrationDecisionRoutes(app: FastifyInstance, ctx: UiContext): void {
  const render = async (request: FastifyRequest, reply: FastifyReply, actor: Actor, refusal?: Refusal, status = 200) => {
    const csrf = csrfOf(ctx, request);
    const requests = await deskOf(ctx).list();
    const waiting = requests.filter((r) => r.status === 'requested');
    const decided = requests.filter((r): r is Exclude<RegistrationRequest, { status: 'requested' }> => r.status !== 'requested');
    const done = (request.query as Record<string, string | undefined>).done === 'refused' ? 'The request is refused; the reasons are recorded.' : undefined;
    return sendPage(
      reply,
      page({
        title: 'Provider registrations',
        actor,
        csrf,
        current: 'accounts',
        notice: done,
        main: html`<h1>Provider registration requests</h1>
          <h2>Waiting for a decision</h2>
          ${
            waiting.length === 0
              ? html`<p>No request waits.</p>`
              : html`<table>
                  <thead><tr><th scope="col">Request</th><th scope="col">Organisation and contact</th><th scope="col">Username</th>
                    <th scope="col">Decide</th></tr></thead>
                  <tbody>${waiting.map(
                    (r) => html`<tr>
                      <th scope="row">${r.requestId}<br><span class="muted">${when(r.requestedAt)}</span><br>${dueMark(ctx, 'registration.decide', r.requestedAt)}</th>
                      <td>${organisationCell(r)}</td>
                      <td>${r.username}</td>
                      <td>${decisionForms(r, csrf, refusal)}</td>
                    </tr>`,
                  )}</tbody>
                </table>`
          }
          <h2>Decided</h2>
          ${
            decided.length === 0
              ? html`<p>None yet.</p>`
              : html`<table>
                  <thead><tr><th scope="col">Request</th><th scope="col">Organisation and contact</th><th scope="col">Outcome</th></tr></thead>
                  <tbody>${decided.map(
                    (r) => html`<tr>
                      <th scope="row">${r.requestId}</th>
                      <td>${organisationCell(r)}</td>
                      <td>${label(r.status)} ${when(r.decidedAt)}:
                        ${r.status === 'approved' ? html`register id <code>${r.cspId}</code>, account <code>${r.username}</code>` : r.reasons}</td>
                    </tr>`,
                  )}</tbody>
                </table>`
          }`,
      }),
      status,
    );
  };

  const approved = (request: FastifyRequest, reply: FastifyReply, actor: Actor, approval: Approval) =>
    sendPage(
      reply,
      page({
        title: 'Provider registered',
        actor,
        csrf: csrfOf(ctx, request),
        current: 'accounts',
        notice: `${approval.request.organisation.name} is registered as ${approval.account.organisationId ?? ''}.`,
        main: html`<h1>Provider registered</h1>
          <p>The account <strong>${approval.account.username}</strong> (${approval.account.displayName}) acts for the provider. Give its first
            password to the contact person (${approval.request.organisation.contact.email}) by a channel other than email; at the first sign-in
            they set up an authenticator app.</p>
          <p class="secret">First password, shown this once: <code id="generated-password">${approval.generatedPassword}</code></p>
          <p><a href="${PATH}">Back to the registration requests</a></p>`,
      }),
    );

  app.get('/provider-registrations', async (request, reply) => render(request, reply, requireAdmin(request)));

  app.post('/provider-registrations/:requestId/approve', async (request, reply) => {
    const actor = requireAdmin(request);
    const { requestId } = request.params as { requestId: string };
    const values = formValues(request.body);
    const parsed = CspRegistrationCommandPayloads.ApproveRegistration.shape.cspId.safeParse(values.cspId ?? '');
    if (!parsed.success) {
      const errors = { cspId: `Register id: ${parsed.error.issues[0]?.message ?? 'is not valid'}` };
      return render(request, reply, actor, { requestId, form: 'approve', values, errors }, 400);
    }
    try {
      return approved(request, reply, actor, await deskOf(ctx).approve(actor, requestId, parsed.data));
    } catch (err) {
      if (!shownOnForm(err)) throw err;
      const errors: FormErrors = err.field === 'cspId' ? { cspId: `Register id: ${err.message}` } : { '': err.message };
      return render(request, reply, actor, { requestId, form: 'approve', values, errors }, statusOf(err));
    }
  });

  app.post('/provider-registrations/:requestId/refuse', async (request, reply) => {
    const actor = requireAdmin(request);
    const { requestId } = request.params as { requestId: string };
    const values = formValues(request.body);
    const parsed = CspRegistrationCommandPayloads.RefuseRegistration.shape.reasons.safeParse(values.reasons ?? '');
    if (!parsed.success) {
      const errors = { reasons: `Reasons for refusing: ${parsed.error.issues[0]?.message ?? 'are not valid'}` };
      return render(request, reply, actor, { requestId, form: 'refuse', values, errors }, 400);
    }
    try {
      await deskOf(ctx).refuse(actor, requestId, parsed.data);
    } catch (err) {
      if (!shownOnForm(err)) throw err;
      return render(request, reply, actor, { requestId, form: 'refuse', values, errors: { '': err.message } }, statusOf(err));
    }
    return seeOther(reply, `${PATH}?done=refused`);
  });
}
