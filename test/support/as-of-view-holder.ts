/**
 * Run as a process of its own by test/projections/as-of-snapshot-files.int.test.ts: opens a view on the
 * latest snapshot of the NOC register, replays the rest of the log into it with a page cache of ten
 * pages (so that a view that could spill would have spilled), says how many events it applied, and
 * waits to be killed.
 */
import { positionFromString } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { rebuildAsOf } from '../../projections/as-of';
import { openAsOfSnapshots } from '../../projections/as-of-snapshots';
import { nocRegisterProjection } from '../../projections/noc/register';

async function main(snapshotsPath: string, eventsPath: string): Promise<void> {
  const store = await openSqliteEventStore({ path: eventsPath });
  const snapshots = openAsOfSnapshots(snapshotsPath);
  const latest = snapshots.nearest(nocRegisterProjection);
  if (!latest) throw new Error('no snapshot to hold');
  const db = snapshots.openView(nocRegisterProjection, latest.sortKey);
  if (!db) throw new Error("the latest snapshot's file is gone");
  db.pragma('cache_size = 10');
  const replayed = await rebuildAsOf(store, [nocRegisterProjection], db, { pageSize: 25, from: { after: positionFromString(latest.position), events: latest.events } });
  process.stdout.write(`holding ${replayed.events - latest.events}\n`);
  setInterval(() => undefined, 60_000);
}

const [snapshotsPath, eventsPath] = process.argv.slice(2);
if (snapshotsPath === undefined || eventsPath === undefined) throw new Error('usage: as-of-view-holder <snapshots.db> <events.db>');
void main(snapshotsPath, eventsPath);
