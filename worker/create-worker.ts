import { NativeConnection, Worker, type BundleOptions, type InjectedSinks, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createEventActivities } from '../activities/event-activities';
import { createRegisterActivities } from '../activities/register-activities';
import { createTransitionActivities } from '../activities/transition-activities';
import type { TrustedCommandKey } from '../domain/shared/signed-command';
import type { EventStore } from '../eventstore/port';
import type { TimerLatenessObserver } from '../metrics/timers';
import { withTrustedCommandKeys } from './command-keys-bundle';
import type { CrashPoints } from './crash-points';
import type { CrashSinks } from './crash-interceptor';
import type { ProcessTracing } from '../tracing/setup';
import { TracedEventStore } from '../tracing/event-store';
import { activityTracing, WORKFLOW_TRACING_MODULES, workflowSpanSinks } from '../tracing/temporal';

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
  /** TEST ONLY: fault injection from CRASH_AT (worker/crash-points.ts); absent in production. */
  crashPoints?: CrashPoints;
  /**
   * WORKER_MAX_CACHED_WORKFLOWS: how many workflows stay in memory between tasks. The SDK's own default
   * follows the heap (about 2,300 here) while each open NOC holds about 0.35 MB of RSS (README, WORKER_MAX_CACHED_WORKFLOWS),
   * more than the worker should hold with thousands open; an evicted workflow replays its history on its next task instead.
   */
  maxCachedWorkflows?: number;
  /** The worker process's metrics: timer lateness is observed where the timers' events are appended. */
  timerLateness?: TimerLatenessObserver;
  /** The worker's tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set: activities, appends and workflow spans. */
  tracing?: ProcessTracing;
}

/** The workflow interceptor module of fault injection, for a test that bundles the workflows itself. */
export const CRASH_INTERCEPTOR_MODULE = require.resolve('./crash-interceptor');

/**
 * The workflow interceptor modules a worker bundles: the tracing ones always (tracing/temporal.ts), the
 * fault injection's with crash points. A prebuilt bundle must be built with the same list.
 */
export function workflowInterceptorModules(options: { crashPoints: boolean }): string[] {
  return [...WORKFLOW_TRACING_MODULES, ...(options.crashPoints ? [CRASH_INTERCEPTOR_MODULE] : [])];
}

/**
 * The modules the workflows of a worker thread share rather than each loading its own copy
 * (workflows/shared/preloaded-modules.ts says which and why). Every bundle of the workflows passes them.
 */
export const PRELOADED_WORKFLOW_MODULES: readonly string[] = [require.resolve('../workflows/shared/preloaded-modules')];

/**
 * How every prebuilt bundle of the workflows is built (tests, the crash tests' worker, benches), so that it
 * holds what the worker's own bundle holds: the trusted command keys, the interceptors, the preloaded modules.
 */
export function appBundleOptions(options: {
  trustedCommandKeys: readonly TrustedCommandKey[];
  crashPoints: boolean;
  workflowsPath?: string;
}): Pick<BundleOptions, 'workflowsPath' | 'workflowInterceptorModules' | 'preloadModules' | 'webpackConfigHook'> {
  return {
    workflowsPath: options.workflowsPath ?? require.resolve('../workflows'),
    workflowInterceptorModules: workflowInterceptorModules({ crashPoints: options.crashPoints }),
    preloadModules: [...PRELOADED_WORKFLOW_MODULES],
    webpackConfigHook: withTrustedCommandKeys(options.trustedCommandKeys),
  };
}

/** The sink that lets a continue-as-new crash the worker; nothing without crash points. */
function crashSinks(crashPoints: CrashPoints | undefined): InjectedSinks<CrashSinks> | Record<string, never> {
  if (crashPoints === undefined) return {};
  return { crashPoints: { continueAsNew: { fn: () => crashPoints.maybeCrash('continue-as-new'), callDuringReplay: false } } };
}

/** Sinks and interceptors: workflow spans' sink always, tracing's activity spans and fault injection when on. */
function workerInterceptors(deps: AppWorkerDeps): Pick<WorkerOptions, 'sinks' | 'interceptors'> {
  const interceptors: NonNullable<WorkerOptions['interceptors']> = {
    ...(deps.tracing ? { activity: [activityTracing(deps.tracing)] } : {}),
    // A prebuilt bundle carries its workflow interceptors already (passed to bundleWorkflowCode).
    ...(deps.workflowBundle ? {} : { workflowModules: workflowInterceptorModules({ crashPoints: deps.crashPoints !== undefined }) }),
  };
  return { sinks: { ...workflowSpanSinks(deps.tracing), ...crashSinks(deps.crashPoints) }, interceptors };
}

/** The options the worker is created with: every case process, its activities and the worker's limits. */
export function appWorkerOptions(deps: AppWorkerDeps): WorkerOptions {
  // Outermost, so the hash chain seals the trace context each event leaves with.
  const eventStore = deps.tracing ? new TracedEventStore(deps.eventStore, deps.tracing.tracer) : deps.eventStore;
  const activities = {
    ...createEventActivities({
      eventStore,
      logger: deps.logger,
      ...(deps.crashPoints ? { crashPoints: deps.crashPoints } : {}),
      ...(deps.timerLateness ? { timerLateness: deps.timerLateness } : {}),
    }),
    ...createTransitionActivities({ eventStore }),
    ...createRegisterActivities({ eventStore }),
  };
  return {
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    activities,
    ...workerInterceptors(deps),
    ...(deps.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: deps.maxCachedWorkflows }),
    ...(deps.workflowBundle
      ? { workflowBundle: deps.workflowBundle }
      : {
          workflowsPath: require.resolve('../workflows'),
          bundlerOptions: {
            webpackConfigHook: withTrustedCommandKeys(deps.trustedCommandKeys),
            preloadModules: [...PRELOADED_WORKFLOW_MODULES],
          },
        }),
  };
}

/** The worker that runs every case process and its activities; activities get their dependencies here. */
export async function createAppWorker(deps: AppWorkerDeps): Promise<Worker> {
  return Worker.create(appWorkerOptions(deps));
}
