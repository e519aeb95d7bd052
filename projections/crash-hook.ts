import { z } from 'zod';

/**
 * A test-only fault: with PROJECTOR_CRASH_PROBABILITY set (a number in (0, 1]), the projector kills
 * itself with SIGKILL, at that chance, between two statements of a batch, so a crash test can stop it
 * inside a write transaction rather than only between batches (test/system/projector-kills.int.test.ts).
 * Without the variable the hook is a function that does nothing.
 */
const Probability = z.coerce.number().gt(0).max(1);

export function crashHookFromEnv(env: NodeJS.ProcessEnv): () => void {
  const raw = env.PROJECTOR_CRASH_PROBABILITY;
  if (raw === undefined || raw === '') return () => {};
  const parsed = Probability.safeParse(raw);
  if (!parsed.success) throw new Error(`PROJECTOR_CRASH_PROBABILITY must be a number in (0, 1], not ${JSON.stringify(raw)}`);
  const chance = parsed.data;
  return () => {
    if (Math.random() < chance) process.kill(process.pid, 'SIGKILL');
  };
}
