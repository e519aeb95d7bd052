import type { ReplayWorkerOptions } from '@temporalio/worker';
import { withTrustedCommandKeys } from '../../worker/command-keys-bundle';
import { PRELOADED_WORKFLOW_MODULES, workflowInterceptorModules } from '../../worker/create-worker';
import { workflowSpanSinks } from '../../tracing/temporal';
import { TEST_TRUSTED_COMMAND_KEYS } from './command-keys';

/**
 * A replaying worker bundled as the tests' worker bundles: histories recorded with seals replay under the
 * tests' key, with the workflow interceptors every worker bundles (tracing's, whether on or off), tracing
 * off (its span sink dropping spans) and the modules every worker preloads.
 */
export function replayWorkerOptions(workflowsPath: string, replayName: string): ReplayWorkerOptions {
  return {
    workflowsPath,
    replayName,
    bundlerOptions: { webpackConfigHook: withTrustedCommandKeys(TEST_TRUSTED_COMMAND_KEYS), preloadModules: [...PRELOADED_WORKFLOW_MODULES] },
    interceptors: { workflowModules: workflowInterceptorModules({ crashPoints: false }) },
    sinks: workflowSpanSinks(undefined),
  };
}
