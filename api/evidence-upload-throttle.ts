import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RateLimited } from '../domain/shared/errors';

/**
 * Throttling of evidence uploads (the API's POST /api/evidence and the UI's forms alike): every file
 * is stored for good, so one account may store only so many an hour. Every file counts, stored or
 * refused, a repeat of one already stored too. The counting is @fastify/rate-limit's, as for
 * registration requests.
 */
export interface EvidenceUploadThrottle {
  /** Counts one file for the account; throws RateLimited when it has uploaded too many this hour. */
  check(request: FastifyRequest, accountId: string): Promise<void>;
}

const HOUR_MS = 60 * 60_000;

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by buildApi; the UI's forms that take files use the same one. */
    evidenceUploadThrottle: EvidenceUploadThrottle;
  }
}

export function registerEvidenceUploadThrottle(app: FastifyInstance, perHour: number): EvidenceUploadThrottle {
  // createRateLimit exists once the rate-limit plugin has loaded, i.e. by the first request. The key
  // is the account the request is made as, handed in by the caller, since the route knows the actor.
  let limit: ReturnType<FastifyInstance['createRateLimit']> | undefined;
  const keys = new WeakMap<FastifyRequest, string>();
  const throttle: EvidenceUploadThrottle = {
    async check(request, accountId) {
      limit ??= app.createRateLimit({ max: perHour, timeWindow: HOUR_MS, keyGenerator: (r) => `evidence|${keys.get(r) ?? ''}` });
      keys.set(request, accountId);
      const status = await limit(request);
      // isAllowed means allow-listed (none are); isExceeded, past the limit.
      if (status.isAllowed || !status.isExceeded) return;
      const seconds = Math.max(1, Math.ceil(status.ttl / 1000));
      throw new RateLimited(`Too many evidence files uploaded by this account (at most ${perHour} an hour); try again in ${Math.ceil(seconds / 60)} minutes`, seconds);
    },
  };
  app.decorate('evidenceUploadThrottle', throttle);
  return throttle;
}
