/**
 * The lifecycle bench's baseline (bench/lifecycle.bench.ts): a bare Temporal workflow that does what
 * a NOC's process does to the engine and nothing more. It is started as a NOC is, by update-with-start
 * whose update answers once the first step's activity has run; that first step, each of its three
 * updates and its timer each run one activity that does nothing, as the NOC's request, review,
 * recommendation, decision and expiry each append their events through one activity. Bundled on its
 * own, never with the app's workflows.
 */
import { condition, defineUpdate, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { BareActivities } from './bare-activities';

const { nothing } = proxyActivities<BareActivities>({ startToCloseTimeout: '30 seconds' });

/** One step, as a NOC's action: answers the step count once its activity has run. */
export const bareStep = defineUpdate<number, [{ until?: number }]>('bareStep');

/** Sent with the start: answers once the first step's activity has run, as a NOC's request answers once recorded. */
export const bareStarted = defineUpdate<number, []>('bareStarted');

/** Three steps; the third sets the timer's instant (epoch ms), as a NOC's decision sets its validUntil. */
export async function bareLifecycleWorkflow(): Promise<number> {
  let steps = 0;
  let busy = true;
  let until: number | undefined;
  let opened = false;
  setHandler(bareStarted, async () => {
    await condition(() => opened);
    return steps;
  });
  setHandler(bareStep, async (input) => {
    // One step at a time, as the NOC ledger takes one command at a time.
    await condition(() => !busy);
    busy = true;
    try {
      await nothing();
      steps += 1;
      if (input.until !== undefined) until = input.until;
      return steps;
    } finally {
      busy = false;
    }
  });
  await nothing();
  opened = true;
  busy = false;
  await condition(() => until !== undefined && !busy);
  // As the NOC's process waits for its expiry: from workflow time to the instant, at least 1 ms.
  await sleep(Math.max(1, (until as number) - Date.now()));
  await nothing();
  return steps;
}
