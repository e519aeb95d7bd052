import { WrongExpectedRevisionError, type EventStore, type EventToAppend, type ExpectedRevision, type RecordedEvent } from '../../eventstore/port';

/** The two calls the framework register makes, in memory, with the store's expected-revision rule. */
export class MemoryStreams implements Pick<EventStore, 'readStream' | 'append'> {
  readonly streams = new Map<string, RecordedEvent[]>();
  private position = 0n;

  async readStream(stream: string): Promise<RecordedEvent[]> {
    return [...(this.streams.get(stream) ?? [])];
  }

  async append(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision) {
    return this.appendNow(stream, events, expected);
  }

  /** The same append, at once: for seeding a world synchronously. */
  appendNow(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision) {
    const list = this.streams.get(stream) ?? [];
    const actual = list.length === 0 ? 'no-stream' : list.length - 1;
    if (expected !== 'any' && expected !== (expected === 'stream-exists' && list.length > 0 ? 'stream-exists' : actual)) {
      throw new WrongExpectedRevisionError(stream, expected, actual);
    }
    for (const event of events) {
      this.position += 1n;
      list.push({ ...event, stream, revision: list.length, position: { commit: this.position, prepare: this.position }, recordedAt: new Date().toISOString() });
    }
    this.streams.set(stream, list);
    return { nextExpectedRevision: list.length - 1, position: { commit: this.position, prepare: this.position } };
  }
}
