import type { AppConfig } from '../config/config';
import { EsdbEventStore } from './esdb/esdb-event-store';
import { HashChainedEventStore } from './integrity/hash-chain';
import type { EventStore } from './port';
import { openSqliteEventStore } from './sqlite/sqlite-event-store';

export { EsdbEventStore } from './esdb/esdb-event-store';
export { SqliteEventStore, openSqliteEventStore, type SqliteEventStoreOptions } from './sqlite/sqlite-event-store';

/** The configured event store: the embedded SQLite file by default, EventStoreDB when configured. */
export async function createEventStore(config: AppConfig['eventStore'], opts: { pollMs?: number } = {}): Promise<EventStore> {
  // Every event is written into its stream's hash chain, so that later tampering can be found.
  return new HashChainedEventStore(await openAdapter(config, opts));
}

async function openAdapter(config: AppConfig['eventStore'], opts: { pollMs?: number }): Promise<EventStore> {
  switch (config.kind) {
    case 'sqlite':
      return openSqliteEventStore({ path: config.path, synchronous: config.synchronous, pollMs: opts.pollMs });
    case 'eventstoredb':
      return new EsdbEventStore(config.url);
  }
}
export { HashChainedEventStore, verifyStreamChain } from './integrity/hash-chain';
