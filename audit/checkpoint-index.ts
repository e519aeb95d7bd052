import { AUDIT_CHECKPOINT_STREAM } from '../eventstore/integrity/checkpoint-events';
import type { EventStore } from '../eventstore/port';

/** Entries a page: one may list thousands of heads. */
const PAGE = 50;

/**
 * Of the checkpoint feed, what a dossier needs: for each stream the newest entry that named it (in its
 * `changed` list), and the newest entry of all. The feed is read once, then only the entries that came
 * since, so a dossier costs what its case holds, not the number of checkpoints. It points, it does not
 * prove: the dossier reads each entry it points to afresh and checks its signature, and an entry gone
 * from the feed since is a finding there.
 */
export class CheckpointIndex {
  /** Stream → the audit stream's revision of the newest entry that named it. */
  private readonly naming = new Map<string, number>();
  /** The next revision of the audit stream to read. */
  private next = 0;

  constructor(private readonly store: Pick<EventStore, 'readStream'>) {}

  /**
   * Reads the entries appended since the last call, giving the event loop back between pages (the first
   * call reads the whole feed); concurrent calls each apply only what the other has not.
   */
  async catchUp(): Promise<void> {
    for (let pages = 0; ; pages++) {
      if (pages > 0) await new Promise((resolve) => setImmediate(resolve));
      const page = await this.store.readStream(AUDIT_CHECKPOINT_STREAM, { fromRevision: this.next, maxCount: PAGE });
      for (const event of page) {
        if (event.revision < this.next) continue;
        const changed = (event.data as { checkpoint?: { changed?: unknown } } | null)?.checkpoint?.changed;
        if (Array.isArray(changed)) {
          for (const head of changed) if (Array.isArray(head) && typeof head[0] === 'string') this.naming.set(head[0], event.revision);
        }
        this.next = event.revision + 1;
      }
      if (page.length < PAGE) return;
    }
  }

  /** The revision of the newest entry that named the stream, as of the last catch-up. */
  namedLast(stream: string): number | undefined {
    return this.naming.get(stream);
  }

  /** The revision of the newest entry, as of the last catch-up. */
  get newest(): number | undefined {
    return this.next === 0 ? undefined : this.next - 1;
  }
}
