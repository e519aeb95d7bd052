import { Worker } from 'node:worker_threads';

/**
 * A worker thread running the module `path` names without its extension: the compiled `.js`, or, when
 * the caller itself runs as TypeScript source (under tsx: npm run dev, jest), the `.ts` source through
 * tsx's require hook, which a new thread does not inherit from the one that starts it.
 */
export function startModuleThread(path: string, callerFile: string, workerData: unknown): Worker {
  if (!callerFile.endsWith('.ts')) return new Worker(`${path}.js`, { workerData });
  const source = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();\nrequire(${JSON.stringify(`${path}.ts`)});`;
  return new Worker(source, { eval: true, workerData });
}
