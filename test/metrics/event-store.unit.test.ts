import { MeasuredEventStore, streamCategory } from '../../metrics/event-store';
import { createProcessRegistry } from '../../metrics/registry';
import { HashChainedEventStore, verifyStreamChain } from '../../eventstore/integrity/hash-chain';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { WrongExpectedRevisionError, type EventToAppend } from '../../eventstore/port';
import { eventId } from '../../eventstore/envelope';
import { pse } from '../support/actors';
import { parseExposition, valueOf } from '../support/prometheus';

const note = (stream: string, revision: number): EventToAppend => ({
  id: eventId(stream, revision),
  type: 'CaseNoteAdded',
  data: { text: `note ${revision}` },
  metadata: { schemaVersion: 1, actor: pse(), occurredAt: '2026-01-01T00:00:00.000Z', correlationId: 'c', causationId: 'c', policyVersion: 'p' },
});

describe('the measured event store', () => {
  it('times every append by stream category and outcome and counts the events written', async () => {
    const registry = createProcessRegistry('worker', { defaults: false });
    const store = new MeasuredEventStore(new HashChainedEventStore(await openSqliteEventStore({ path: ':memory:' })), registry);
    await store.append('noc-N1', [note('noc-N1', 0), note('noc-N1', 1)], 'no-stream');
    await store.append('noc-N2', [note('noc-N2', 0)], 'no-stream');
    await expect(store.append('noc-N1', [note('noc-N1', 2)], 'no-stream')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    const written = await store.readStream('noc-N1');
    expect(written).toHaveLength(2);
    // Measuring sits outside the chain: the appends it timed were linked as unmeasured ones are.
    expect(written.every((e) => e.metadata.integrity !== undefined)).toBe(true);
    expect(verifyStreamChain('noc-N1', written)).toBeUndefined();
    await store.close();

    const samples = parseExposition(await registry.metrics());
    expect(valueOf(samples, 'cloud_office_eventstore_append_duration_seconds_count', { category: 'noc', outcome: 'ok' })).toBe(2);
    expect(valueOf(samples, 'cloud_office_eventstore_append_duration_seconds_count', { category: 'noc', outcome: 'error' })).toBe(1);
    expect(valueOf(samples, 'cloud_office_eventstore_appended_events_total', { category: 'noc' })).toBe(3);
  });

  it('labels by the category before the first dash of the stream name', () => {
    expect(streamCategory('noc-2026-0001')).toBe('noc');
    expect(streamCategory('accounts')).toBe('accounts');
  });
});
