import { bundleAppWorkflows, type AppBundleRequest } from './bundle';

/**
 * The child process worker/bundle.ts forks to bundle the workflows: takes one request over IPC, answers
 * with the bundle's code and exits, taking the bundler's memory with it.
 */
process.once('message', (request: AppBundleRequest) => {
  bundleAppWorkflows(request)
    .then((code) => process.send?.({ code }, () => process.exit(0)))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
});
