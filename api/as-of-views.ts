import type { Position } from '../eventstore/port';
import type { ReadModelDb } from '../projections/db';

/** A read model as of an instant, in a database of its own, with where in the log it stands. */
export interface AsOfView {
  db: ReadModelDb;
  /** The last event applied; undefined while none is. */
  position?: Position;
  events: number;
  lastRecordedAt?: string;
}

interface Kept {
  view: AsOfView;
  bytes: number;
}

/** Megabytes of views kept unless the API says otherwise: a few models as of a few instants at national scale. */
const DEFAULT_BUDGET_BYTES = 256 * 2 ** 20;

/**
 * The as-of views that answered lately, kept so that an auditor paging through one, or asking again,
 * does not have it rebuilt: a view goes on from where it stopped, over the events recorded since up to
 * its instant (none, for an instant already past), where rebuilding it would open the snapshot and
 * replay behind it for every page. The least recently used views are closed once the kept ones hold
 * more than the budget; the one in use is always kept. A view on a snapshot's file is counted at the
 * file's size, though it holds in memory only the pages it changed: a bound, not a measure; closing it
 * early costs the next page no more than the first. A view is one job's at a
 * time: the next job on it waits (the API's own thread interleaves jobs between their slices).
 */
export class AsOfViews {
  /** Most recently used last. */
  private readonly kept = new Map<string, Kept>();
  /** Per key, the end of the jobs queued on it. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly inUse = new Set<string>();

  constructor(private readonly budgetBytes = DEFAULT_BUDGET_BYTES) {}

  /**
   * Runs `use` on the view under `key`: kept, moved on by `advance` first; else made by `build`. A view
   * whose advance failed is closed (it may be half-written), and the next job builds it anew.
   */
  async with<T>(key: string, build: () => Promise<AsOfView>, advance: (view: AsOfView) => Promise<void>, use: (view: AsOfView) => T): Promise<T> {
    const before = this.queues.get(key) ?? Promise.resolve();
    let release = (): void => undefined;
    const mine = before.then(() => new Promise<void>((resolve) => (release = resolve)));
    this.queues.set(key, mine);
    await before;
    this.inUse.add(key);
    try {
      let view = this.kept.get(key)?.view;
      if (view) {
        try {
          await advance(view);
        } catch (err) {
          this.drop(key);
          throw err;
        }
      } else {
        view = await build();
      }
      this.keep(key, view);
      return use(view);
    } finally {
      this.inUse.delete(key);
      release();
      if (this.queues.get(key) === mine) this.queues.delete(key);
    }
  }

  /** Every kept view closed. */
  close(): void {
    for (const key of [...this.kept.keys()]) this.drop(key);
  }

  private keep(key: string, view: AsOfView): void {
    this.kept.delete(key);
    this.kept.set(key, { view, bytes: sizeOf(view.db) });
    let total = 0;
    for (const k of this.kept.values()) total += k.bytes;
    for (const [other, k] of [...this.kept]) {
      if (total <= this.budgetBytes) break;
      if (this.inUse.has(other)) continue;
      total -= k.bytes;
      this.drop(other);
    }
  }

  private drop(key: string): void {
    const kept = this.kept.get(key);
    if (!kept) return;
    this.kept.delete(key);
    kept.view.db.close();
  }
}

function sizeOf(db: ReadModelDb): number {
  return (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
}
