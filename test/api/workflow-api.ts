import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { CommandSigning } from '../../api/command-signing';
import type { ApiDeps } from '../../api/deps';
import { buildApi } from '../../api/server';
import { loadConfig, type AppConfig } from '../../config/config';
import type { EventStore } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import type { AccountInput } from '../../identity/schemas';
import { testSigning } from '../support/command-keys';
import { createTestIdentity, seedEnrolledAccount } from '../support/identity';
import { devServerEnv, startTestWorker } from '../support/temporal';
import { FakeNocQueries } from './fakes';
import { HEALTHY, PASSWORD } from './harness';

/**
 * The API over the real processes: the Temporal dev server, a worker of the app on its own task queue
 * and an in-memory SQLite store, with the given accounts enrolled. The NOC register is an empty fake,
 * so reads go through the processes themselves.
 */
export interface WorkflowApi<Who extends string> {
  env: TestWorkflowEnvironment;
  app: FastifyInstance;
  /** The event store the worker appends to. */
  store: EventStore;
  /** Bearer tokens of the accounts, by their key. */
  tokens: Record<Who, string>;
  close(): Promise<void>;
}

export async function startWorkflowApi<Accounts extends Record<string, Omit<AccountInput, 'password'>>>(options: {
  taskQueue: string;
  accounts: Accounts;
  /** The gateways under test, over the environment; may start processes before the API is built. */
  deps: (world: { env: TestWorkflowEnvironment; config: AppConfig; signing: CommandSigning; store: EventStore }) => Promise<Partial<ApiDeps> & Pick<ApiDeps, 'nocGateway'>>;
}): Promise<WorkflowApi<keyof Accounts & string>> {
  type Who = keyof Accounts & string;
  let env: TestWorkflowEnvironment | undefined;
  let store: EventStore | undefined;
  let stopWorker: (() => Promise<void>) | undefined;
  let identity: Awaited<ReturnType<typeof createTestIdentity>> | undefined;
  let app: FastifyInstance | undefined;
  const close = async (): Promise<void> => {
    await app?.close();
    await stopWorker?.();
    await store?.close();
    identity?.close();
    await env?.teardown();
  };
  try {
    env = await devServerEnv();
    store = await openSqliteEventStore({ path: ':memory:' });
    const { worker, run } = await startTestWorker(env, store, options.taskQueue);
    stopWorker = async () => {
      worker.shutdown();
      await run;
    };
    identity = await createTestIdentity({ store });
    const tokens = {} as Record<Who, string>;
    for (const [who, account] of Object.entries(options.accounts) as [Who, Accounts[Who]][]) {
      tokens[who] = (await seedEnrolledAccount(identity, { ...account, password: PASSWORD })).token;
    }
    const base = loadConfig({});
    const config = { ...base, temporal: { ...base.temporal, taskQueue: options.taskQueue } };
    app = buildApi({
      config,
      identity,
      nocQueries: new FakeNocQueries(),
      eventStore: store,
      health: async () => HEALTHY,
      logger: pino({ level: 'silent' }),
      ...(await options.deps({ env, config, signing: testSigning(), store })),
    });
    await app.ready();
    return { env, app, store, tokens, close };
  } catch (err) {
    await close();
    throw err;
  }
}
