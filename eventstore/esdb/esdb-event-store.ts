import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START as ESDB_START,
  StreamNotFoundError,
  jsonEvent,
  type AllStreamResolvedEvent,
  type JSONType,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import {
  START,
  WrongExpectedRevisionError,
  comparePositions,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../port';
import { translateEsdbAppendError } from './errors';
import { EsdbSubscription } from './esdb-subscription';
import { fromEsdbRecorded, isSystemEventType, toEsdbExpectedRevision, toPosition } from './mapping';
import { toEsdbMetadata } from './metadata';

function checkExpectedRevision(expected: ExpectedRevision): void {
  if (typeof expected === 'number' && (!Number.isSafeInteger(expected) || expected < 0)) {
    throw new RangeError(`Expected revision must be a whole number >= 0, 'no-stream', 'stream-exists' or 'any'; got ${expected}`);
  }
}

/** Reads a client stream to the end, or until `take` says stop; a stopped read is cancelled on the server. */
async function drain<E>(read: StreamingRead<E>, take: (item: E) => boolean): Promise<void> {
  let stoppedEarly = false;
  for await (const item of read) {
    if (!take(item)) {
      stoppedEarly = true;
      break;
    }
  }
  if (stoppedEarly) await read.cancel();
}

/**
 * The event store on EventStoreDB, through its gRPC client. The server provides the semantics the
 * port describes (expected revisions, idempotent retries by event id, $all positions).
 */
export class EsdbEventStore implements EventStore {
  readonly kind = 'eventstoredb' as const;
  private readonly client: EventStoreDBClient;
  private readonly subscriptions = new Set<EsdbSubscription>();
  private closed = false;

  constructor(connectionString: string) {
    this.client = EventStoreDBClient.connectionString(connectionString);
  }

  async append(stream: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    checkExpectedRevision(expectedRevision);
    if (new Set(events.map((e) => e.id)).size !== events.length) {
      throw new Error(`Stream ${stream}: the batch carries the same event id twice`);
    }
    if (events.length === 0) return this.checkRevisionOnly(stream, expectedRevision);
    try {
      const result = await this.client.appendToStream(
        stream,
        events.map((e) => jsonEvent({ id: e.id, type: e.type, data: e.data as JSONType, metadata: toEsdbMetadata(e.metadata) })),
        { expectedRevision: toEsdbExpectedRevision(expectedRevision) },
      );
      const nextExpectedRevision = Number(result.nextExpectedRevision);
      const position = result.position ? toPosition(result.position) : await this.positionOfRevision(stream, nextExpectedRevision);
      return { nextExpectedRevision, position };
    } catch (err) {
      throw translateEsdbAppendError(err, stream, expectedRevision);
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    if (options.maxCount === 0) return [];
    const backwards = options.direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision !== undefined ? BigInt(options.fromRevision) : backwards ? END : ESDB_START,
        maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
      });
      await drain(read, (resolved: ResolvedEvent) => {
        if (resolved.event) events.push(fromEsdbRecorded(resolved.event));
        return true;
      });
    } catch (err) {
      if (err instanceof StreamNotFoundError) return [];
      throw err;
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const max = options.maxCount ?? Number.POSITIVE_INFINITY;
    const events: RecordedEvent[] = [];
    if (max <= 0) return events;
    const after = options.after;
    // readAll starts AT its position (inclusive) and has no server-side filter: both are applied here.
    const read = this.client.readAll({ fromPosition: after ?? ESDB_START, direction: FORWARDS });
    await drain(read, (resolved: AllStreamResolvedEvent) => {
      const event = resolved.event;
      if (!event || isSystemEventType(event.type)) return true;
      if (after && comparePositions(event.position, after) <= 0) return true;
      events.push(fromEsdbRecorded(event));
      return events.length < max;
    });
    return events;
  }

  async readCategory(category: string): Promise<RecordedEvent[]> {
    if (category === '' || category.includes('-')) throw new RangeError(`Not a stream category: ${category}`);
    // This client's readAll has no server-side filter, and `$ce-<category>` needs the server's system
    // projections, which the deployment does not run: the filter is applied here, over $all.
    const prefix = `${category}-`;
    return (await this.readAll()).filter((e) => e.stream.startsWith(prefix));
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    if (this.closed) throw new Error('The event store is closed');
    const sub = new EsdbSubscription(this.client, options);
    this.subscriptions.add(sub);
    const close = sub.close.bind(sub);
    return {
      close: async () => {
        this.subscriptions.delete(sub);
        await close();
      },
    };
  }

  async headPosition(): Promise<Position> {
    let head: Position = START;
    const read = this.client.readAll({ fromPosition: END, direction: BACKWARDS });
    await drain(read, (resolved: AllStreamResolvedEvent) => {
      const event = resolved.event;
      if (!event || isSystemEventType(event.type)) return true;
      head = toPosition(event.position);
      return false;
    });
    return head;
  }

  async ping(): Promise<void> {
    const read = this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 });
    await drain(read, () => true);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.subscriptions.clear();
    await this.client.dispose();
  }

  /** An empty batch writes nothing; it only checks the revision, against the stream's last event. */
  private async checkRevisionOnly(stream: string, expected: ExpectedRevision): Promise<AppendResult> {
    const [last] = await this.readStream(stream, { direction: 'backwards', maxCount: 1 });
    const current = last?.revision ?? -1;
    const ok =
      expected === 'any' ||
      (expected === 'stream-exists' && current >= 0) ||
      (expected === 'no-stream' && current < 0) ||
      expected === current;
    if (!ok) throw new WrongExpectedRevisionError(stream, expected, current < 0 ? 'no-stream' : current);
    return { nextExpectedRevision: current, position: last?.position ?? START };
  }

  private async positionOfRevision(stream: string, revision: number): Promise<Position> {
    const [event] = await this.readStream(stream, { fromRevision: revision, maxCount: 1 });
    if (!event) throw new Error(`EventStoreDB did not return ${stream}@${revision} just appended`);
    return event.position;
  }
}
