import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config/config';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { loadTrustedCommandKeys } from '../config/command-keys';
import { createLogger } from '../config/logger';
import { onShutdown } from '../config/supervision';
import { createEventStore } from '../eventstore';
import { scheduleCheckpoints } from './checkpoints';
import { createAppWorker } from './create-worker';

/** The worker process: runs every case workflow and the activities that write their events. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('worker', config.logLevel);
  const eventStore = await createEventStore(config.eventStore);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  const worker = await createAppWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    eventStore,
    logger,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    trustedCommandKeys: loadTrustedCommandKeys(config.commandKeys, config.dataDir, (message) => logger.warn(message)),
  });
  const stopCheckpoints = scheduleCheckpoints(config, eventStore, logger);
  const running = worker.run();
  const stopped = running.then(async () => {
    await connection.close();
    await eventStore.close();
    logger.info('worker stopped');
  });
  onShutdown(async () => {
    logger.info('worker stopping');
    stopCheckpoints();
    worker.shutdown();
    await stopped;
  });
  logger.info({ namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue }, 'worker running');
  await stopped;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
