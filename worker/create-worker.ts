import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createEventActivities } from '../activities/event-activities';
import { createRegisterActivities } from '../activities/register-activities';
import { createTransitionActivities } from '../activities/transition-activities';
import type { EventStore } from '../eventstore/port';

export interface AppWorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  eventStore: EventStore;
  logger: Logger;
  /** Tests pass a prebuilt bundle to save the bundling time per file. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** The worker that runs every case process and its activities; activities get their dependencies here. */
export async function createAppWorker(deps: AppWorkerDeps): Promise<Worker> {
  const activities = {
    ...createEventActivities({ eventStore: deps.eventStore, logger: deps.logger }),
    ...createTransitionActivities({ eventStore: deps.eventStore }),
    ...createRegisterActivities({ eventStore: deps.eventStore }),
  };
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    activities,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
  });
}
