/**
 * The expiries bench's baseline (bench/expiries.bench.ts): a bare Temporal workflow that does to the
 * engine what a NOC's process does at its expiry and nothing more: it waits on a timer until its
 * instant, runs one activity (where the NOC appends its expiry), and ends. Bundled on its own, never
 * with the app's workflows.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { BareExpiryActivities } from './bare-activities';

const { expired } = proxyActivities<BareExpiryActivities>({ startToCloseTimeout: '30 seconds' });

/** Waits until `until` (epoch ms; at least 1 ms, as the NOC's timer), then says so through its activity. */
export async function bareExpiryWorkflow(until: number): Promise<void> {
  await sleep(Math.max(1, until - Date.now()));
  await expired(until);
}
