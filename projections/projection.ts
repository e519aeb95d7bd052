import type { DecodedEvent } from '../eventstore/registry';
import type { ReadModelDb } from './db';
import type { DeferredTrigger } from './deferred-schema';

/**
 * A read model fed from the event log. The runner calls `apply` inside a write transaction that also
 * advances the projection's checkpoint, so `apply` must be synchronous and touch only the database.
 */
export interface Projection {
  /** Stable: the key of its checkpoint. */
  readonly name: string;
  /** Bump when the tables or the way rows are derived change: the runner then rebuilds it from the log. */
  readonly version: number;
  /** Creates its tables if they do not exist (idempotent). */
  setup(db: ReadModelDb): void;
  /** Whether it cares about events of this type; others only advance its checkpoint. */
  handles(type: string): boolean;
  apply(db: ReadModelDb, event: DecodedEvent): void;
  /** Drops its tables (setup recreates them); must cope with tables that do not exist. */
  reset(db: ReadModelDb): void;
  /**
   * For a database only a rebuild writes (projections/rebuild-cache.ts): `begin` lets the projection keep
   * working state in memory instead of reading its rows back per event; `flush` writes what it held back
   * and runs before every commit. The rows must come out exactly as `apply` alone would write them.
   */
  readonly bulk?: {
    begin(db: ReadModelDb): void;
    flush(db: ReadModelDb): void;
    /**
     * Indexes its setup creates that no projection reads while the log is replayed (only the API's
     * queries do): a replay from the start builds them once at the end (projections/deferred-schema.ts).
     */
    readonly deferredIndexes?: readonly string[];
    /** Triggers on its tables whose work one statement can do once they are filled (projections/deferred-schema.ts). */
    readonly deferredTriggers?: readonly DeferredTrigger[];
  };
}

/**
 * Prepared statements cached per database connection. Preparing is far costlier than running, and a
 * projection applies hundreds of thousands of events during a rebuild.
 */
export function statementCache<T>(prepare: (db: ReadModelDb) => T): { get(db: ReadModelDb): T; clear(db: ReadModelDb): void } {
  const cache = new WeakMap<ReadModelDb, T>();
  return {
    get(db) {
      let stmts = cache.get(db);
      if (!stmts) {
        stmts = prepare(db);
        cache.set(db, stmts);
      }
      return stmts;
    },
    // After a reset the tables are new: statements prepared against the old ones must go.
    clear(db) {
      cache.delete(db);
    },
  };
}
