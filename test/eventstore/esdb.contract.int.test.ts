import { EsdbEventStore } from '../../eventstore/esdb/esdb-event-store';
import { describeEventStoreContract } from './contract';

const url = process.env.EVENTSTORE_URL;

if (url) {
  // EventStoreDB checks event ids against the stream and revision an append names, not the whole log.
  describeEventStoreContract('EventStoreDB', async () => new EsdbEventStore(url), { globallyUniqueEventIds: false });
} else {
  console.warn(
    'EventStoreDB contract suite skipped: EVENTSTORE_URL is not set (no EventStoreDB server on this machine; docker-compose up eventstoredb starts one)',
  );
  describe.skip('EventStoreDB event store (contract)', () => {
    it.skip('runs the event store contract against EventStoreDB when EVENTSTORE_URL is set', () => undefined);
  });
}
