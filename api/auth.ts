import type { FastifyRequest } from 'fastify';
import type { Actor } from '../domain/shared/actor';
import { DomainError } from '../domain/shared/errors';
import type { Role } from '../domain/shared/vocabulary';
import type { ApiDeps } from './deps';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the bearer check on authenticated routes. */
    actor?: Actor;
    /** The case the request is about, for the request log. */
    caseId?: string;
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([^\s]+) *$/i.exec(header ?? '');
  return match?.[1];
}

/** Runs before the body is even read: a stranger learns nothing from how we would parse it. */
export function bearerCheck(identity: ApiDeps['identity'], roles: readonly Role[] | undefined) {
  return async (request: FastifyRequest, reply: { header(name: string, value: string): unknown }): Promise<void> => {
    // What a token opens is one person's: no cache, shared or private, may keep it (refusals included).
    reply.header('cache-control', 'no-store');
    const token = bearerToken(request.headers.authorization);
    const actor = token === undefined ? undefined : await identity.authenticate(token, 'api');
    if (actor === undefined) {
      reply.header('www-authenticate', 'Bearer');
      throw new DomainError(
        'UNAUTHENTICATED',
        token === undefined
          ? 'Send "Authorization: Bearer <token>"; POST /api/auth/login gives you a token'
          : 'The token is unknown, expired or revoked; log in again',
      );
    }
    request.actor = actor;
    if (roles !== undefined && !roles.includes(actor.role)) {
      throw new DomainError('ROLE_NOT_ALLOWED', `This is for ${roles.join(' or ')} accounts; yours is ${actor.role}`);
    }
  };
}

/**
 * Every refusal of access leaves one warning line saying who was refused what: no or a bad token
 * (401), a role or rule that forbids it (403), and a record answered as not found to a signed-in
 * person (404, which is also how a record they may not see is answered). The client's answer never
 * says more than the error body; the log is where an operator sees someone trying other people's ids.
 */
export function logRefusal(request: FastifyRequest, error: DomainError, status: number): void {
  const refused = error.kind === 'unauthenticated' || error.kind === 'forbidden' || (error.code === 'NOT_FOUND' && request.actor !== undefined);
  if (refused) logAccessRefused(request, error.code, status);
}

/** The one "access refused" warning, with the actor and the route; the UI logs its refusals through it too. */
export function logAccessRefused(request: FastifyRequest, refusal: string, status: number): void {
  const actor = request.actor;
  request.log.warn(
    {
      refusal,
      status,
      method: request.method,
      route: request.routeOptions.url,
      url: request.url,
      caseId: request.caseId,
      actorId: actor?.userId,
      role: actor?.role,
      jurisdiction: actor?.jurisdiction,
      organisationId: actor?.organisationId,
    },
    'access refused',
  );
}
