/**
 * The event store contract: the behaviour both adapters must show, EventStoreDB's semantics. Each
 * adapter's test file runs it against a fresh store; streams get a random suffix so that runs against a
 * long-lived EventStoreDB never meet a stream written before.
 */
import { randomUUID } from 'node:crypto';
import { EventMetadata } from '../../eventstore/envelope';
import {
  WrongExpectedRevisionError,
  comparePositions,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type Position,
  type RecordedEvent,
  type Subscription,
} from '../../eventstore/port';

export interface ContractOptions {
  /**
   * Whether an event id may appear only once in the whole log. The SQLite store enforces it (the
   * events table has a unique id); EventStoreDB checks ids only against the stream and revision the
   * append names, from a bounded cache, and writes a reused id again elsewhere.
   */
  globallyUniqueEventIds?: boolean;
}

const metadata = (over: Partial<EventMetadata> = {}): EventMetadata => ({
  schemaVersion: 1,
  actor: { userId: 'u-contract', name: 'Rania Reviewer', role: 'reviewer', jurisdiction: 'federal' },
  occurredAt: '2026-03-01T09:30:00.000Z',
  correlationId: 'noc:contract',
  causationId: 'cmd-contract',
  policyVersion: 'noc-policy-2026.1',
  ...over,
});

const event = (label: string, data: Record<string, unknown> = {}, meta: Partial<EventMetadata> = {}): EventToAppend => ({
  id: randomUUID(),
  type: 'ContractTested',
  data: { label, ...data },
  metadata: metadata(meta),
});

const events = (n: number, prefix = 'e'): EventToAppend[] => Array.from({ length: n }, (_, i) => event(`${prefix}${i}`));

