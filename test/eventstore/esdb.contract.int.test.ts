import { EsdbEventStore } from '../../eventstore/esdb/esdb-event-store';
import { describeEventStoreContract } from './contract';

const url = process.env.EVENTSTORE_URL;

if (!url) {
  console.warn(
    'EventStoreDB contract suite skipped: EVENTSTORE_URL is not set (no EventStoreDB server on this machine; docker run --rm -p 127.0.0.1:2113:2113 eventstore/eventstore:24.10 --insecure starts a throwaway one)',
  );
}

// The same contract as SQLite's, every case of it; skipped (and reported as skipped) without a server.
(url ? describe : describe.skip)('EventStoreDB event store', () => {
  // EventStoreDB checks event ids against the stream and revision an append names, not the whole log.
  describeEventStoreContract('EventStoreDB', async () => new EsdbEventStore(url as string), { globallyUniqueEventIds: false });
});
