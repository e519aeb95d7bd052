import { hash, verify, type Algorithm } from '@node-rs/argon2';

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

export async function hashPassword(password: string, cost: PasswordCost = DEFAULT_PASSWORD_COST): Promise<string> {
  return hash(password, { ...cost, algorithm: ARGON2ID });
}

/** False for a wrong password or a malformed stored hash: both mean "not this password". */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
