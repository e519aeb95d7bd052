import { DomainError } from '../../domain/shared/errors';
import { ActorSchema } from '../schemas/noc';
import { LoginBody, SessionSchema } from '../schemas/identity';
import type { ApiDeps } from '../deps';
import { LOGIN_RATE_LIMIT, SlidingWindowLimiter } from '../rate-limit';
import { defineRoute, type AnyRoute } from '../route';
import { bearerToken } from '../auth';

export function authRoutes(deps: ApiDeps): AnyRoute[] {
  const limiter = new SlidingWindowLimiter(deps.loginRateLimit ?? LOGIN_RATE_LIMIT);
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
      async handler({ body, request, reply }) {
        // Per username and address: guessing one account's password is slowed without locking its owner out elsewhere.
        const decision = limiter.hit(`${body.username.trim().toLowerCase()}|${request.ip}`);
        if (!decision.allowed) {
          reply.header('retry-after', String(Math.ceil(decision.retryAfterMs / 1000)));
          throw new DomainError('RATE_LIMITED', 'Too many login attempts; wait a minute and try again');
        }
        return deps.identity.login(body);
      },
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
        deps.identity.logout(bearerToken(request.headers.authorization) as string);
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
