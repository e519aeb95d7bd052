import type { EventStore, Position, RecordedEvent } from '../../eventstore/port';
import { deferred, events, ids, pause, waitFor, type ContractWorld } from './contract-support';

/** Subscriptions to all streams: catching up, going live, and what a failing handler does. */
export function subscriptionContract(world: ContractWorld): void {
  const { newStream, open } = world;
  describe('subscriptions to all streams', () => {
    let store: EventStore;
    beforeEach(() => {
      store = world.store();
    });

    function collect(streams: Set<string>, after?: Position) {
      const seen: RecordedEvent[] = [];
      const state = { caughtUp: 0, seenAtCaughtUp: -1, errors: [] as Error[] };
      const sub = store.subscribeToAll({
        after,
        onEvent: (e) => {
          if (streams.has(e.stream)) seen.push(e);
        },
        onCaughtUp: () => {
          state.caughtUp += 1;
          state.seenAtCaughtUp = seen.length;
        },
        onError: (err) => state.errors.push(err),
      });
      open.push(sub);
      return { seen, state, sub };
    }

    it('replays from its checkpoint, reports catching up once, then delivers new events live', async () => {
      const stream = newStream('sub');
      const head = await store.headPosition();
      const replayed = events(3);
      await store.append(stream, replayed, 'no-stream');
      const { seen, state } = collect(new Set([stream]), head);
      await waitFor(() => state.caughtUp > 0, 'catching up');
      expect(state.seenAtCaughtUp).toBe(3);
      expect(ids(seen)).toEqual(ids(replayed));

      const live = events(2, 'live');
      await store.append(stream, live.slice(0, 1), 2);
      await store.append(stream, live.slice(1), 3);
      await waitFor(() => seen.length === 5, 'the live events');
      expect(ids(seen)).toEqual([...ids(replayed), ...ids(live)]);
      expect(seen.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
      expect(state.caughtUp).toBe(1);
      expect(state.errors).toEqual([]);
    });

    it('resumed from a checkpoint, delivers only the events after it', async () => {
      const stream = newStream('resume');
      await store.append(stream, events(4), 'no-stream');
      const read = await store.readStream(stream);
      const { seen, state } = collect(new Set([stream]), read[1]!.position);
      await waitFor(() => state.caughtUp > 0, 'catching up');
      expect(seen.map((e) => e.revision)).toEqual([2, 3]);
      expect(seen).toEqual(read.slice(2));
    });

    it('reports catching up at once when there is nothing to replay, then delivers what comes', async () => {
      const stream = newStream('from-head');
      await store.append(stream, events(2), 'no-stream');
      const { seen, state } = collect(new Set([stream]), await store.headPosition());
      await waitFor(() => state.caughtUp > 0, 'catching up');
      expect(seen).toEqual([]);
      await store.append(stream, events(1, 'live'), 1);
      await waitFor(() => seen.length === 1, 'the live event');
      expect(seen[0]?.revision).toBe(2);
    });

    it('replays more events than fit in one page, in order', async () => {
      const stream = newStream('pages');
      const head = await store.headPosition();
      const written: string[] = [];
      for (let i = 0; i < 13; i++) {
        const batch = events(100, `p${i}-`);
        await store.append(stream, batch, i === 0 ? 'no-stream' : i * 100 - 1);
        written.push(...ids(batch));
      }
      const { seen, state } = collect(new Set([stream]), head);
      await waitFor(() => state.caughtUp > 0, 'catching up', 20_000);
      expect(ids(seen)).toEqual(written);
    });

    it('hands events to the handler one at a time, in log order, waiting for each', async () => {
      const a = newStream('serial-a');
      const b = newStream('serial-b');
      const head = await store.headPosition();
      const seen: string[] = [];
      let inFlight = 0;
      let maxInFlight = 0;
      const sub = store.subscribeToAll({
        after: head,
        onEvent: async (e) => {
          if (e.stream !== a && e.stream !== b) return;
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await pause(2);
          seen.push(e.id);
          inFlight -= 1;
        },
      });
      open.push(sub);
      const written: string[] = [];
      for (let i = 0; i < 5; i++) {
        const ea = events(2, `a${i}-`);
        const eb = events(1, `b${i}-`);
        await store.append(a, ea, i === 0 ? 'no-stream' : i * 2 - 1);
        await store.append(b, eb, i === 0 ? 'no-stream' : i - 1);
        written.push(...ids(ea), ...ids(eb));
      }
      await waitFor(() => seen.length === written.length, 'every event');
      expect(seen).toEqual(written);
      expect(maxInFlight).toBe(1);
    });

    it('on close waits for the handler in flight and then delivers nothing more', async () => {
      const stream = newStream('close');
      const head = await store.headPosition();
      const gate = deferred();
      const seen: RecordedEvent[] = [];
      let handlerDone = false;
      const sub = store.subscribeToAll({
        after: head,
        onEvent: async (e) => {
          if (e.stream !== stream) return;
          seen.push(e);
          await gate.promise;
          handlerDone = true;
        },
      });
      await store.append(stream, events(3), 'no-stream');
      await waitFor(() => seen.length === 1, 'the first event');
      let closed = false;
      const closing = sub.close().then(() => {
        closed = true;
      });
      await pause(20);
      expect(closed).toBe(false);
      gate.resolve();
      await closing;
      expect(handlerDone).toBe(true);
      await store.append(stream, events(1, 'after'), 2);
      await pause(150);
      expect(seen).toHaveLength(1);
    });

    it('stops at a handler error and reports it, delivering nothing after', async () => {
      const stream = newStream('error');
      const head = await store.headPosition();
      const seen: RecordedEvent[] = [];
      const errors: Error[] = [];
      const boom = new Error('projection failed');
      const sub = store.subscribeToAll({
        after: head,
        onEvent: (e) => {
          if (e.stream !== stream) return;
          seen.push(e);
          if (e.revision === 1) throw boom;
        },
        onError: (err) => errors.push(err),
      });
      open.push(sub);
      await store.append(stream, events(3), 'no-stream');
      await waitFor(() => errors.length > 0, 'the error');
      expect(errors).toEqual([boom]);
      await store.append(stream, events(1, 'after'), 2);
      await pause(150);
      expect(seen.map((e) => e.revision)).toEqual([0, 1]);
    });
  });
}
