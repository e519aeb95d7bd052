import type { AppendResult, EventStore, EventToAppend, ExpectedRevision, Position, ReadAllOptions, ReadStreamOptions, RecordedEvent, SubscribeOptions, Subscription } from './port';

/**
 * An event store that hands every call to the one it wraps: the base of the decorators a process puts
 * around its store (metrics, traces), each overriding only what it observes, so that a method added to
 * the port is passed through by all of them at once.
 */
export abstract class EventStoreDecorator implements EventStore {
  readonly kind: EventStore['kind'];
  readonly spaceLeft?: () => Promise<number>;

  protected constructor(protected readonly inner: EventStore) {
    this.kind = inner.kind;
    if (inner.spaceLeft) this.spaceLeft = () => inner.spaceLeft!();
  }

  append(stream: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    return this.inner.append(stream, events, expectedRevision);
  }

  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.inner.readStream(stream, options);
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.inner.readAll(options);
  }

  readCategory(category: string): Promise<RecordedEvent[]> {
    return this.inner.readCategory(category);
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return this.inner.subscribeToAll(options);
  }

  headPosition(): Promise<Position> {
    return this.inner.headPosition();
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
