import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { statusOf } from '../../api/errors';
import { actorOf, csrfOf, seeOther, sendPage, type UiContext } from '../context';
import { html } from '../html';
import { label, page, when } from '../layout';

const DONE: Record<string, string> = {
  read: 'Marked read.',
  email: 'Your email address is saved.',
};

/**
 * Every person's inbox: the notices addressed to them (the same ones mailed to them), newest first,
 * unread ones marked; and the address they are mailed to, which the person keeps current.
 */
export function inboxRoutes(app: FastifyInstance, ctx: UiContext): void {
  const { identity } = ctx.deps;
  const ownAccount = (actor: Actor) => identity.listAccounts().find((a) => a.id === actor.userId);

  const render = (request: FastifyRequest, reply: FastifyReply, actor: Actor, refusal?: { message: string; email: string }, status = 200) => {
    const csrf = csrfOf(ctx, request);
    const inbox = ctx.deps.inbox;
    const items = inbox ? inbox.list(actor) : [];
    const account = ownAccount(actor);
    const done = DONE[(request.query as Record<string, string | undefined>).done ?? ''];
    const email = refusal?.email ?? account?.email ?? '';
    const unread = items.filter((n) => !n.read).length;
    return sendPage(
      reply,
      page({
        title: 'Inbox',
        actor,
        csrf,
        current: 'inbox',
        notice: done,
        main: html`<h1>Inbox</h1>
          ${inbox ? '' : html`<p class="error-summary" role="alert">The inbox is not available on this server.</p>`}
          <p>${unread === 0 ? 'No unread notices.' : `${unread} unread ${unread === 1 ? 'notice' : 'notices'}.`}</p>
          ${
            unread > 0
              ? html`<form method="post" action="/ui/inbox/read">
                  <input type="hidden" name="_csrf" value="${csrf}">
                  <button type="submit">Mark all read</button>
                </form>`
              : ''
          }
          ${
            items.length === 0
              ? html`<p>Nothing has been sent to you yet.</p>`
              : html`<ul class="inbox">${items.map(
                  (n) => html`<li class="${n.read ? 'read' : 'unread'}">
                    <h2>${n.read ? '' : html`<span class="badge">New</span> `}${n.subject}</h2>
                    <p class="muted">${label(n.kind)} · ${when(n.createdAt)}</p>
                    <p>${n.body}</p>
                    ${
                      n.read
                        ? ''
                        : html`<form method="post" action="/ui/inbox/read">
                            <input type="hidden" name="_csrf" value="${csrf}">
                            <input type="hidden" name="id" value="${n.id}">
                            <button type="submit" class="link">Mark read<span class="visually-hidden">: ${n.subject}</span></button>
                          </form>`
                    }
                  </li>`,
                )}</ul>`
          }
          <h2 id="email-heading">Where your notices are mailed</h2>
          ${refusal ? html`<p class="error-summary" role="alert">${refusal.message}</p>` : ''}
          <form method="post" action="/ui/inbox/email" aria-labelledby="email-heading">
            <input type="hidden" name="_csrf" value="${csrf}">
            <label for="email">Email address</label>
            <input id="email" name="email" type="email" autocomplete="email" value="${email}">
            <p class="hint">Leave it empty to receive notices here only.</p>
            <button type="submit">Save</button>
          </form>`,
      }),
      status,
    );
  };

  app.get('/inbox', async (request, reply) => render(request, reply, actorOf(request)));

  app.post('/inbox/read', async (request, reply) => {
    const actor = actorOf(request);
    const id = (request.body as Record<string, unknown> | undefined)?.id;
    ctx.deps.inbox?.markRead(actor, typeof id === 'string' ? [id] : 'all');
    return seeOther(reply, '/ui/inbox?done=read');
  });

  app.post('/inbox/email', async (request, reply) => {
    const actor = actorOf(request);
    const raw = (request.body as Record<string, unknown> | undefined)?.email;
    const email = typeof raw === 'string' ? raw.trim() : '';
    const account = ownAccount(actor);
    try {
      if (!account) throw new DomainError('NOT_FOUND', 'Your account was not found');
      await identity.changeEmail(actor, account.username, email === '' ? null : email);
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'unavailable') throw err;
      return render(request, reply, actor, { message: err.field ? `${err.field}: ${err.message}` : err.message, email }, statusOf(err));
    }
    return seeOther(reply, '/ui/inbox?done=email');
  });
}
