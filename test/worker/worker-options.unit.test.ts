import type { NativeConnection } from '@temporalio/worker';
import pino from 'pino';
import { ConfigError, loadConfig } from '../../config/config';
import type { EventStore } from '../../eventstore/port';
import { appWorkerOptions, type AppWorkerDeps } from '../../worker/create-worker';
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
  it('defaults WORKER_MAX_CACHED_WORKFLOWS to 500 and reads a given value', () => {
    expect(loadConfig({}).worker).toEqual({ maxCachedWorkflows: 500 });
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
