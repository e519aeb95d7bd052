import { fillStoreWithNocEvents, generateNocHistories } from '../../bench/fixtures';
import type { NocEvent } from '../../domain/noc/events';
import { foldNoc } from '../../domain/noc/evolve';
import { eventId } from '../../eventstore/envelope';
import { decode } from '../../eventstore/registry';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';

describe('the benchmark NOC fixtures', () => {
  it('fill a store with exactly the asked number of events, each one valid for the event registry', async () => {
    const store = await openSqliteEventStore({ path: ':memory:' });
    try {
      const result = await fillStoreWithNocEvents(store, 3000);
      expect(result.events).toBe(3000);
      expect(result.head.commit).toBe(3000n);
      const all = await store.readAll();
      expect(all).toHaveLength(3000);
      const decoded = all.map(decode);
      expect(new Set(decoded.map((e) => e.stream)).size).toBe(result.streams);
      // Every history starts with a request and ids follow the worker's derivation from stream and revision.
      for (const e of decoded) {
        expect(e.id).toBe(eventId(e.stream, e.revision));
        expect(e.metadata.correlationId).toBe(`noc:${e.stream.slice('noc-'.length)}`);
        if (e.revision === 0) expect(e.type).toBe('NocRequested');
      }
    } finally {
      await store.close();
    }
  });

  it('cover the NOC process: approvals, rejections, extensions, lapses, expiries, revocations and withdrawals', () => {
    const types = new Set<string>();
    const finals = new Set<string>();
    for (const h of generateNocHistories(20_000)) {
      for (const e of h.events) types.add(e.type);
      const state = foldNoc(h.events.map((e) => ({ type: e.type, data: e.data }) as NocEvent));
      finals.add(state.status);
    }
    expect([...types].sort()).toEqual(
      [
        'NocApproved',
        'NocExpired',
        'NocExpiryReminderDue',
        'NocExtensionApproved',
        'NocExtensionRejected',
        'NocExtensionRequested',
        'NocInformationProvided',
        'NocInformationRequested',
        'NocLapsed',
        'NocRecommended',
        'NocRejected',
        'NocRequested',
        'NocReviewStarted',
        'NocRevoked',
        'NocWithdrawn',
      ].sort(),
    );
    expect([...finals]).toEqual(expect.arrayContaining(['expired', 'rejected', 'lapsed', 'revoked', 'withdrawn']));
  });

  it('produce the same histories for the same seed', () => {
    const a = [...generateNocHistories(500, { seed: 42 })];
    const b = [...generateNocHistories(500, { seed: 42 })];
    expect(b).toEqual(a);
  });
});
