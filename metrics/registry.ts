import { collectDefaultMetrics, Registry } from 'prom-client';

/** Every series this system exports starts with this, so that one scrape config's relabelling can find them. */
export const METRIC_PREFIX = 'cloud_office_';

export type ProcessName = 'api' | 'worker' | 'projector';

/**
 * One registry per process (not prom-client's global one), so that a test composing several processes
 * in one Node process keeps their series apart, and no library can add series behind our back. The
 * default metrics are the process's own: CPU, resident memory, heap, event-loop delay, handles.
 */
export function createProcessRegistry(processName: ProcessName, options: { defaults?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ process: processName });
  // Tests composing several "processes" in one Node process would count its event loop and heap twice.
  if (options.defaults !== false) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX, eventLoopMonitoringPrecision: 20 });
  return registry;
}
