import type { ApiDeps } from '../deps';
import { defineRoute, type AnyRoute } from '../route';
import { AccountUsernameParams, MfaEnrolmentBody, MfaEnrolmentSchema } from '../schemas/mfa';

/** Second-factor enrolment for API clients, and the administrator's reset. Sign-in itself is POST /api/auth/login. */
export function mfaRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/auth/mfa/enrolment',
      operationId: 'beginMfaEnrolment',
      summary: 'Start enrolling an authenticator app',
      description:
        'For an account without a confirmed authenticator, after the right password: a new TOTP secret (RFC 6238, SHA-1, ' +
        '6 digits, 30 s). Add it to an authenticator app, then sign in with POST /api/auth/login and its current `code`: ' +
        'that confirms the enrolment, and that answer alone carries the ten one-time recovery codes. A password an ' +
        'administrator set serves once: give `newPassword`, the person\'s own, which replaces it in this same request ' +
        '(then sign in with it); without it 403 PASSWORD_CHANGE_REQUIRED, and 403 PASSWORD_EXPIRED once its time is up ' +
        '(ask an administrator for a reset).',
      tag: 'auth',
      auth: 'public',
      body: MfaEnrolmentBody,
      bodyName: 'MfaEnrolmentRequest',
      status: 200,
      response: MfaEnrolmentSchema,
      errors: [401, 403, 409, 429],
      handler: ({ body, request }) =>
        request.server.loginThrottle.attempt(request, body.username, () => deps.identity.beginMfaEnrolment(body), { partial: true }),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/accounts/:username/mfa',
      operationId: 'resetMfa',
      summary: "Reset an account's second factor",
      description:
        'Forgets its authenticator and recovery codes and ends its sessions; the person enrols again at their next sign-in, ' +
        'choosing a new password in the same step, before the kept password expires (ONE_TIME_PASSWORD_TTL_HOURS). ' +
        "Recorded as an AccountMfaReset event in the account's stream (who and when, never the secret).",
      tag: 'accounts',
      auth: 'bearer',
      roles: ['admin'],
      params: AccountUsernameParams,
      status: 204,
      async handler({ params, actor }) {
        await deps.identity.resetMfa(actor, params.username);
        return undefined;
      },
    }),
  ];
}
