import pino from 'pino';
import { createEventActivities, type AppendCaseEventsInput } from '../../activities/event-activities';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import type { EventStore } from '../../eventstore/port';
import { pse } from '../support/actors';

const requested = {
  type: 'NocRequested',
  data: {
    nocId: 'N1',
    pseId: 'pse-moitt',
    jurisdiction: 'federal',
    deviation: 'other',
    description: 'A deviation',
    justification: 'A reason',
    dataClass: 'public',
    systems: ['payroll'],
    requestedMonths: 6,
    requestedBy: 'u-pse',
    requestedAt: '2026-01-01T00:00:00.000Z',
  },
};

const input = (over: Partial<AppendCaseEventsInput> = {}): AppendCaseEventsInput => ({
  stream: 'noc-N1',
  expectedRevision: -1,
  events: [requested],
  actor: pse(),
  occurredAt: '2026-01-01T00:00:00.000Z',
  correlationId: 'noc:N1',
  causationId: 'cmd-1',
  policyVersion: 'p1',
  ...over,
});

describe('the appendCaseEvents activity', () => {
  let store: EventStore;
  beforeEach(async () => {
    store = await openSqliteEventStore({ path: ':memory:' });
  });
  afterEach(() => store.close());

  it('writes a retried append only once, since event ids derive from stream and revision', async () => {
    const { appendCaseEvents } = createEventActivities({ eventStore: store, logger: pino({ level: 'silent' }) });
    const first = await appendCaseEvents(input());
    const retried = await appendCaseEvents(input());
    expect(retried).toEqual(first);
    const events = await store.readStream('noc-N1');
    expect(events).toHaveLength(1);
    expect(events[0]?.metadata).toMatchObject({ correlationId: 'noc:N1', causationId: 'cmd-1', policyVersion: 'p1', schemaVersion: 1 });
  });

  it('crashes at the armed point only, and the attempt after a crash that followed the append writes nothing twice', async () => {
    const crashes: string[] = [];
    const crashPoints = {
      maybeCrash(point: string) {
        if (point === 'after-append' && crashes.length === 0) {
          crashes.push(point);
          // What the worker's death looks like to the caller: no answer.
          throw new Error('killed after the append');
        }
      },
    };
    const { appendCaseEvents } = createEventActivities({ eventStore: store, logger: pino({ level: 'silent' }), crashPoints });
    await expect(appendCaseEvents(input())).rejects.toThrow('killed after the append');
    expect(await appendCaseEvents(input())).toMatchObject({ revision: 0 });
    expect(crashes).toEqual(['after-append']);
    expect(await store.readStream('noc-N1')).toHaveLength(1);
  });

  it('refuses, without retrying, an append that conflicts with what another writer stored', async () => {
    const { appendCaseEvents } = createEventActivities({ eventStore: store, logger: pino({ level: 'silent' }) });
    await appendCaseEvents(input());
    const conflicting = appendCaseEvents(input({ events: [{ ...requested, data: { ...requested.data, nocId: 'N2' } }], causationId: 'cmd-2' }));
    // Same position, same derived id, different content is still the same id: it is treated as the retry it claims to be.
    await expect(conflicting).resolves.toMatchObject({ revision: 0 });
    await expect(appendCaseEvents(input({ expectedRevision: 5 }))).rejects.toMatchObject({ type: 'WRONG_EXPECTED_REVISION', nonRetryable: true });
    expect(await store.readStream('noc-N1')).toHaveLength(1);
  });

  it('refuses an event whose data does not match its schema, writing nothing', async () => {
    const { appendCaseEvents } = createEventActivities({ eventStore: store, logger: pino({ level: 'silent' }) });
    await expect(appendCaseEvents(input({ events: [{ type: 'NocRequested', data: { nocId: 'N1' } }] }))).rejects.toMatchObject({
      type: 'EVENT_SCHEMA_INVALID', nonRetryable: true,
    });
    await expect(appendCaseEvents(input({ events: [{ type: 'NocInvented', data: {} }] }))).rejects.toMatchObject({ type: 'EVENT_SCHEMA_UNKNOWN' });
    expect(await store.readStream('noc-N1')).toHaveLength(0);
  });
});
