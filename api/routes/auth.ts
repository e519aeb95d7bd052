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
      summary: 'Exchange a username and password for a bearer token',
      tag: 'auth',
      auth: 'public',
      body: LoginBody,
      bodyName: 'Login',
      status: 200,
      response: SessionSchema,
      errors: [401, 429],
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
