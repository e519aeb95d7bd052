import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import pino from 'pino';
import type { EventStore } from '../../eventstore/port';
import { appBundleOptions, createAppWorker } from '../../worker/create-worker';
import type { ProcessTracing } from '../../tracing/setup';
import { ensureBinary } from '../../config/temporal-binaries';
import { temporal } from '@temporalio/proto';
import { TEST_TRUSTED_COMMAND_KEYS, followServerClock, signOnClockOf } from './command-keys';
import type { TimerLatenessObserver } from '../../metrics/timers';
import { CASE_SEARCH_ATTRIBUTES, CaseKind, CaseStatus, Jurisdiction, OfferingId } from '../../workflows/search-attributes';

/** Temporal's time-skipping test server, from the project's own binary (never the SDK's download). */
/** Skips the time-skipping server's clock to `at` (epoch milliseconds or ISO), never backwards. */
export async function skipTo(env: TestWorkflowEnvironment, at: number | string): Promise<void> {
  const ms = (typeof at === 'string' ? Date.parse(at) : at) - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
  await followServerClock(env);
}

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: ensureBinary('testServer') } },
  });
  // The test server knows no custom search attributes until told, as a real namespace would be.
  const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(CASE_SEARCH_ATTRIBUTES.map((name) => [name, keyword])),
  });
  // The tests' seals are issued on this server's clock, as the API's are on the one clock it shares with the server.
  signOnClockOf(env);
  return env;
}

/**
 * The Temporal CLI dev server with the namespace and search attributes the app uses: in memory, unless
 * `extraArgs` give it a store (the expiries bench runs it as `npm start` does).
 */
export function devServerEnv(namespace = 'cloud-office', extraArgs: readonly string[] = []): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: ensureBinary('cli') },
      namespace,
      searchAttributes: [CaseKind, CaseStatus, Jurisdiction, OfferingId],
      ip: '127.0.0.1',
      ui: false,
      extraArgs: ['--log-level', 'error', ...extraArgs],
    },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundled once per test file: bundling takes seconds. The bundle trusts the tests' command key. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    // As the worker bundles them: the tracing interceptors are in every bundle, on or off.
    ...appBundleOptions({ trustedCommandKeys: TEST_TRUSTED_COMMAND_KEYS, crashPoints: false, workflowsPath: require.resolve('./test-workflows') }),
    logger: quietBundlerLogger,
  });
  return bundle;
}

const noop = (): void => undefined;
/** The bundler's logger that says only its errors (the tests' and the benches' bundles). */
export const quietBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

/** A worker of the app on a test environment, with the given store; `run` settles when it has shut down. */
export async function startTestWorker(
  env: TestWorkflowEnvironment,
  eventStore: EventStore,
  taskQueue: string,
  options: { timerLateness?: TimerLatenessObserver; tracing?: ProcessTracing } = {},
): Promise<{ worker: Worker; run: Promise<void> }> {
  const worker = await createAppWorker({
    ...options,
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    eventStore,
    logger: pino({ level: 'silent' }),
    trustedCommandKeys: TEST_TRUSTED_COMMAND_KEYS,
    workflowBundle: await workflowBundle(),
  });
  return { worker, run: worker.run() };
}
