import fc from 'fast-check';
import type { EventStore } from '../../eventstore/port';
import { asOfFromSnapshot, openAsOfSnapshots, takeAsOfSnapshots } from '../../projections/as-of-snapshots';
import { dumpModel } from '../../projections/model-dump';
import { nocRegisterProjection } from '../../projections/noc/register';
import { nocLogWithLaterInstants, registerFromZero } from '../support/register-log';

describe('as-of views from the nearest read-model snapshot', () => {
  let store: EventStore;
  let instants: string[];

  beforeAll(async () => {
    ({ store, instants } = await nocLogWithLaterInstants(300, 7));
  });
  afterAll(async () => {
    await store.close();
  });

  it('gives the same model and count as a replay from position 0, for random instants and snapshot intervals', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 20, max: 400 }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.integer({ min: -1, max: 1 }),
        async (every, pick, shiftMs) => {
          const snapshots = openAsOfSnapshots(':memory:');
          try {
            expect(await takeAsOfSnapshots(store, nocRegisterProjection, snapshots, every)).toBeGreaterThan(0);
            const asOf = pick === undefined ? undefined : new Date(Date.parse(instants[pick % instants.length]!) + shiftMs).toISOString();
            const expected = await registerFromZero(store, asOf);
            const view = await asOfFromSnapshot(store, nocRegisterProjection, snapshots, asOf === undefined ? {} : { asOf });
            try {
              expect(view.events).toBe(expected.events);
              expect(dumpModel(view.db, nocRegisterProjection)).toEqual(expected.dump);
            } finally {
              view.db.close();
            }
          } finally {
            snapshots.close();
          }
        },
      ),
      { numRuns: Number(process.env.FUZZ_MAX_EXAMPLES ?? 15) },
    );
  });

  it('starts from a snapshot for a recent instant, and from position 0 for an instant before every snapshot', async () => {
    const snapshots = openAsOfSnapshots(':memory:');
    try {
      await takeAsOfSnapshots(store, nocRegisterProjection, snapshots, 200);
      const recent = await asOfFromSnapshot(store, nocRegisterProjection, snapshots, { asOf: instants.at(-1)! });
      expect(recent.from).not.toBe('start');
      recent.db.close();
      const early = await asOfFromSnapshot(store, nocRegisterProjection, snapshots, { asOf: '2000-01-01T00:00:00.000Z' });
      expect(early.from).toBe('start');
      expect(early.events).toBe(0);
      early.db.close();
    } finally {
      snapshots.close();
    }
  });
});
