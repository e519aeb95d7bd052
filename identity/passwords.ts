import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { RateLimited } from '../domain/shared/errors';

/**
 * Argon2id parameters. Production uses the library's defaults (19 MiB, 2 passes: OWASP's minimum);
 * tests pass a cheap cost so that a suite creating dozens of accounts stays fast.
 */
export interface PasswordCost {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const DEFAULT_PASSWORD_COST: PasswordCost = { memoryCost: 19456, timeCost: 2, parallelism: 1 };
/** Only for tests: the smallest cost argon2 accepts with parallelism 1. */
export const TEST_PASSWORD_COST: PasswordCost = { memoryCost: 8, timeCost: 1, parallelism: 1 };

/**
 * `Algorithm` is a const enum in the binding's typings, which per-file transpilers (swc, tsx) cannot
 * inline; the numeric value is stable (Argon2d = 0, Argon2i = 1, Argon2id = 2).
 */
const ARGON2ID = 2 as Algorithm;

/**
 * Hashes in flight at once, process-wide: each takes 19 MiB and a thread of libuv's pool (4 by
 * default), so twice the pool keeps every thread busy and bounds memory. A burst of sign-ins beyond
 * that is refused at once (RATE_LIMITED, retry in a second) rather than queued without end.
 */
export const DEFAULT_HASH_CONCURRENCY = 8;

export class HashGate {
  private inFlight = 0;
  constructor(private limit: number = DEFAULT_HASH_CONCURRENCY) {}

  /** Changes the limit; hashes already running finish. */
  setLimit(limit: number): void {
    this.limit = limit;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.limit) {
      throw new RateLimited('Too many passwords are being checked right now; try again in a moment', 1);
    }
    this.inFlight++;
    try {
      return await work();
    } finally {
      this.inFlight--;
    }
  }
}

/** One gate for the process: the CPU and memory it protects are the process's. */
export const passwordHashGate = new HashGate();

export async function hashPassword(password: string, cost: PasswordCost = DEFAULT_PASSWORD_COST): Promise<string> {
  return passwordHashGate.run(() => hash(password, { ...cost, algorithm: ARGON2ID }));
}

/** False for a wrong password or a malformed stored hash: both mean "not this password". */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  return passwordHashGate.run(async () => {
    try {
      return await verify(stored, password);
    } catch {
      return false;
    }
  });
}
