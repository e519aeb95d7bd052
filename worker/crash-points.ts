import { writeSync } from 'node:fs';
import { z } from 'zod';

/**
 * TEST ONLY: fault injection for the crash tests (test/system/crashes.int.test.ts). Inert unless the
 * worker's environment sets CRASH_AT; production never sets it. CRASH_AT lists points with a
 * probability each, e.g. `before-append:0.05,after-append:0.05,continue-as-new:0.3`: at a listed
 * point the worker kills itself with SIGKILL with that probability, as a power cut would — no
 * finally block, no graceful shutdown, no completion reported to Temporal.
 */
export const CRASH_POINTS = ['before-append', 'after-append', 'continue-as-new'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export interface CrashPoints {
  /** Kills the process at `point` with its configured probability; does nothing for unlisted points. */
  maybeCrash(point: CrashPoint): void;
  /** The points that can fire, for the worker's start-up log. */
  readonly armed: Readonly<Partial<Record<CrashPoint, number>>>;
}

const Entry = z.tuple([z.enum(CRASH_POINTS), z.coerce.number().min(0).max(1)]);

/** Parses CRASH_AT; undefined (no fault injection) when it is unset or empty. */
/** Says where on standard error (written synchronously, so the line survives the kill), then kills. */
function killSelf(point: CrashPoint): void {
  writeSync(2, `CRASH_AT: killing the worker at ${point}\n`);
  process.kill(process.pid, 'SIGKILL');
}

export function crashPointsFrom(value: string | undefined, kill: (point: CrashPoint) => void = killSelf): CrashPoints | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const armed: Partial<Record<CrashPoint, number>> = {};
  for (const part of value.split(',')) {
    const parsed = Entry.safeParse(part.trim().split(':'));
    if (!parsed.success) {
      throw new Error(`Invalid CRASH_AT entry "${part}": expected <${CRASH_POINTS.join('|')}>:<probability 0..1>`);
    }
    armed[parsed.data[0]] = parsed.data[1];
  }
  return {
    armed,
    maybeCrash(point) {
      const probability = armed[point];
      if (probability !== undefined && Math.random() < probability) kill(point);
    },
  };
}
