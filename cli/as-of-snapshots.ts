import { loadConfig } from '../config/config';
import { createEventStore } from '../eventstore';
import { allProjections } from '../projections';
import { asOfSnapshotsPath, openAsOfSnapshots, takeDueAsOfSnapshots } from '../projections/as-of-snapshots';
import { runToCompletion } from './output';

/**
 * `npm run snapshot:as-of [-- --every N]`: snapshots every read model every N events (default 10 000),
 * going on from each model's latest snapshot, so that the auditors' as-of views of recent instants start
 * there instead of at position 0, and thins the older ones as the projector does (which takes them by
 * itself unless AS_OF_SNAPSHOT_EVERY is 0).
 */
async function main(): Promise<number> {
  const i = process.argv.indexOf('--every');
  const every = i >= 0 ? Number(process.argv[i + 1]) : 10_000;
  if (!Number.isSafeInteger(every) || every < 1) throw new Error('--every: needs a whole number of events, at least 1');
  const config = loadConfig();
  const store = await createEventStore(config.eventStore);
  const snapshots = openAsOfSnapshots(asOfSnapshotsPath(config.dataDir));
  try {
    const saved = await takeDueAsOfSnapshots(store, allProjections(), snapshots, every);
    for (const projection of allProjections()) process.stdout.write(`${projection.name}: ${saved[projection.name] ?? 0} new snapshots\n`);
    return 0;
  } finally {
    snapshots.close();
    await store.close();
  }
}

runToCompletion(main, (err) => {
  process.stderr.write(`snapshot:as-of failed: ${(err as Error).message}\n`);
  return 1;
});
