import { START as ESDB_START, excludeSystemEvents, type AllStreamResolvedEvent, type AllStreamSubscription, type EventStoreDBClient } from '@eventstore/db-client';
import { comparePositions, type RecordedEvent, type SubscribeOptions, type Subscription } from '../port';
import { fromEsdbRecorded, isSystemEventType } from './mapping';

/** The server keeps streaming while the handler works; past this many buffered events it is paused. */
const HIGH_WATER = 1000;
const LOW_WATER = 100;

/**
 * A catch-up subscription to $all on EventStoreDB, delivering to the handler one event at a time.
 * The client's stream pushes events as fast as the server sends them, so they queue here and the
 * gRPC stream is paused while the handler lags.
 */
export class EsdbSubscription implements Subscription {
  private readonly stream: AllStreamSubscription;
  private readonly queue: AllStreamResolvedEvent[] = [];
  private received = 0;
  private processed = 0;
  /** How many received events precede the server's "caught up" signal (unknown until it arrives). */
  private caughtUpAfter: number | undefined;
  private caughtUpSignalled = false;
  private paused = false;
  private closed = false;
  private failure: Error | undefined;
  private kick: (() => void) | undefined;
  private readonly done: Promise<void>;

  constructor(
    client: EventStoreDBClient,
    private readonly options: SubscribeOptions,
  ) {
    this.stream = client.subscribeToAll({ fromPosition: options.after ?? ESDB_START, filter: excludeSystemEvents() });
    this.stream.on('data', (resolved: AllStreamResolvedEvent) => {
      this.received += 1;
      this.queue.push(resolved);
      if (this.queue.length >= HIGH_WATER && !this.paused) {
        this.paused = true;
        this.stream.pause();
      }
      this.wake();
    });
    this.stream.on('caughtUp', () => {
      // Events the client has received but not yet emitted are still in its buffer; they precede the signal.
      this.caughtUpAfter ??= this.received + this.stream.readableLength;
      this.wake();
    });
    this.stream.on('error', (err: Error) => this.fail(err));
    this.stream.on('end', () => this.fail(new Error('EventStoreDB ended the $all subscription')));
    this.done = this.run();
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.wake();
      await this.stream.unsubscribe();
    }
    await this.done;
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.failure ??= err;
    this.wake();
  }

  private wake(): void {
    const kick = this.kick;
    this.kick = undefined;
    kick?.();
  }

  private signalCaughtUp(): void {
    if (this.caughtUpSignalled || this.caughtUpAfter === undefined || this.processed < this.caughtUpAfter) return;
    this.caughtUpSignalled = true;
    this.options.onCaughtUp?.();
  }

  private accept(resolved: AllStreamResolvedEvent): RecordedEvent | undefined {
    const event = resolved.event;
    if (!event || isSystemEventType(event.type)) return undefined;
    // The checkpoint is exclusive; never hand back the event it names.
    if (this.options.after && comparePositions(event.position, this.options.after) <= 0) return undefined;
    return fromEsdbRecorded(event);
  }

  private async run(): Promise<void> {
    try {
      while (!this.closed) {
        if (this.failure) throw this.failure;
        const next = this.queue.shift();
        if (!next) {
          this.signalCaughtUp();
          await new Promise<void>((resolve) => {
            this.kick = resolve;
          });
          continue;
        }
        if (this.paused && this.queue.length <= LOW_WATER) {
          this.paused = false;
          this.stream.resume();
        }
        this.processed += 1;
        const event = this.accept(next);
        if (event) await this.options.onEvent(event);
        this.signalCaughtUp();
      }
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (!this.closed) await this.stream.unsubscribe();
      this.closed = true;
      if (this.options.onError) this.options.onError(error);
      else process.emitWarning(`Event store subscription stopped: ${error.message}`, 'EventStoreSubscriptionWarning');
    }
  }
}
