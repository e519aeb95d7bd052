import {
  WrongExpectedRevisionError,
  comparePositions,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
} from '../../eventstore/port';
import { event, events, ids, type ContractWorld } from './contract-support';

/** Appends against expected revisions, and retries of the same events (EventStoreDB's idempotence). */
export function appendContract(world: ContractWorld): void {
  const { newStream, uniqueIds } = world;

  /** Appends one event at a time, each expecting the previous revision, as EventStoreDB's own tests do. */
  async function appendOneByOne(stream: string, list: readonly EventToAppend[]): Promise<void> {
    for (const [i, e] of list.entries()) await world.store().append(stream, [e], i === 0 ? 'no-stream' : i - 1);
  }

  async function expectWrongRevision(promise: Promise<unknown>, stream: string, expected: ExpectedRevision, actual: number | 'no-stream'): Promise<void> {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WrongExpectedRevisionError);
    expect(err).toMatchObject({ code: 'WRONG_EXPECTED_REVISION', stream, expected, actual });
  }

  let store: EventStore;
  beforeEach(() => {
    store = world.store();
  });

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
}
