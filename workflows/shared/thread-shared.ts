/**
 * A process type's modules, evaluated once per workflow thread and then used by every workflow of that
 * type the thread runs, where with reuseV8Context each workflow would otherwise evaluate its own copy.
 *
 * This module is preloaded (workflows/shared/preloaded-modules.ts), so every workflow of a thread calls
 * the same instance of it. The SDK deep-freezes what a preloaded module exports, which zod's schemas do
 * not survive (they memoise onto themselves); the modules kept here are loaded by the first workflow that
 * needs them, inside it, and held in this module's scope, which the freeze does not reach, so they stay
 * as writable as in a workflow of their own.
 *
 * Only modules whose state is their own business may be shared this way: code, read-only tables, and
 * memos whose answers do not depend on who asked (zod's, the instant parser's in domain/shared/time.ts,
 * canonical JSON's quoted keys). Everything a workflow's run keeps lives in the closures its workflow
 * function creates, one set per run, and everything a workflow reads of its run (its info, its clock, its
 * randomness, its patches) comes from its own activator, found anew at each call. Evaluating the modules
 * issues no command, so a replay that finds them loaded takes the same steps as the run that loaded them.
 */
const loaded = new Map<string, unknown>();

/** The value `load` returns the first time `key` is asked for in this thread, the same value ever after. */
export function onePerThread<T>(key: string, load: () => T): T {
  if (loaded.has(key)) return loaded.get(key) as T;
  const value = load();
  loaded.set(key, value);
  return value;
}
