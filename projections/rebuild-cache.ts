import type { ReadModelDb } from './db';

/**
 * Most keys one cache remembers before it starts again empty: a rebuild meets each case's events close
 * together, so a bounded memory keeps nearly every hit while a log of millions of cases stays in bounds.
 */
const MAX_KEYS = 100_000;

/**
 * Working state a projection keeps in memory while it is rebuilt from the start (a scratch file, an
 * as-of replay: connections only the rebuild writes), instead of reading its own rows back with a
 * SELECT for every event. On any other connection (the live projector) it is off and every call goes
 * straight to the database, so the live path keeps reading what it wrote.
 *
 * Two ways to use it. Read-through (get with a loader, then set what was written with the same SQL):
 * the rows stay written per event and only the reads are saved. Write-behind (put instead of the
 * write, flush before each commit): repeated upserts of one key become one.
 */
export interface RebuildCache<V> {
  /** Turns the cache on for a database that only this rebuild writes. */
  enable(db: ReadModelDb): void;
  /** Forgets the database (after a reset its rows are gone). */
  clear(db: ReadModelDb): void;
  enabled(db: ReadModelDb): boolean;
  /** The remembered value, else load()'s (remembered when the cache is on). */
  get(db: ReadModelDb, key: string, load: () => V | undefined): V | undefined;
  /** Remembers what was just written to the database for `key` (nothing when the cache is off). */
  set(db: ReadModelDb, key: string, value: V): void;
  /** Write-behind: keeps `value` to be written by flush when the cache is on; writes it now otherwise. */
  put(db: ReadModelDb, key: string, value: V): void;
  /** Writes every value put since the last flush. */
  flush(db: ReadModelDb): void;
}

export function rebuildCache<V>(write?: (db: ReadModelDb, key: string, value: V) => void): RebuildCache<V> {
  const caches = new WeakMap<ReadModelDb, { values: Map<string, V>; dirty: Set<string> }>();
  const flush = (db: ReadModelDb): void => {
    const c = caches.get(db);
    if (!c || c.dirty.size === 0) return;
    if (!write) throw new Error('This cache has no writer to flush with');
    for (const key of c.dirty) write(db, key, c.values.get(key) as V);
    c.dirty.clear();
  };
  const remember = (db: ReadModelDb, key: string, value: V): void => {
    const c = caches.get(db);
    if (!c) return;
    if (c.values.size >= MAX_KEYS && !c.values.has(key)) {
      flush(db);
      c.values.clear();
    }
    c.values.set(key, value);
  };
  return {
    enable(db) {
      caches.set(db, { values: new Map(), dirty: new Set() });
    },
    clear(db) {
      caches.delete(db);
    },
    enabled: (db) => caches.has(db),
    get(db, key, load) {
      const c = caches.get(db);
      if (c?.values.has(key)) return c.values.get(key);
      const value = load();
      if (value !== undefined) remember(db, key, value);
      return value;
    },
    set: remember,
    put(db, key, value) {
      const c = caches.get(db);
      if (!c) {
        if (!write) throw new Error('This cache has no writer');
        write(db, key, value);
        return;
      }
      remember(db, key, value);
      caches.get(db)?.dirty.add(key);
    },
    flush,
  };
}