const ids = (list: readonly { id: string }[]): string[] => list.map((e) => e.id);

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export function describeEventStoreContract(name: string, makeStore: () => Promise<EventStore>, options: ContractOptions = {}): void {
  const uniqueIds = options.globallyUniqueEventIds ?? true;
  const runId = randomUUID().slice(0, 8);
  let counter = 0;
  /** A stream name no earlier test or run has used. */
  const newStream = (label: string) => `contract-${label}-${runId}-${++counter}`;

  describe(`${name} event store (contract)`, () => {
    let store: EventStore;
    const open: Subscription[] = [];

    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
      await store.close();
    });

    /** Appends one event at a time, each expecting the previous revision, as EventStoreDB's own tests do. */
    async function appendOneByOne(stream: string, list: readonly EventToAppend[]): Promise<void> {
      for (const [i, e] of list.entries()) await store.append(stream, [e], i === 0 ? 'no-stream' : i - 1);
    }

    async function expectWrongRevision(
      promise: Promise<unknown>,
      stream: string,
      expected: ExpectedRevision,
      actual: number | 'no-stream',
    ): Promise<void> {
      const err = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WrongExpectedRevisionError);
      expect(err).toMatchObject({ code: 'WRONG_EXPECTED_REVISION', stream, expected, actual });
    }

    describe('expected revisions', () => {
      it('appends to a new stream with no-stream and numbers its events from revision zero', async () => {
        const stream = newStream('new');
        const batch = events(3);
        const result = await store.append(stream, batch, 'no-stream');
        expect(result.nextExpectedRevision).toBe(2);
        const read = await store.readStream(stream);
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2]);
        expect(ids(read)).toEqual(ids(batch));
        expect(read.map((e) => e.type)).toEqual(['ContractTested', 'ContractTested', 'ContractTested']);
        expect(read.map((e) => e.data)).toEqual(batch.map((e) => e.data));
        expect(read.every((e) => e.stream === stream)).toBe(true);
      });

      it('appends after the revision of the last event when given that revision as a number', async () => {
        const stream = newStream('number');
        await store.append(stream, events(1), 'no-stream');
        const result = await store.append(stream, events(2, 'f'), 0);
        expect(result.nextExpectedRevision).toBe(2);
        expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2]);
      });

      it('refuses no-stream once the stream has events', async () => {
        const stream = newStream('exists');
        await store.append(stream, events(1), 'no-stream');
        await expectWrongRevision(store.append(stream, events(1, 'x'), 'no-stream'), stream, 'no-stream', 0);
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('refuses a numeric revision ahead of the stream, or on an absent stream', async () => {
        const stream = newStream('ahead');
        await expectWrongRevision(store.append(stream, events(1), 0), stream, 0, 'no-stream');
        await store.append(stream, events(1), 'no-stream');
        await expectWrongRevision(store.append(stream, events(1, 'x'), 5), stream, 5, 0);
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('refuses new events at a numeric revision behind the stream', async () => {
        const stream = newStream('behind');
        await store.append(stream, events(2), 'no-stream');
        await expectWrongRevision(store.append(stream, events(1, 'x'), 0), stream, 0, 1);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('with stream-exists refuses an absent stream and appends to an existing one', async () => {
        const stream = newStream('stream-exists');
        await expectWrongRevision(store.append(stream, events(1), 'stream-exists'), stream, 'stream-exists', 'no-stream');
        await store.append(stream, events(1), 'no-stream');
        const result = await store.append(stream, events(2, 'f'), 'stream-exists');
        expect(result.nextExpectedRevision).toBe(2);
      });

      it('with any appends whatever state the stream is in', async () => {
        const stream = newStream('any');
        expect((await store.append(stream, events(1), 'any')).nextExpectedRevision).toBe(0);
        expect((await store.append(stream, events(2, 'f'), 'any')).nextExpectedRevision).toBe(2);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('accepts an empty batch that only checks the revision and writes nothing', async () => {
        const stream = newStream('empty');
        await expect(store.append(stream, [], 'no-stream')).resolves.toMatchObject({ nextExpectedRevision: -1 });
        await expect(store.append(stream, [], 'any')).resolves.toMatchObject({ nextExpectedRevision: -1 });
        await expectWrongRevision(store.append(stream, [], 'stream-exists'), stream, 'stream-exists', 'no-stream');
        const written = await store.append(stream, events(1), 'no-stream');
        await expect(store.append(stream, [], 0)).resolves.toEqual(written);
        await expect(store.append(stream, [], 'stream-exists')).resolves.toEqual(written);
        await expectWrongRevision(store.append(stream, [], 'no-stream'), stream, 'no-stream', 0);
        await expectWrongRevision(store.append(stream, [], 3), stream, 3, 0);
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('returns the position of the last appended event, and positions grow with every append', async () => {
        const a = newStream('pos-a');
        const b = newStream('pos-b');
        const first = await store.append(a, events(2), 'no-stream');
        const second = await store.append(b, events(1), 'no-stream');
        const third = await store.append(a, events(1, 'f'), 1);
        expect(comparePositions(first.position, second.position)).toBeLessThan(0);
        expect(comparePositions(second.position, third.position)).toBeLessThan(0);
        const readA = await store.readStream(a);
        expect(readA[1]?.position).toEqual(first.position);
        expect(readA[2]?.position).toEqual(third.position);
        expect((await store.readStream(b))[0]?.position).toEqual(second.position);
        expect(comparePositions(readA[0]!.position, readA[1]!.position)).toBeLessThan(0);
      });
    });

    describe('idempotent retries (EventStoreDB cases)', () => {
      it('writes nothing when the same batch is retried with the same expected revision, and returns the first result', async () => {
        const stream = newStream('retry-batch');
        const batch = events(6);
        const first = await store.append(stream, batch, 'no-stream');
        await expect(store.append(stream, batch, 'no-stream')).resolves.toEqual(first);
        expect(ids(await store.readStream(stream))).toEqual(ids(batch));
      });

      it('recognises the first event retried with no-stream after five more were appended', async () => {
        const stream = newStream('0em1');
        const list = events(6);
        await appendOneByOne(stream, list);
        const [e0] = await store.readStream(stream, { maxCount: 1 });
        await expect(store.append(stream, [list[0]!], 'no-stream')).resolves.toEqual({ nextExpectedRevision: 0, position: e0!.position });
        expect(await store.readStream(stream)).toHaveLength(6);
      });

      it('recognises an event retried with any, wherever it sits in the stream, as often as it is retried', async () => {
        const stream = newStream('any-retry');
        const list = events(6);
        await appendOneByOne(stream, list);
        const read = await store.readStream(stream);
        await expect(store.append(stream, [list[0]!], 'any')).resolves.toEqual({ nextExpectedRevision: 0, position: read[0]!.position });
        await expect(store.append(stream, [list[1]!], 'any')).resolves.toEqual({ nextExpectedRevision: 1, position: read[1]!.position });
        await expect(store.append(stream, [list[1]!], 'any')).resolves.toEqual({ nextExpectedRevision: 1, position: read[1]!.position });
        expect(await store.readStream(stream)).toHaveLength(6);
      });

      it('recognises a retry with stream-exists of events already in the stream', async () => {
        const stream = newStream('exists-retry');
        const batch = events(2);
        const first = await store.append(stream, batch, 'no-stream');
        await expect(store.append(stream, batch, 'stream-exists')).resolves.toEqual(first);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('recognises a part of a written batch retried at the revision where that part starts', async () => {
        const stream = newStream('suffix');
        const batch = events(2);
        const first = await store.append(stream, batch, 'no-stream');
        await expect(store.append(stream, [batch[1]!], 0)).resolves.toEqual(first);
        await expect(store.append(stream, [batch[1]!], 'any')).resolves.toEqual(first);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('recognises the head of a written batch retried with no-stream or any', async () => {
        const stream = newStream('prefix');
        const batch = events(2);
        await store.append(stream, batch, 'no-stream');
        const [e0] = await store.readStream(stream, { maxCount: 1 });
        const expected = { nextExpectedRevision: 0, position: e0!.position };
        await expect(store.append(stream, [batch[0]!], 'no-stream')).resolves.toEqual(expected);
        await expect(store.append(stream, [batch[0]!], 'any')).resolves.toEqual(expected);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('returns the original position of a retried event even after later appends', async () => {
        const stream = newStream('late-retry');
        const e0 = event('e0');
        const first = await store.append(stream, [e0], 'no-stream');
        await store.append(stream, events(3, 'f'), 0);
        await store.append(newStream('elsewhere'), events(1), 'no-stream');
        await expect(store.append(stream, [e0], 'no-stream')).resolves.toEqual(first);
      });

      it('refuses a batch that repeats a written batch and adds an event to it', async () => {
        const stream = newStream('longer');
        const batch = events(2);
        await store.append(stream, batch, 'no-stream');
        await expectWrongRevision(store.append(stream, [...batch, event('e2')], 'no-stream'), stream, 'no-stream', 1);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('refuses a written batch retried with its events in another order', async () => {
        const stream = newStream('order');
        const batch = events(2);
        await store.append(stream, batch, 'no-stream');
        await expectWrongRevision(store.append(stream, [batch[1]!, batch[0]!], 'no-stream'), stream, 'no-stream', 1);
        expect(ids(await store.readStream(stream))).toEqual(ids(batch));
      });

      it('refuses a batch that starts like a written one and then differs', async () => {
        const stream = newStream('diverge');
        const batch = events(3);
        await store.append(stream, batch, 'no-stream');
        await expectWrongRevision(store.append(stream, [batch[0]!, event('other')], 'no-stream'), stream, 'no-stream', 2);
        expect(ids(await store.readStream(stream))).toEqual(ids(batch));
      });

      it('refuses an old event retried with a revision that does not point at it', async () => {
        const stream = newStream('0e4');
        const list = events(6);
        await appendOneByOne(stream, list);
        await expectWrongRevision(store.append(stream, [list[0]!], 4), stream, 4, 5);
        await expectWrongRevision(store.append(stream, [list[0]!], 6), stream, 6, 5);
        expect(await store.readStream(stream)).toHaveLength(6);
      });
    });

    (uniqueIds ? describe : describe.skip)('event ids unique across the log', () => {
      it('refuses an event id already written to another stream', async () => {
        const a = newStream('id-a');
        const b = newStream('id-b');
        const e = event('shared');
        await store.append(a, [e], 'no-stream');
        await expectWrongRevision(store.append(b, [e], 'no-stream'), b, 'no-stream', 'no-stream');
        await expectWrongRevision(store.append(b, [e], 'any'), b, 'any', 'no-stream');
        expect(await store.readStream(b)).toEqual([]);
      });

      it('refuses an event id already in the stream when appended at a new revision', async () => {
        const stream = newStream('0e0');
        const e0 = event('e0');
        await store.append(stream, [e0], 'no-stream');
        await expectWrongRevision(store.append(stream, [e0], 0), stream, 0, 0);
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('with any refuses written ids that are not consecutive in batch order', async () => {
        const stream = newStream('any-order');
        const batch = events(3);
        await store.append(stream, batch, 'no-stream');
        await expectWrongRevision(store.append(stream, [batch[1]!, batch[0]!], 'any'), stream, 'any', 2);
        await expectWrongRevision(store.append(stream, [batch[0]!, batch[2]!], 'any'), stream, 'any', 2);
        expect(ids(await store.readStream(stream))).toEqual(ids(batch));
      });

      it('refuses a batch of new events that ends with a written one, and writes none of it', async () => {
        const stream = newStream('atomic');
        const e0 = event('e0');
        await store.append(stream, [e0], 'no-stream');
        const fresh = event('fresh');
        await expectWrongRevision(store.append(stream, [fresh, e0], 'any'), stream, 'any', 0);
        await expectWrongRevision(store.append(stream, [fresh, e0], 0), stream, 0, 0);
        expect(ids(await store.readStream(stream))).toEqual([e0.id]);
        expect(ids(await store.readAll()).includes(fresh.id)).toBe(false);
      });
    });

    describe('reads', () => {
      it('reads a stream forwards from a revision, up to a maximum count', async () => {
        const stream = newStream('fwd');
        await store.append(stream, events(5), 'no-stream');
        expect((await store.readStream(stream, { fromRevision: 2 })).map((e) => e.revision)).toEqual([2, 3, 4]);
        expect((await store.readStream(stream, { maxCount: 2 })).map((e) => e.revision)).toEqual([0, 1]);
        expect((await store.readStream(stream, { fromRevision: 1, maxCount: 2 })).map((e) => e.revision)).toEqual([1, 2]);
        expect(await store.readStream(stream, { fromRevision: 5 })).toEqual([]);
      });

      it('reads a stream backwards from its end or from a revision', async () => {
        const stream = newStream('bwd');
        await store.append(stream, events(5), 'no-stream');
        expect((await store.readStream(stream, { direction: 'backwards' })).map((e) => e.revision)).toEqual([4, 3, 2, 1, 0]);
        expect((await store.readStream(stream, { direction: 'backwards', maxCount: 1 })).map((e) => e.revision)).toEqual([4]);
        expect((await store.readStream(stream, { direction: 'backwards', fromRevision: 3, maxCount: 2 })).map((e) => e.revision)).toEqual([3, 2]);
      });

      it('reads an absent stream as empty, in either direction', async () => {
        const stream = newStream('absent');
        expect(await store.readStream(stream)).toEqual([]);
        expect(await store.readStream(stream, { direction: 'backwards' })).toEqual([]);
      });

      it('reads all streams in log order, strictly after a position, up to a maximum count', async () => {
        const a = newStream('all-a');
        const b = newStream('all-b');
        const head = await store.headPosition();
        const a0 = event('a0');
        const [b0, b1] = [event('b0'), event('b1')];
        const a1 = event('a1');
        await store.append(a, [a0], 'no-stream');
        await store.append(b, [b0, b1], 'no-stream');
        await store.append(a, [a1], 0);
        const ours = (list: RecordedEvent[]) => list.filter((e) => e.stream === a || e.stream === b);

        const all = ours(await store.readAll({ after: head }));
        expect(ids(all)).toEqual([a0.id, b0.id, b1.id, a1.id]);
        for (let i = 1; i < all.length; i++) expect(comparePositions(all[i - 1]!.position, all[i]!.position)).toBeLessThan(0);

        expect(ids(ours(await store.readAll({ after: all[1]!.position })))).toEqual([b1.id, a1.id]);
        expect(ids(await store.readAll({ after: head, maxCount: 2 }))).toEqual([a0.id, b0.id]);
        expect(await store.readAll({ after: all[3]!.position })).toEqual([]);
        expect(await store.readAll({ after: head, maxCount: 0 })).toEqual([]);
      });

      it('reads the events of one category of streams in log order, and none of a category that only shares its prefix', async () => {
        const category = `cat${runId.replace(/-/g, '')}${++counter}`;
        const [x0, y0, x1, other, y1] = [event('x0'), event('y0'), event('x1'), event('other'), event('y1')];
        await store.append(`${category}-x`, [x0], 'no-stream');
        await store.append(`${category}-y`, [y0], 'no-stream');
        await store.append(`${category}-x`, [x1], 0);
        await store.append(`${category}x-z`, [other], 'no-stream');
        await store.append(category, [event('bare')], 'no-stream');
        await store.append(`${category}-y`, [y1], 0);

        const read = await store.readCategory(category);
        expect(ids(read)).toEqual([x0.id, y0.id, x1.id, y1.id]);
        expect(read.map((e) => [e.stream, e.revision])).toEqual([
          [`${category}-x`, 0],
          [`${category}-y`, 0],
          [`${category}-x`, 1],
          [`${category}-y`, 1],
        ]);
        expect(await store.readCategory(`${category}none`)).toEqual([]);
        await expect(store.readCategory('with-dash')).rejects.toBeInstanceOf(RangeError);
      });

      it('reports the position of the last event as the head of the log', async () => {
        const stream = newStream('head');
        const result = await store.append(stream, events(3), 'no-stream');
        expect(await store.headPosition()).toEqual(result.position);
      });

      it('answers a ping', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('keeps metadata, correlation and causation ids, and unicode data exactly as written', async () => {
        const stream = newStream('roundtrip');
        const data = {
          title: 'اسلام آباد ڈیٹا سینٹر — 数据 — ☁️🇵🇰',
          nested: { list: [1, 2.5, -3, 'ب'], flag: true, nothing: null },
          empty: '',
          quote: 'He said "no" \\ then left\n',
        };
        const meta = metadata({
          actor: { userId: 'u-پنجاب', name: 'Zainab Ṭāriq', role: 'provincial-officer', jurisdiction: 'punjab' },
          correlationId: 'noc:NOC-اردو-1',
          causationId: 'update-7f3c',
          occurredAt: '2026-02-28T23:59:59.999+05:00',
          policyVersion: 'noc-policy-2026.2',
        });
        const e: EventToAppend = { id: randomUUID(), type: 'NocRequested', data, metadata: meta };
        const before = Date.now();
        const head = await store.headPosition();
        await store.append(stream, [e], 'no-stream');
        const [fromStream] = await store.readStream(stream);
        const [fromAll] = (await store.readAll({ after: head })).filter((x) => x.stream === stream);
        for (const read of [fromStream, fromAll]) {
          expect(read).toMatchObject({ id: e.id, stream, revision: 0, type: 'NocRequested', data, metadata: meta });
          expect(EventMetadata.parse(read!.metadata)).toEqual(meta);
          expect(new Date(read!.recordedAt).toISOString()).toBe(read!.recordedAt);
          // The store's clock, not the event's: recorded now, whatever occurredAt says.
          expect(Math.abs(Date.parse(read!.recordedAt) - before)).toBeLessThan(60_000);
        }
      });
    });

    describe('subscriptions to all streams', () => {
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
  });
}
