import { generateNocHistories } from '../../bench/fixtures';
import { NOC_EVENT_TYPES, type NocEvent } from '../../domain/noc/events';
import { evolveNoc } from '../../domain/noc/evolve';
import type { NocState } from '../../domain/noc/state';
import { decode } from '../../eventstore/registry';
import { NOC_STATUS_AFTER, asNocEvent, isNocEventType, nocIdOf } from '../../projections/noc/noc-events';

describe('the NOC projections’ reading of events', () => {
  it('give every event type the status the domain’s evolve gives it', () => {
    const seen = new Set<string>();
    let checked = 0;
    let stream = '';
    let state: NocState = { status: 'none' };
    for (const history of generateNocHistories(6000, { seed: 7 })) {
      for (const [i, envelope] of history.events.entries()) {
        if (history.stream !== stream) {
          stream = history.stream;
          state = { status: 'none' };
        }
        const event = { type: envelope.type, data: envelope.data } as NocEvent;
        const next = evolveNoc(state, event);
        const expected = NOC_STATUS_AFTER[event.type] ?? state.status;
        expect({ type: event.type, at: `${history.stream}@${i}`, status: expected }).toEqual({
          type: event.type,
          at: `${history.stream}@${i}`,
          status: next.status,
        });
        seen.add(event.type);
        checked += 1;
        state = next;
      }
    }
    expect(checked).toBe(6000);
    expect([...seen].sort()).toEqual([...NOC_EVENT_TYPES].sort());
  });

  it('take the NOC id from the stream name, dashes in the id included', () => {
    expect(nocIdOf({ stream: 'noc-NOC-2025-0001' })).toBe('NOC-2025-0001');
    expect(() => nocIdOf({ stream: 'accreditation-A-1' })).toThrow(/not a NOC stream/);
  });

  it('tell NOC event types from others and refuse to treat another event as a NOC event', () => {
    expect(isNocEventType('NocApproved')).toBe(true);
    expect(isNocEventType('OfferingAccredited')).toBe(false);
    const [first] = generateNocHistories(1).next().value?.events ?? [];
    const recorded = decode({
      ...(first as NonNullable<typeof first>),
      stream: 'noc-NOC-0000000',
      revision: 0,
      position: { commit: 1n, prepare: 1n },
      recordedAt: '2025-01-01T00:00:00.000Z',
    });
    expect(asNocEvent(recorded).type).toBe('NocRequested');
    expect(() => asNocEvent({ ...recorded, type: 'OfferingAccredited' })).toThrow(/not a NOC event/);
  });
});
