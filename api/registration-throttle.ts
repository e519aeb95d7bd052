import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RateLimited } from '../domain/shared/errors';
import type { Window } from './login-throttle';

/**
 * Throttling of the public registration request (API and UI alike): it is the one form anyone may
 * send without an account, so each address may send only a few an hour. Every attempt counts, accepted
 * or refused. The counting is @fastify/rate-limit's, as for sign-in (registerLoginThrottle registers it).
 */
export interface RegistrationThrottle {
  /** Counts the attempt; throws RateLimited when the address has sent too many. */
  check(request: FastifyRequest): Promise<void>;
}

export const DEFAULT_REGISTRATION_THROTTLE: Window = { max: 5, windowMs: 60 * 60_000 };

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by buildApi; the UI's registration form uses the same one. */
    registrationThrottle: RegistrationThrottle;
  }
}

export function registerRegistrationThrottle(app: FastifyInstance, window: Window = DEFAULT_REGISTRATION_THROTTLE): RegistrationThrottle {
  // createRateLimit exists once the rate-limit plugin has loaded, i.e. by the first request.
  let limit: ReturnType<FastifyInstance['createRateLimit']> | undefined;
  const throttle: RegistrationThrottle = {
    async check(request) {
      limit ??= app.createRateLimit({ max: window.max, timeWindow: window.windowMs, keyGenerator: (r) => `registration|${normalizeIP(r.ip)}` });
      const status = await limit(request);
      // isAllowed means allow-listed (none are); isExceeded, past the limit.
      if (status.isAllowed || !status.isExceeded) return;
      const seconds = Math.max(1, Math.ceil(status.ttl / 1000));
      throw new RateLimited(`Too many registration requests from this address; try again in ${Math.ceil(seconds / 60)} minutes`, seconds);
    },
  };
  app.decorate('registrationThrottle', throttle);
  return throttle;
}
