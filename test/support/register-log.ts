import { fillStoreWithNocEvents, generateNocHistories } from '../../bench/fixtures';
import type { EventStore } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { rebuildAsOf } from '../../projections/as-of';
import { openReadModelDb } from '../../projections/db';
import { dumpModel } from '../../projections/model-dump';
import { nocRegisterProjection } from '../../projections/noc/register';

/**
 * A log of NOC histories for as-of tests, in memory or in the file at `path`: 600 NOC events, then
 * `later` more histories each recorded a millisecond or more apart, so that instants fall between
 * snapshots and after the last; with every distinct recording instant of the log.
 */
export async function nocLogWithLaterInstants(later: number, seed: number, path = ':memory:'): Promise<{ store: EventStore; instants: string[] }> {
  const store = await openSqliteEventStore({ path });
  await fillStoreWithNocEvents(store, 600);
  await new Promise((r) => setTimeout(r, 5));
  for (const batch of generateNocHistories(later, { firstIndex: 100_000, seed })) {
    await store.append(batch.stream, batch.events, 'no-stream');
    await new Promise((r) => setTimeout(r, 1));
  }
  return { store, instants: [...new Set((await store.readAll()).map((e) => e.recordedAt))] };
}

/** The NOC register replayed from position 0 (up to `asOf`): every row, and the events it took. */
export async function registerFromZero(store: EventStore, asOf?: string): Promise<{ dump: ReturnType<typeof dumpModel>; events: number }> {
  const db = openReadModelDb(':memory:');
  try {
    const result = await rebuildAsOf(store, [nocRegisterProjection], db, asOf === undefined ? {} : { asOf });
    return { dump: dumpModel(db, nocRegisterProjection), events: result.events };
  } finally {
    db.close();
  }
}
