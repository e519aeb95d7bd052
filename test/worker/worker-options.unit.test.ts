import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NativeConnection } from '@temporalio/worker';
import pino from 'pino';
import { ConfigError, loadConfig } from '../../config/config';
import type { EventStore } from '../../eventstore/port';
import { appWorkerOptions, PRELOADED_WORKFLOW_MODULES, type AppWorkerDeps } from '../../worker/create-worker';
import { FakeEventStore } from '../api/fakes';

/**
 * Issue 14 follow-up: the worker's workflow cache is bounded by configuration
 * (WORKER_MAX_CACHED_WORKFLOWS), not by the SDK's heap-derived default, which let a soak run's open
 * NOCs outgrow the heap. The options are built without a server, so this needs no Temporal.
 */
const deps = (maxCachedWorkflows?: number): AppWorkerDeps => ({
  connection: {} as NativeConnection,
  namespace: 'cloud-office',
  taskQueue: 'cloud-office',
  eventStore: new FakeEventStore() as unknown as EventStore,
  logger: pino({ level: 'silent' }),
  trustedCommandKeys: [],
  workflowBundle: { code: '' },
  maxCachedWorkflows,
});

describe('the worker workflow cache bound', () => {
  it('defaults WORKER_MAX_CACHED_WORKFLOWS to 400 and reads a given value', () => {
    expect(loadConfig({}).worker).toEqual({ maxCachedWorkflows: 400 });
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '120' }).worker).toEqual({ maxCachedWorkflows: 120 });
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '0' }).worker).toEqual({ maxCachedWorkflows: 0 });
  });

  it('refuses a bound the SDK would not take as given (1, negative, not a number), naming the variable', () => {
    for (const bad of ['1', '-5', 'lots', '2.5']) {
      expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: bad })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
    }
  });

  it("passes the configured bound to the worker as maxCachedWorkflows, and leaves the SDK's default when none is given", () => {
    const configured = loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '321' });
    expect(appWorkerOptions(deps(configured.worker.maxCachedWorkflows))).toMatchObject({ maxCachedWorkflows: 321, taskQueue: 'cloud-office' });
    expect(appWorkerOptions(deps())).not.toHaveProperty('maxCachedWorkflows');
  });

  it('gives the worker every activity the case processes call', () => {
    expect(Object.keys(appWorkerOptions(deps(500)).activities ?? {})).toEqual(expect.arrayContaining(['appendCaseEvents']));
  });
});

/** Every module specifier a TypeScript file under `dir` imports from packages matching `prefix`. */
function importsUnder(dir: string, prefix: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const source = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const match of source.matchAll(/from '([^']+)'/g)) if (match[1]?.startsWith(prefix)) found.add(match[1]);
  }
  return found;
}

describe('the modules the workflows share in a worker thread', () => {
  const root = resolve(__dirname, '../..');
  const preloaded = resolve(root, 'workflows/shared/preloaded-modules.ts');

  it('are preloaded by a worker that bundles the workflows itself', () => {
    const { workflowBundle: _prebuilt, ...own } = deps(500);
    expect(PRELOADED_WORKFLOW_MODULES).toEqual([preloaded]);
    expect(appWorkerOptions(own).bundlerOptions?.preloadModules).toEqual([preloaded]);
  });

  it('include every noble crypto module the domain imports, so no workflow builds its own ed25519 table', () => {
    const used = importsUnder(resolve(root, 'domain'), '@noble/');
    expect(used.size).toBeGreaterThan(0);
    expect(importsUnder(resolve(root, 'workflows/shared'), '@noble/')).toEqual(used);
  });
});
