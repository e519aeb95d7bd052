/**
 * Run as a process of its own by test/projections/as-of-snapshot-files.int.test.ts: opens a view on the
 * latest snapshot of the NOC register, replays the rest of the log into it with a page cache of ten
 * pages (so that a view that could spill would have spilled), says how many events it applied, and
 * waits to be killed.
 */
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { openAsOfSnapshots } from '../../projections/as-of-snapshots';
import { replayOverLatestSnapshot } from './register-log';

async function main(snapshotsPath: string, eventsPath: string): Promise<void> {
  const store = await openSqliteEventStore({ path: eventsPath });
  const { applied } = await replayOverLatestSnapshot(store, openAsOfSnapshots(snapshotsPath));
  process.stdout.write(`holding ${applied}\n`);
  setInterval(() => undefined, 60_000);
}

const [snapshotsPath, eventsPath] = process.argv.slice(2);
if (snapshotsPath === undefined || eventsPath === undefined) throw new Error('usage: as-of-view-holder <snapshots.db> <events.db>');
void main(snapshotsPath, eventsPath);
