import Database from 'better-sqlite3';
import { rebuildCache } from '../../projections/rebuild-cache';

function table(): Database.Database {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID');
  return db;
}

const upsert = (db: Database.Database, k: string, v: string): void => {
  db.prepare('INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v').run(k, v);
};
const read = (db: Database.Database, k: string): string | undefined => (db.prepare('SELECT v FROM kv WHERE k = ?').get(k) as { v: string } | undefined)?.v;

describe('the working state a projection keeps in memory during a rebuild', () => {
  it('writes through at once on a database it was not enabled for, so the live path reads what it wrote', () => {
    const db = table();
    const cache = rebuildCache<string>(upsert);
    cache.put(db, 'a', 'one');
    expect(read(db, 'a')).toBe('one');
    expect(cache.get(db, 'a', () => read(db, 'a'))).toBe('one');
    db.close();
  });

  it('holds writes back until flush when enabled, and answers reads from memory meanwhile', () => {
    const db = table();
    const cache = rebuildCache<string>(upsert);
    cache.enable(db);
    cache.put(db, 'a', 'one');
    cache.put(db, 'a', 'two');
    expect(read(db, 'a')).toBeUndefined();
    expect(cache.get(db, 'a', () => read(db, 'a'))).toBe('two');
    cache.flush(db);
    expect(read(db, 'a')).toBe('two');
    db.close();
  });

  it('flushes and starts again empty past its bound, then reads evicted keys back from the database', () => {
    const db = table();
    const cache = rebuildCache<string>(upsert);
    cache.enable(db);
    const keys = 100_001;
    db.transaction(() => {
      for (let i = 0; i < keys; i++) cache.put(db, `k${i}`, `v${i}`);
    })();
    expect((db.prepare('SELECT COUNT(*) AS n FROM kv').get() as { n: number }).n).toBe(100_000);
    let loads = 0;
    expect(cache.get(db, 'k5', () => (loads++, read(db, 'k5')))).toBe('v5');
    expect(loads).toBe(1);
    cache.flush(db);
    expect(read(db, `k${keys - 1}`)).toBe(`v${keys - 1}`);
    db.close();
  });
});
