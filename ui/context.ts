import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../domain/shared/actor';
import type { Role } from '../domain/shared/vocabulary';
import type { ApiDeps } from '../api/deps';
import type { LoginThrottle } from '../api/login-throttle';
import type { Claims } from './claims';
import type { SafeHtml } from './html';
import type { UiSessions } from './sessions';

declare module 'fastify' {
  interface FastifyRequest {
    /** What the CSRF token of this request's forms is derived from: the session token, or the form nonce. */
    csrfSeed?: string;
    /** Set when the session cookie named a session that ended by idle timeout. */
    sessionTimedOut?: boolean;
    /** The code of a refusal the UI's error handler answered, for the refusal log (register-ui.ts). */
    uiRefusal?: string;
  }
}

/** What the UI's routes work with; the SQLite-backed parts are opened on first use. */
export interface UiContext {
  deps: ApiDeps;
  sessions(): UiSessions;
  claims(): Claims;
  /** The API's sign-in throttle: the form and POST /api/auth/login share their limits. */
  loginThrottle: LoginThrottle;
  cookies: UiCookies;
  now: () => Date;
}

export interface UiCookies {
  session: string;
  form: string;
  options: { path: '/'; httpOnly: true; sameSite: 'lax'; secure: boolean };
}

/**
 * Over https the cookies are Secure and carry the __Host- prefix, which browsers accept only from a
 * secure origin, for path / and without a Domain: no subdomain or plain-http page can plant or
 * overwrite them. Over http (local development) they keep plain names, which browsers accept there.
 */
export function uiCookies(https: boolean): UiCookies {
  const prefix = https ? '__Host-' : '';
  return {
    session: `${prefix}co_session`,
    form: `${prefix}co_form`,
    options: { path: '/', httpOnly: true, sameSite: 'lax', secure: https },
  };
}

/** The flag ui/queue-refresh.js (and the queue's noscript refresh) add: a reload nobody asked for. */
export const AUTOMATIC_REFRESH = { name: 'refresh', value: 'auto' } as const;

/** Thrown by pages that need a signed-in user; the UI's error handler answers with the login page. */
export class LoginRequired extends Error {
  override readonly name = 'LoginRequired';
}

/** Thrown when a POST lacks the form's CSRF token. */
export class CsrfRefused extends Error {
  override readonly name = 'CsrfRefused';
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new LoginRequired('Sign in to see this page');
  return request.actor;
}

export function csrfOf(ctx: UiContext, request: FastifyRequest): string {
  return ctx.sessions().csrfFor(request.csrfSeed as string);
}

export function sendPage(reply: FastifyReply, markup: SafeHtml, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(markup.value);
}

/** POST-redirect-GET: 303 makes the browser follow with a GET whatever the original method. */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).send();
}

/** Where a person starts: an entity's officer at the entity's home, a provider's at the provider's, staff at their queue. */
export function landingFor(role: Role): string {
  if (role === 'pse') return '/ui/entity';
  if (role === 'csp') return '/ui/provider';
  return '/ui/queue';
}

/**
 * Only a path of this site is a place to go back to after signing in; anything else is an open
 * redirect. Without one, the person goes to the landing page of their role.
 */
export function safeNext(next: unknown, role: Role): string {
  return typeof next === 'string' && /^\/ui\/[^/\\]/.test(next) && !next.includes('//') ? next : landingFor(role);
}
