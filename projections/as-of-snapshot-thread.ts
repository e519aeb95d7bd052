import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { createEventStore } from '../eventstore';
import { openAsOfSnapshots, takeDueAsOfSnapshots } from './as-of-snapshots';
import { allProjections } from './index';

/**
 * One round of the projector's as-of snapshots, on a thread of its own (started by
 * projections/as-of-snapshotter.ts): its own connections to the log and the snapshots, each model that
 * is due snapshotted, the counts posted back, and the thread ends.
 */
export const SnapshotRound = z.object({
  eventStore: z.custom<Parameters<typeof createEventStore>[0]>((v) => typeof v === 'object' && v !== null && 'kind' in v),
  snapshotsPath: z.string().min(1),
  every: z.number().int().positive(),
});
export type SnapshotRound = z.infer<typeof SnapshotRound>;
export type SnapshotRoundReply = { saved: Record<string, number> } | { error: string };

async function round(port: NonNullable<typeof parentPort>): Promise<void> {
  const { eventStore, snapshotsPath, every } = SnapshotRound.parse(workerData);
  const store = await createEventStore(eventStore);
  const snapshots = openAsOfSnapshots(snapshotsPath);
  try {
    const reply: SnapshotRoundReply = { saved: await takeDueAsOfSnapshots(store, allProjections(), snapshots, every) };
    port.postMessage(reply);
  } finally {
    snapshots.close();
    await store.close();
  }
}

const port = parentPort;
if (port) round(port).catch((err: unknown) => port.postMessage({ error: (err as Error).message } satisfies SnapshotRoundReply));
