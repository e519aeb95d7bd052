import Database from 'better-sqlite3';
import { asDomainError, statusOf } from '../../api/errors';
import { createStorageGuard } from '../../api/storage-guard';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { SqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';

/**
 * The API's guard against a full event store: it lets writes through while the store has its reserve
 * left, refuses them 503 UNAVAILABLE naming what is left once it has not, and lets them through again
 * when room is back. The room is what SQLite's size limit leaves (`max_page_count`, less the pages in
 * use, plus the free list).
 */
describe('the storage guard over the embedded store', () => {
  it('lets writes through with room, refuses them below the reserve naming the room left, and lets them through once room is back', async () => {
    const db = new Database(':memory:');
    const store = new HashChainedEventStore(new SqliteEventStore(db));
    try {
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      const guard = createStorageGuard(store, 16 * pageSize);
      await expect(guard()).resolves.toBeUndefined();

      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${pages + 4}`);
      expect(await store.spaceLeft()).toBe((4 + (db.pragma('freelist_count', { simple: true }) as number)) * pageSize);
      const refused = await guard().then(
        () => undefined,
        (e: unknown) => asDomainError(e),
      );
      expect(refused && { status: statusOf(refused), code: refused.code, message: refused.message }).toEqual({
        status: 503,
        code: 'UNAVAILABLE',
        message: `The event store has no space left (${(4 * pageSize) / 1024} KiB free, below the ${(16 * pageSize) / 1024} KiB kept for running processes); nothing was done; try again once space is freed`,
      });

      db.pragma(`max_page_count = ${pages + 64}`);
      await expect(guard()).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('never refuses for a store that cannot tell its room, as EventStoreDB, whose appends answer for themselves', async () => {
    await expect(createStorageGuard({}, 1)()).resolves.toBeUndefined();
  });
});
