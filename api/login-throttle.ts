import { fastifyRateLimit, normalizeIP, type FastifyRateLimitStore } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError, RateLimited } from '../domain/shared/errors';
import type { ThrottleStore } from '../identity/throttle-store';

/**
 * Throttling of sign-in, shared by POST /api/auth/login and the UI's sign-in form. The counting is
 * @fastify/rate-limit's (fixed windows, addresses normalised, IPv6 by /64), kept in a ThrottleStore
 * (the identity database in a deployment, so every API process and a restart see the same counts);
 * this file decides what is counted and when an attempt is refused:
 *
 * - per address, failures whatever the username: one address cannot spray many accounts, while an
 *   office behind one NAT address signs in as often as its people like;
 * - per username and address, failures only, in tiers whose windows lengthen (5 in 15 minutes, then
 *   10 in an hour, then 20 in a day): a lockout with back-off that locks out only that address;
 * - per username from all addresses, failures only (100 an hour): a botnet cannot guess one account's
 *   password at leisure. Past it, only addresses that signed in to the account before may try, so an
 *   attacker elsewhere cannot lock the owner out of the places they use.
 *
 * Failures are counted whether or not the username exists, so refusals reveal nothing about accounts.
 * Wrong second-factor codes count as failures too, against the same limits.
 */
export interface Window {
  max: number;
  windowMs: number;
}

export interface LoginThrottleOptions {
  perAddress: Window;
  /** Tiers of the lockout with back-off; each later tier should allow more failures over a longer window. */
  perAccountAndAddress: readonly Window[];
  perAccount: Window;
  /** How long a successful sign-in makes its address known for the account. */
  knownAddressMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  perAddress: { max: 30, windowMs: MINUTE },
  perAccountAndAddress: [
    { max: 5, windowMs: 15 * MINUTE },
    { max: 10, windowMs: HOUR },
    { max: 20, windowMs: DAY },
  ],
  perAccount: { max: 100, windowMs: HOUR },
  knownAddressMs: 30 * DAY,
};

export interface LoginThrottle {
  /**
   * Runs `login` unless a limit refuses first (RateLimited); a wrong password or a wrong second-factor
   * code counts against the limits. `partial`: a step that succeeds without signing in (the password
   * step of a two-step sign-in, an enrolment), so success does not make the address known.
   */
  attempt<T>(request: FastifyRequest, username: string, login: () => Promise<T>, options?: { partial?: boolean }): Promise<T>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by buildApi; the UI's sign-in uses the same one. */
    loginThrottle: LoginThrottle;
  }
}

/** Failures that count: guesses at a password or at a code (a missing code is no guess). */
const COUNTED: ReadonlySet<string> = new Set(['INVALID_CREDENTIALS', 'MFA_CODE_INVALID', 'MFA_CHALLENGE_INVALID']);

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;
type Status = Awaited<ReturnType<Limiter>>;

interface Subject {
  account: string;
  address: string;
}

/** Usernames are compared as the identity stores them; addresses as the rate limiter normalises them. */
const subjects = new WeakMap<FastifyRequest, Subject>();
const subjectOf = (request: FastifyRequest): Subject => subjects.get(request) as Subject;

/** A limit reached by the failures so far: the next attempt would be one too many. */
const reached = (status: Status): status is Extract<Status, { isAllowed: false }> => !status.isAllowed && status.remaining === 0;

function refuse(ttlMs: number): never {
  const seconds = Math.max(1, Math.ceil(ttlMs / 1000));
  const wait = seconds < 120 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
  throw new RateLimited(`Too many sign-in attempts; try again in ${wait}`, seconds);
}

/**
 * @fastify/rate-limit's store contract over a ThrottleStore. Each limiter's keys carry its own prefix
 * (see keyGenerator below), so one table serves them all and `child` needs no state of its own.
 */
function rateLimitStoreOn(store: ThrottleStore) {
  const answer = (count: () => { current: number; ttl: number }, callback: (error: Error | null, result?: { current: number; ttl: number }) => void) => {
    let result;
    try {
      result = count();
    } catch (err) {
      callback(err as Error);
      return;
    }
    callback(null, result);
  };
  class SharedStore implements FastifyRateLimitStore {
    incr(key: string, callback: Parameters<FastifyRateLimitStore['incr']>[1], timeWindow: number): void {
      answer(() => store.incr(key, timeWindow, Date.now()), callback);
    }
    read(key: string, callback: Parameters<FastifyRateLimitStore['incr']>[1], timeWindow: number): void {
      answer(() => store.read(key, timeWindow, Date.now()), callback);
    }
    child(): FastifyRateLimitStore {
      return this;
    }
  }
  return SharedStore;
}

/** Registers @fastify/rate-limit on the app (no global limit) and decorates the app with the throttle. */
export function registerLoginThrottle(app: FastifyInstance, store: ThrottleStore, options: Partial<LoginThrottleOptions> = {}): LoginThrottle {
  const settings: LoginThrottleOptions = { ...DEFAULT_LOGIN_THROTTLE, ...options };
  app.register(fastifyRateLimit, { global: false, store: rateLimitStoreOn(store) });

  // createRateLimit exists once the plugin has loaded, i.e. by the first request.
  let limits: { address: Limiter; pair: Limiter[]; account: Limiter } | undefined;
  const limitsOf = () =>
    (limits ??= {
      address: app.createRateLimit({
        max: settings.perAddress.max,
        timeWindow: settings.perAddress.windowMs,
        keyGenerator: (r) => `address|${subjectOf(r).address}`,
      }),
      pair: settings.perAccountAndAddress.map((tier, i) =>
        app.createRateLimit({
          max: tier.max,
          timeWindow: tier.windowMs,
          keyGenerator: (r) => `pair-${i}|${subjectOf(r).account}|${subjectOf(r).address}`,
        }),
      ),
      account: app.createRateLimit({
        max: settings.perAccount.max,
        timeWindow: settings.perAccount.windowMs,
        keyGenerator: (r) => `account|${subjectOf(r).account}`,
      }),
    });

  const throttle: LoginThrottle = {
    async attempt(request, username, login, options = {}) {
      const { address, pair, account } = limitsOf();
      const subject = { account: username.trim().toLowerCase(), address: normalizeIP(request.ip) };
      subjects.set(request, subject);

      // Peeks: nothing is counted until the password has been checked and found wrong. Concurrent
      // attempts that all peek before any fails are bounded by the cap on hashes in flight.
      const locked = (await Promise.all([address, ...pair].map((limit) => limit(request, { increment: false })))).filter(reached);
      if (locked.length > 0) refuse(Math.max(...locked.map((s) => s.ttl)));
      const byAccount = await account(request, { increment: false });
      if (reached(byAccount) && !store.isKnown(subject.account, subject.address, Date.now())) refuse(byAccount.ttl);

      try {
        const result = await login();
        if (!options.partial) store.markKnown(subject.account, subject.address, Date.now() + settings.knownAddressMs);
        return result;
      } catch (err) {
        if (err instanceof DomainError && COUNTED.has(err.code)) {
          await Promise.all([address, ...pair, account].map((limit) => limit(request)));
        }
        throw err;
      }
    },
  };
  app.decorate('loginThrottle', throttle);
  return throttle;
}
