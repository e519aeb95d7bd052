import { fastifyRateLimit, normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError, RateLimited } from '../domain/shared/errors';

/**
 * Throttling of sign-in, shared by POST /api/auth/login and the UI's sign-in form. The counting is
 * @fastify/rate-limit's (fixed windows in its in-memory store, addresses normalised, IPv6 by /64);
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

/** Addresses that signed in to an account lately; bounded, the oldest forgotten first. */
class KnownAddresses {
  private readonly until = new Map<string, number>();
  constructor(
    private readonly ttlMs: number,
    private readonly capacity = 10_000,
  ) {}

  add({ account, address }: Subject): void {
    const key = `${account}|${address}`;
    this.until.delete(key);
    this.until.set(key, Date.now() + this.ttlMs);
    for (const oldest of this.until.keys()) {
      if (this.until.size <= this.capacity) break;
      this.until.delete(oldest);
    }
  }

  has({ account, address }: Subject): boolean {
    return (this.until.get(`${account}|${address}`) ?? 0) > Date.now();
  }
}

/** Registers @fastify/rate-limit on the app (no global limit) and decorates the app with the throttle. */
export function registerLoginThrottle(app: FastifyInstance, options: Partial<LoginThrottleOptions> = {}): LoginThrottle {
  const settings: LoginThrottleOptions = { ...DEFAULT_LOGIN_THROTTLE, ...options };
  app.register(fastifyRateLimit, { global: false });
  const known = new KnownAddresses(settings.knownAddressMs);

  // createRateLimit exists once the plugin has loaded, i.e. by the first request.
  let limits: { address: Limiter; pair: Limiter[]; account: Limiter } | undefined;
  const limitsOf = () =>
    (limits ??= {
      address: app.createRateLimit({
        max: settings.perAddress.max,
        timeWindow: settings.perAddress.windowMs,
        keyGenerator: (r) => subjectOf(r).address,
      }),
      pair: settings.perAccountAndAddress.map((tier) =>
        app.createRateLimit({
          max: tier.max,
          timeWindow: tier.windowMs,
          keyGenerator: (r) => `${subjectOf(r).account}|${subjectOf(r).address}`,
        }),
      ),
      account: app.createRateLimit({
        max: settings.perAccount.max,
        timeWindow: settings.perAccount.windowMs,
        keyGenerator: (r) => subjectOf(r).account,
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
      if (reached(byAccount) && !known.has(subject)) refuse(byAccount.ttl);

      try {
        const result = await login();
        if (!options.partial) known.add(subject);
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
