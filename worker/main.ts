import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config/config';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { loadTrustedCommandKeys } from '../config/command-keys';
import { createLogger } from '../config/logger';
import { onShutdown } from '../config/supervision';
import { createEventStore } from '../eventstore';
import { scheduleCheckpoints } from './checkpoints';
import { bundleInChildProcess } from './bundle';
import { createAppWorker } from './create-worker';
import { crashPointsFrom } from './crash-points';
import { MeasuredEventStore } from '../metrics/event-store';
import { createProcessRegistry } from '../metrics/registry';
import { serveMetricsIfConfigured } from '../metrics/serve';
import { installTemporalRuntimeMetrics } from '../metrics/temporal-runtime';
import { registerTimerLateness } from '../metrics/timers';
import { latenessWindow, startSampler } from '../metrics/sampler';
import { openOperationsSamples, operationsSamplesPath } from '../metrics/samples';
import { startTracing } from '../tracing/setup';

/** The worker process: runs every case workflow and the activities that write their events. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('worker', config.logLevel);
  installTemporalRuntimeMetrics(config.metrics.temporalBind);
  const registry = createProcessRegistry('worker');
  // Off (undefined, nothing registered) unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
  const tracing = startTracing('worker', config.tracing);
  // The worker is where cases' events are appended: their latency is measured here.
  const eventStore = new MeasuredEventStore(await createEventStore(config.eventStore), registry);
  const metricsListener = await serveMetricsIfConfigured(registry, { host: config.metrics.host, port: config.metrics.workerPort });
  // The operators' page's last day of timer lateness, kept without Prometheus.
  const lateness = latenessWindow();
  const samples = openOperationsSamples(operationsSamplesPath(config.dataDir));
  const sampler = startSampler({
    samples,
    collect: () => lateness.drain(),
    intervalMs: config.operations.sampleSeconds * 1000,
    onError: (err) => logger.warn({ err }, 'could not record the operations sample'),
  });
  // TEST ONLY: CRASH_AT arms fault injection for the crash tests; unset in every real deployment.
  const crashPoints = crashPointsFrom(process.env.CRASH_AT);
  if (crashPoints) logger.warn({ crashAt: crashPoints.armed }, 'CRASH_AT is set: this worker kills itself at random (a test-only setting)');
  const trustedCommandKeys = loadTrustedCommandKeys(config.commandKeys, config.dataDir, (message) => logger.warn(message));
  // TEST ONLY: WORKFLOW_BUNDLE_FILE, workflow code bundled beforehand with its trusted command keys and the
  // interceptors of workflowInterceptorModules (tracing's and the crash injection's), so a worker the crash
  // tests kill over and over starts again in seconds rather than bundling each time.
  const workflowBundle = process.env.WORKFLOW_BUNDLE_FILE
    ? { codePath: process.env.WORKFLOW_BUNDLE_FILE }
    : await bundleInChildProcess({ trustedCommandKeys, crashPoints: crashPoints !== undefined });
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  const worker = await createAppWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    eventStore,
    logger,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    trustedCommandKeys,
    ...(crashPoints ? { crashPoints } : {}),
    workflowBundle,
    timerLateness: registerTimerLateness(registry, lateness.observe),
    ...(tracing ? { tracing } : {}),
  });
  const stopCheckpoints = scheduleCheckpoints(config, eventStore, logger);
  const running = worker.run();
  const stopped = running.then(async () => {
    await connection.close();
    await eventStore.close();
    await metricsListener?.close();
    await sampler.stop();
    samples.close();
    await tracing?.shutdown();
    logger.info('worker stopped');
  });
  onShutdown(async () => {
    logger.info('worker stopping');
    stopCheckpoints();
    worker.shutdown();
    await stopped;
  });
  logger.info(
    { namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, metricsPort: metricsListener?.port ?? 'off', temporalMetrics: config.metrics.temporalBind ?? 'off' },
    'worker running',
  );
  await stopped;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
