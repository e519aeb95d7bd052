/**
 * The event store contract: the behaviour both adapters must show, EventStoreDB's semantics. Each
 * adapter's test file runs it against a fresh store; streams get a random suffix so that runs against a
 * long-lived EventStoreDB never meet a stream written before.
 */
import { randomUUID } from 'node:crypto';
import type { EventStore, Subscription } from '../../eventstore/port';
import { appendContract } from './contract-appends';
import { readContract } from './contract-reads';
import { subscriptionContract } from './contract-subscriptions';
import type { ContractWorld } from './contract-support';

export interface ContractOptions {
  /**
   * Whether an event id may appear only once in the whole log. The SQLite store enforces it (the
   * events table has a unique id); EventStoreDB checks ids only against the stream and revision the
   * append names, from a bounded cache, and writes a reused id again elsewhere.
   */
  globallyUniqueEventIds?: boolean;
}

export function describeEventStoreContract(name: string, makeStore: () => Promise<EventStore>, options: ContractOptions = {}): void {
  const runId = randomUUID().slice(0, 8);
  let counter = 0;
  let store: EventStore | undefined;
  const world: ContractWorld = {
    store: () => {
      if (!store) throw new Error('No store: the contract runs only inside its tests');
      return store;
    },
    newStream: (label) => `contract-${label}-${runId}-${++counter}`,
    newCategory: () => `cat${runId.replace(/-/g, '')}${++counter}`,
    open: [] as Subscription[],
    uniqueIds: options.globallyUniqueEventIds ?? true,
  };

  describe(`${name} event store (contract)`, () => {
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await Promise.all(world.open.splice(0).map((s) => s.close()));
      await store?.close();
    });

    appendContract(world);
    readContract(world);
    subscriptionContract(world);
  });
}
