import { ActorSchema } from '../schemas/noc';
import { LoginBody, SessionSchema } from '../schemas/identity';
import type { ApiDeps } from '../deps';
import { defineRoute, type AnyRoute } from '../route';
import { bearerToken } from '../auth';

export function authRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/auth/login',
      operationId: 'login',
      summary: 'Exchange a username, password and second-factor code for a bearer token',
      description:
        '`code` is the current code of the account\'s authenticator app, or one of its unused recovery codes. Without ' +
        'it the answer is 401 MFA_REQUIRED; a wrong or reused code is 401 MFA_CODE_INVALID (and counts toward the ' +
        'sign-in throttle); an account without a confirmed authenticator gets 403 MFA_ENROLMENT_REQUIRED: start with ' +
        'POST /api/auth/mfa/enrolment. A password an administrator set (new account, password or second-factor reset) ' +
        'serves once: it signs in only with `newPassword`, the person\'s own, which replaces it (403 ' +
        'PASSWORD_CHANGE_REQUIRED without it; 403 PASSWORD_EXPIRED once its time is up: ask an administrator for a reset; ' +
        '409 PASSWORD_NOT_ONE_TIME when `newPassword` comes with a password that is the account\'s own). ' +
        'These come only after the right password.',
      tag: 'auth',
      auth: 'public',
      body: LoginBody,
      bodyName: 'Login',
      status: 200,
      response: SessionSchema,
      errors: [401, 403, 409, 429],
      handler: ({ body, request }) => request.server.loginThrottle.attempt(request, body.username, () => deps.identity.login(body, 'api')),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/auth/logout',
      operationId: 'logout',
      summary: 'End the session of the bearer token',
      tag: 'auth',
      auth: 'bearer',
      status: 204,
      handler({ request }) {
        deps.identity.logout(bearerToken(request.headers.authorization) as string, 'api');
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/me',
      operationId: 'me',
      summary: 'Who the bearer token belongs to',
      tag: 'auth',
      auth: 'bearer',
      status: 200,
      response: ActorSchema,
      handler: ({ actor }) => actor,
    }),
  ];
}
