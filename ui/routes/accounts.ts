import { dueMark } from '../due';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { statusOf } from '../../api/errors';
import { actorOf, csrfOf, seeOther, sendPage, type UiContext } from '../context';
import { html } from '../html';
import { label, page, when } from '../layout';

const DONE: Record<string, string> = {
  approved: 'The grant is approved: the role is in force.',
  rejected: 'The grant is rejected: the account keeps the role it had.',
  email: 'The email address is saved.',
};

const path = (username: string, grantId: string): string =>
  `/ui/accounts/${encodeURIComponent(username)}/grants/${encodeURIComponent(grantId)}`;

function requireAdmin(request: FastifyRequest): Actor {
  const actor = actorOf(request);
  if (actor.role !== 'admin') throw new DomainError('ROLE_NOT_ALLOWED', 'Accounts are managed by administrators');
  return actor;
}

/**
 * The administrators' page of privileged grants awaiting a second administrator, with approve and
 * reject forms, and the list of accounts. A refusal (your own grant) is shown on the page.
 */
export function accountRoutes(app: FastifyInstance, ctx: UiContext): void {
  const { identity } = ctx.deps;

  const render = (request: FastifyRequest, reply: FastifyReply, actor: Actor, refusal?: string, status = 200) => {
    const csrf = csrfOf(ctx, request);
    const grants = identity.listPendingGrants();
    const accounts = identity.listAccounts();
    const done = DONE[(request.query as Record<string, string | undefined>).done ?? ''];
    return sendPage(
      reply,
      page({
        title: 'Accounts',
        actor,
        csrf,
        current: 'accounts',
        notice: done,
        main: html`<h1>Accounts</h1>
          ${refusal ? html`<p class="error-summary" role="alert">${refusal}</p>` : ''}
          <h2>Grants awaiting a second administrator</h2>
          <p class="hint">A privileged role (director, security reviewer, auditor, administrator) takes effect only when an
            administrator other than the one who asked for it approves it. Until then a new account cannot sign in, and an
            existing one keeps its role.</p>
          ${
            grants.length === 0
              ? html`<p>No grants await approval.</p>`
              : html`<table>
                  <thead><tr><th scope="col">Account</th><th scope="col">Role asked for</th><th scope="col">Role in force</th>
                    <th scope="col">Asked by, at</th><th scope="col">Decide</th></tr></thead>
                  <tbody>${grants.map(
                    (g) => html`<tr>
                      <th scope="row">${g.displayName} <span class="muted">(${g.username})</span></th>
                      <td>${label(g.grant.role)}, ${label(g.grant.jurisdiction)}${g.grant.organisationId ? `, ${g.grant.organisationId}` : ''}</td>
                      <td>${g.currentRole ? label(g.currentRole) : html`<span class="muted">None: cannot sign in</span>`}</td>
                      <td>${g.grant.requestedBy === actor.userId ? 'You' : g.grant.requestedBy}, ${when(g.grant.requestedAt)}<br>${dueMark(ctx, 'account.approve-grant', g.grant.requestedAt)}</td>
                      <td>
                        <form method="post" action="${path(g.username, g.grant.grantId)}/approve">
                          <input type="hidden" name="_csrf" value="${csrf}">
                          <button type="submit">Approve</button>
                        </form>
                        <form method="post" action="${path(g.username, g.grant.grantId)}/reject">
                          <input type="hidden" name="_csrf" value="${csrf}">
                          <label for="reason-${g.grant.grantId}">Reason for rejecting</label>
                          <input id="reason-${g.grant.grantId}" name="reason" type="text" required>
                          <button type="submit">Reject</button>
                        </form>
                      </td>
                    </tr>`,
                  )}</tbody>
                </table>`
          }
          <h2>All accounts</h2>
          <table>
            <thead><tr><th scope="col">Username</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Jurisdiction</th>
              <th scope="col">Status</th><th scope="col">Email for notices</th></tr></thead>
            <tbody>${accounts.map(
              (a) => html`<tr><th scope="row">${a.username}</th><td>${a.displayName}</td><td>${label(a.role)}${
                a.organisationId ? html` <span class="muted">(${a.organisationId})</span>` : ''
              }</td><td>${label(a.jurisdiction)}</td><td>${label(a.status)}</td><td>
                <form method="post" action="/ui/accounts/${encodeURIComponent(a.username)}/email">
                  <input type="hidden" name="_csrf" value="${csrf}">
                  <label class="visually-hidden" for="email-${a.username}">Email of ${a.username}</label>
                  <input id="email-${a.username}" name="email" type="email" value="${a.email ?? ''}">
                  <button type="submit">Save<span class="visually-hidden"> the email of ${a.username}</span></button>
                </form></td></tr>`,
            )}</tbody>
          </table>
          <p class="muted">Create, change, disable and reset accounts with the API (<code>/api/accounts</code>) or <code>npm run accounts</code>.</p>`,
      }),
      status,
    );
  };

  app.get('/accounts', async (request, reply) => render(request, reply, requireAdmin(request)));

  app.post('/accounts/:username/email', async (request, reply) => {
    const actor = requireAdmin(request);
    const { username } = request.params as { username: string };
    const raw = (request.body as Record<string, unknown> | undefined)?.email;
    const email = typeof raw === 'string' ? raw.trim() : '';
    try {
      await identity.changeEmail(actor, username, email === '' ? null : email);
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'unavailable') throw err;
      return render(request, reply, actor, `${username}: ${err.field ? `${err.field} ` : ''}${err.message}`, statusOf(err));
    }
    return seeOther(reply, '/ui/accounts?done=email');
  });

  for (const decision of ['approve', 'reject'] as const) {
    app.post(`/accounts/:username/grants/:grantId/${decision}`, async (request, reply) => {
      const actor = requireAdmin(request);
      const { username, grantId } = request.params as { username: string; grantId: string };
      const reason = (request.body as Record<string, unknown> | undefined)?.reason;
      try {
        if (decision === 'approve') await identity.approveGrant(actor, username, grantId);
        else await identity.rejectGrant(actor, username, grantId, typeof reason === 'string' ? reason : '');
      } catch (err) {
        if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'unavailable') throw err;
        return render(request, reply, actor, err.message, statusOf(err));
      }
      return seeOther(reply, `/ui/accounts?done=${decision === 'approve' ? 'approved' : 'rejected'}`);
    });
  }
}
