import type { FastifyInstance, FastifyReply } from 'fastify';
import { DomainError, RateLimited } from '../../domain/shared/errors';
import type { Session, SignInChallenge } from '../../identity/identity';
import { csrfOf, landingFor, safeNext, seeOther, sendPage, type UiContext } from '../context';
import { csrfField, errorSummary, formValues, textField, type FormErrors, type FormValues } from '../forms';
import { html } from '../html';
import { page } from '../layout';
import { codePage, recoveryCodesPage } from './mfa-pages';

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
    if (request.actor) return seeOther(reply, landingFor(request.actor.role));
    const query = request.query as Record<string, string | undefined>;
    const notice = REASONS[query.reason ?? ''];
    return sendPage(reply, loginPage(csrfOf(ctx, request), { next: query.next ?? '' }, {}, notice));
  });

  const rateLimited = (reply: FastifyReply, err: RateLimited) => {
    reply.header('retry-after', String(err.retryAfterSeconds));
    return { '': `${err.message}.` };
  };

  // Step one, the password: when right, the code page (with the secret to add, at first sign-in).
  app.post('/login', async (request, reply) => {
    const values = formValues(request.body);
    const username = values.username ?? '';
    let challenge: SignInChallenge;
    try {
      const start = () => ctx.deps.identity.startSignIn({ username, password: values.password ?? '' });
      challenge = await ctx.loginThrottle.attempt(request, username, start, { partial: true });
    } catch (err) {
      if (err instanceof RateLimited) return sendPage(reply, loginPage(csrfOf(ctx, request), values, rateLimited(reply, err)), 429);
      if (err instanceof DomainError && err.code === 'PASSWORD_EXPIRED') {
        return sendPage(reply, loginPage(csrfOf(ctx, request), values, { password: `${err.message}.` }), 403);
      }
      if (!(err instanceof DomainError) || (err.code !== 'INVALID_CREDENTIALS' && err.code !== 'VALIDATION_FAILED')) throw err;
      const errors = { password: 'The username or the password is wrong.' };
      return sendPage(reply, loginPage(csrfOf(ctx, request), values, errors), 401);
    }
    return sendPage(reply, codePage({ csrf: csrfOf(ctx, request), challenge, next: values.next ?? '', errors: {} }));
  });

  // Step two, the code: a current authenticator code (which confirms an enrolment) or a recovery code.
  app.post('/login/code', async (request, reply) => {
    const values = formValues(request.body);
    const pending = ctx.deps.identity.pendingSignIn(values.challenge ?? '');
    if (!pending) {
      const errors = { '': 'That sign-in took too long or was already used. Sign in again.' };
      return sendPage(reply, loginPage(csrfOf(ctx, request), { next: values.next ?? '' }, errors), 401);
    }
    // Shown again with the secret while enrolling; a challenge spent by wrong codes says to start over.
    const again = (errors: FormErrors, status: number) => {
      const challenge = ctx.deps.identity.pendingSignIn(pending.challenge);
      return sendPage(reply, codePage({ csrf: csrfOf(ctx, request), challenge, next: values.next ?? '', errors }), status);
    };
    const newPassword = pending.passwordChangeRequired ? (values.newPassword ?? '') : undefined;
    if (newPassword !== undefined && newPassword !== '' && newPassword !== values.repeatPassword) {
      return again({ repeatPassword: 'The two new passwords differ.' }, 400);
    }
    let session: Session;
    try {
      const finish = () => ctx.deps.identity.finishSignIn(pending.challenge, values.code ?? '', 'ui', newPassword);
      session = await ctx.loginThrottle.attempt(request, pending.username, finish);
    } catch (err) {
      if (err instanceof RateLimited) return again(rateLimited(reply, err), 429);
      if (err instanceof DomainError && err.field === 'newPassword') {
        const message = err.code === 'PASSWORD_CHANGE_REQUIRED' ? 'Choose a new password of your own.' : `${err.message.replace(/^newPassword: /, 'The new password ')}.`;
        return again({ newPassword: message }, err.code === 'PASSWORD_CHANGE_REQUIRED' ? 403 : 400);
      }
      if (err instanceof DomainError && err.code === 'PASSWORD_EXPIRED') {
        return sendPage(reply, loginPage(csrfOf(ctx, request), { next: values.next ?? '' }, { '': `${err.message}.` }), 403);
      }
      if (!(err instanceof DomainError) || !['MFA_CODE_INVALID', 'MFA_REQUIRED', 'MFA_CHALLENGE_INVALID'].includes(err.code)) throw err;
      return again({ code: err.code === 'MFA_REQUIRED' ? 'Enter the code.' : 'That code is wrong or was used already.' }, 401);
    }
    startSession(reply, session);
    if (session.recoveryCodes) {
      return sendPage(reply, recoveryCodesPage({ csrf: csrfOf(ctx, request), codes: session.recoveryCodes, next: safeNext(values.next, session.actor.role) }));
    }
    return seeOther(reply, safeNext(values.next, session.actor.role));
  });

  const startSession = (reply: FastifyReply, session: Session) => {
    // A fresh token at every sign-in: a session id planted before login is never the one used after it.
    ctx.sessions().started(session.token, session.expiresAt);
    reply.setCookie(ctx.cookies.session, session.token, { ...ctx.cookies.options, expires: new Date(session.expiresAt) });
  };

  app.post('/logout', async (request, reply) => {
    const token = request.cookies[ctx.cookies.session];
    if (token && request.actor) ctx.sessions().end(token);
    reply.clearCookie(ctx.cookies.session, ctx.cookies.options);
    return seeOther(reply, '/ui/login?reason=signed-out');
  });
}
