import { randomUUID } from 'node:crypto';
import { EventMetadata } from '../../eventstore/envelope';
import { comparePositions, type EventStore, type EventToAppend, type RecordedEvent } from '../../eventstore/port';
import { event, events, ids, metadata, type ContractWorld } from './contract-support';

/** Reads of a stream, of the whole log and of a category. */
export function readContract(world: ContractWorld): void {
  const { newStream } = world;
  describe('reads', () => {
    let store: EventStore;
    beforeEach(() => {
      store = world.store();
    });

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
      const category = world.newCategory();
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
}
