import { Runtime } from '@temporalio/worker';

/**
 * Temporal's own SDK metrics (workflow and activity task latencies, slots, polls, sticky cache…) are
 * kept by the Core runtime in Rust, not in Node's registry: the runtime serves them itself, on its own
 * address. Installed once, before the worker's connection; without an address the runtime's defaults
 * (no metrics) stay. Names keep Temporal's `temporal_` prefix, so its published dashboards work as they are.
 */
export function installTemporalRuntimeMetrics(bindAddress: string | undefined): void {
  if (bindAddress === undefined) return;
  Runtime.install({
    telemetryOptions: {
      metrics: {
        prometheus: { bindAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
        globalTags: { process: 'worker' },
      },
    },
  });
}
