import type { FastifyInstance } from 'fastify';
import { DomainError, RateLimited } from '../../domain/shared/errors';
import { csrfOf, safeNext, seeOther, sendPage, type UiContext } from '../context';
import { csrfField, errorSummary, formValues, textField, type FormErrors, type FormValues } from '../forms';
import { html } from '../html';
import { page } from '../layout';

const REASONS: Record<string, string> = {
  timeout: 'Your session ended after 30 minutes without activity. Sign in again.',
  required: 'Sign in to see that page.',
  'signed-out': 'You have signed out.',
};

export function authRoutes(app: FastifyInstance, ctx: UiContext): void {
  const loginPage = (csrf: string, values: FormValues, errors: FormErrors, notice?: string) =>
    page({
      title: 'Sign in',
      csrf,
      current: 'login',
      notice,
      main: html`<h1>Sign in</h1>
        ${errorSummary('login', errors)}
        <form class="stack" method="post" action="/ui/login" novalidate>
          ${csrfField(csrf)}
          <input type="hidden" name="next" value="${values.next ?? ''}">
          ${textField({ form: 'login', name: 'username', label: 'Username', values, errors, required: true, autocomplete: 'username' })}
          ${textField({ form: 'login', name: 'password', label: 'Password', type: 'password', values: {}, errors, required: true, autocomplete: 'current-password' })}
          <div><button type="submit">Sign in</button></div>
        </form>`,
    });

  app.get('/login', async (request, reply) => {
    if (request.actor) return seeOther(reply, '/ui/queue');
    const query = request.query as Record<string, string | undefined>;
    const notice = REASONS[query.reason ?? ''];
    return sendPage(reply, loginPage(csrfOf(ctx, request), { next: query.next ?? '' }, {}, notice));
  });

  app.post('/login', async (request, reply) => {
    const values = formValues(request.body);
    const username = values.username ?? '';
    let session;
    try {
      session = await ctx.loginThrottle.attempt(request, username, () =>
        ctx.deps.identity.login({ username, password: values.password ?? '' }, 'ui'),
      );
    } catch (err) {
      if (err instanceof RateLimited) {
        reply.header('retry-after', String(err.retryAfterSeconds));
        return sendPage(reply, loginPage(csrfOf(ctx, request), values, { '': `${err.message}.` }), 429);
      }
      if (!(err instanceof DomainError) || (err.code !== 'INVALID_CREDENTIALS' && err.code !== 'VALIDATION_FAILED')) throw err;
      const errors = { password: 'The username or the password is wrong.' };
      return sendPage(reply, loginPage(csrfOf(ctx, request), values, errors), 401);
    }
    // A fresh token at every sign-in: a session id planted before login is never the one used after it.
    ctx.sessions().started(session.token, session.expiresAt);
    reply.setCookie(ctx.cookies.session, session.token, { ...ctx.cookies.options, expires: new Date(session.expiresAt) });
    return seeOther(reply, safeNext(values.next));
  });

  app.post('/logout', async (request, reply) => {
    const token = request.cookies[ctx.cookies.session];
    if (token && request.actor) ctx.sessions().end(token);
    reply.clearCookie(ctx.cookies.session, ctx.cookies.options);
    return seeOther(reply, '/ui/login?reason=signed-out');
  });
}
