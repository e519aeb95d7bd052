import { fork } from 'node:child_process';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { TrustedCommandKey } from '../domain/shared/signed-command';
import { appBundleOptions } from './create-worker';

/** What a bundle of the app's workflows is built from: the keys its seals verify against, and whether crash points are armed. */
export interface AppBundleRequest {
  trustedCommandKeys: readonly TrustedCommandKey[];
  crashPoints: boolean;
}

const noop = (): void => undefined;
/** Webpack's progress is noise in a worker's log; its errors are not. */
const bundlerLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };

/** The app's workflows bundled in this process, as every worker bundles them. */
export async function bundleAppWorkflows(request: AppBundleRequest): Promise<string> {
  const { code } = await bundleWorkflowCode({ ...appBundleOptions(request), logger: bundlerLogger });
  return code;
}

/**
 * The app's workflows bundled in a short-lived child process (worker/bundle-child.ts).
 *
 * Bundling runs webpack and a TypeScript compiler, which leave a few hundred MB in the heap of the process
 * that ran them (measured: the worker's resident memory went from 180 MB to 530 MB on bundling alone, and
 * stayed there). In a child that exits, that memory is returned, and the worker keeps only the bundle.
 * The child inherits this process's Node flags (the TypeScript loader among them).
 */
export function bundleInChildProcess(request: AppBundleRequest): Promise<WorkflowBundle> {
  return new Promise((resolve, reject) => {
    const child = fork(require.resolve('./bundle-child'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let code: string | undefined;
    child.on('message', (message: unknown) => {
      if (typeof message === 'object' && message !== null && typeof (message as { code?: unknown }).code === 'string') {
        code = (message as { code: string }).code;
      }
    });
    child.on('error', reject);
    child.on('exit', (status, signal) => {
      if (code !== undefined) resolve({ code });
      else reject(new Error(`bundling the workflows failed in its child process (exit ${status ?? signal})`));
    });
    child.send(request);
  });
}
