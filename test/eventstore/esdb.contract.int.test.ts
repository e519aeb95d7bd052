import { ANY, NO_STREAM, STREAM_EXISTS, type RecordedEvent as EsdbRecordedEvent } from '@eventstore/db-client';
import type { EventMetadata } from '../../eventstore/envelope';
import { EsdbEventStore } from '../../eventstore/esdb/esdb-event-store';
import { fromEsdbRecorded, isSystemEventType, toEsdbExpectedRevision } from '../../eventstore/esdb/mapping';
import { fromEsdbMetadata, toEsdbMetadata } from '../../eventstore/esdb/metadata';
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

/** What the adapter sends and reads back needs no server: its translation runs here on every machine. */
describe('the EventStoreDB adapter’s translation, without a server', () => {
  const metadata: EventMetadata = {
    schemaVersion: 1,
    correlationId: 'noc:NOC-1',
    causationId: 'cmd-1',
    actor: { userId: 'u-rev', name: 'Rania Reviewer', role: 'reviewer', jurisdiction: 'federal' },
    occurredAt: '2026-12-06T00:00:00.000Z',
    policyVersion: 'cloud-first-2022/noc-1',
    command: { type: 'StartReview', commandId: 'cmd-1', actor: { userId: 'u-rev' }, data: {}, seal: { keyId: 'k1', signature: 'c2ln' } },
  };

  it('carries the correlation and causation ids under the keys EventStoreDB reads, and the signed command unchanged', () => {
    const sent = toEsdbMetadata(metadata);
    expect(sent).toMatchObject({ $correlationId: 'noc:NOC-1', $causationId: 'cmd-1', command: metadata.command });
    expect(sent).not.toHaveProperty('correlationId');
    expect(fromEsdbMetadata(sent)).toEqual(metadata);
  });

  it('maps every expected revision to the client’s own', () => {
    expect([toEsdbExpectedRevision('no-stream'), toEsdbExpectedRevision('stream-exists'), toEsdbExpectedRevision('any')]).toEqual([NO_STREAM, STREAM_EXISTS, ANY]);
    expect(toEsdbExpectedRevision(4)).toBe(4n);
  });

  it('reads a recorded event back into the port’s shape, and refuses one without a log position', () => {
    const recorded = {
      id: 'e-1',
      streamId: 'noc-NOC-1',
      revision: 3n,
      position: { commit: 10n, prepare: 9n },
      type: 'NocReviewStarted',
      data: { by: 'u-rev' },
      metadata: toEsdbMetadata(metadata),
      isJson: true,
      created: new Date('2026-12-06T00:00:01.000Z'),
    } as unknown as EsdbRecordedEvent;
    expect(fromEsdbRecorded(recorded)).toEqual({
      id: 'e-1',
      stream: 'noc-NOC-1',
      revision: 3,
      position: { commit: 10n, prepare: 9n },
      type: 'NocReviewStarted',
      data: { by: 'u-rev' },
      metadata,
      recordedAt: '2026-12-06T00:00:01.000Z',
    });
    expect(() => fromEsdbRecorded({ ...recorded, position: undefined } as unknown as EsdbRecordedEvent)).toThrow(/without its log position/);
    expect([isSystemEventType('$statsCollected'), isSystemEventType('NocApproved')]).toEqual([true, false]);
  });
});
