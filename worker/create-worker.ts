import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createEventActivities } from '../activities/event-activities';
import { createRegisterActivities } from '../activities/register-activities';
import { createTransitionActivities } from '../activities/transition-activities';
import type { TrustedCommandKey } from '../domain/shared/signed-command';
import type { EventStore } from '../eventstore/port';
import type { TimerLatenessObserver } from '../metrics/timers';
import { withTrustedCommandKeys } from './command-keys-bundle';

export interface AppWorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  eventStore: EventStore;
  logger: Logger;
  /** The public keys whose seals the processes accept, written into the bundle the worker builds. */
  trustedCommandKeys: readonly TrustedCommandKey[];
  /** Tests pass a prebuilt bundle (built with withTrustedCommandKeys) to save the bundling time per file. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** The worker process's metrics: timer lateness is observed where the timers' events are appended. */
  timerLateness?: TimerLatenessObserver;
}

/** The worker that runs every case process and its activities; activities get their dependencies here. */
export async function createAppWorker(deps: AppWorkerDeps): Promise<Worker> {
  const activities = {
    ...createEventActivities({ eventStore: deps.eventStore, logger: deps.logger, ...(deps.timerLateness ? { timerLateness: deps.timerLateness } : {}) }),
    ...createTransitionActivities({ eventStore: deps.eventStore }),
    ...createRegisterActivities({ eventStore: deps.eventStore }),
  };
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    activities,
    ...(deps.workflowBundle
      ? { workflowBundle: deps.workflowBundle }
      : { workflowsPath: require.resolve('../workflows'), bundlerOptions: { webpackConfigHook: withTrustedCommandKeys(deps.trustedCommandKeys) } }),
  });
}
