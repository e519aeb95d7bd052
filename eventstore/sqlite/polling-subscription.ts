import type { RecordedEvent, SubscribeOptions, Subscription } from '../port';

/** What a polling subscription needs from the store it follows. */
export interface PollingSource {
  /** Up to `limit` events strictly after the global position `after`, in log order. */
  readAfter(after: bigint, limit: number): RecordedEvent[];
  /** Grows with every append this process makes; lets the loop notice appends made while it was busy. */
  appendCount(): number;
  /** Resolves `wake` on the next in-process append; returns a function that cancels the wait. */
  onNextAppend(wake: () => void): () => void;
}

/** Events are read from the log in pages this big, so a replay of millions never sits in memory at once. */
export const CATCH_UP_PAGE = 500;

/**
 * A catch-up subscription over a log that other processes may also append to: it pages through
 * everything after the checkpoint, then polls every `pollMs` (appends from this process wake it at
 * once). Events go to the handler strictly one at a time.
 */
export class PollingSubscription implements Subscription {
  private closed = false;
  private cancelWait: (() => void) | undefined;
  private readonly done: Promise<void>;

  constructor(
    private readonly source: PollingSource,
    private readonly options: SubscribeOptions,
    private readonly pollMs: number,
    private readonly onStopped: (sub: PollingSubscription) => void,
  ) {
    this.done = this.run().finally(() => this.onStopped(this));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelWait?.();
    await this.done;
  }

  private async run(): Promise<void> {
    let after = this.options.after?.commit ?? 0n;
    let caughtUp = false;
    try {
      while (!this.closed) {
        const seenAppends = this.source.appendCount();
        const page = this.source.readAfter(after, CATCH_UP_PAGE);
        for (const event of page) {
          if (this.closed) return;
          await this.options.onEvent(event);
          after = event.position.commit;
        }
        if (page.length === CATCH_UP_PAGE) continue;
        if (!caughtUp) {
          caughtUp = true;
          this.options.onCaughtUp?.();
        }
        // An append made while the handler ran has already bumped the count: read again at once.
        if (this.source.appendCount() === seenAppends) await this.idle();
      }
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (this.options.onError) this.options.onError(error);
      else process.emitWarning(`Event store subscription stopped: ${error.message}`, 'EventStoreSubscriptionWarning');
    }
  }

  /** Waits for the poll interval, an in-process append, or close(), whichever comes first. */
  private idle(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        cancelAppendWait();
        this.cancelWait = undefined;
        resolve();
      };
      const timer = setTimeout(finish, this.pollMs);
      const cancelAppendWait = this.source.onNextAppend(finish);
      this.cancelWait = finish;
    });
  }
}
