import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { EventStore } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { exportHistories } from './history-export';
import { startTestWorker, timeSkippingEnv } from './temporal';

export interface WorkflowTestBed<X> {
  env: TestWorkflowEnvironment;
  store: EventStore;
  /** What `onStore` started on the store (read models), if anything. */
  extra: X;
}

/**
 * One workflow test file's time-skipping server, in-memory event store and worker on `taskQueue`: set
 * up before its tests, torn down after. After each test, the processes the test tracked are exported
 * as replay fixtures of `kind` (read per test), named by the test without the `title` of its describe.
 * `ready` hands the file what it needs once everything runs.
 */
export function useWorkflowTestBed<X extends { close(): Promise<void> } | undefined = undefined>(
  o: { taskQueue: string; kind: string | (() => string); title: string; onStore?: (store: EventStore) => Promise<X> },
  ready: (bed: WorkflowTestBed<X>) => void,
): void {
  let env: TestWorkflowEnvironment | undefined;
  let store: EventStore | undefined;
  let extra: X | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;

  beforeAll(async () => {
    env = await timeSkippingEnv();
    store = await openSqliteEventStore({ path: ':memory:' });
    extra = o.onStore ? await o.onStore(store) : (undefined as X);
    ({ worker, run: running } = await startTestWorker(env, store, o.taskQueue));
    ready({ env, store, extra: extra as X });
  });

  afterEach(async () => {
    const kind = typeof o.kind === 'string' ? o.kind : o.kind();
    const name = expect.getState().currentTestName ?? kind;
    await exportHistories(kind, name.startsWith(`${o.title} `) ? name.slice(o.title.length + 1) : name);
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await extra?.close();
    await store?.close();
    await env?.teardown();
  });
}
