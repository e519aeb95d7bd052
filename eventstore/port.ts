/**
 * The event store port. Its semantics are EventStoreDB's, so that the embedded SQLite adapter and the
 * EventStoreDB adapter are interchangeable and pass one contract suite (test/eventstore/contract.ts).
 */
import type { EventMetadata } from './envelope';

/**
 * What the stream must look like for an append to proceed:
 * - 'no-stream': the stream has no events yet;
 * - 'stream-exists': it has at least one;
 * - 'any': no check;
 * - a number: the revision of the stream's last event (revisions start at 0).
 */
export type ExpectedRevision = 'no-stream' | 'stream-exists' | 'any' | number;

/** A position in the global log ($all). Positions grow with every append; SQLite uses one number for both. */
export interface Position {
  commit: bigint;
  prepare: bigint;
}

export const START: Position = { commit: 0n, prepare: 0n };

export interface EventToAppend {
  /** A UUID. Derived from the business identity of the step, so that a retried append writes nothing twice. */
  id: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

export interface RecordedEvent {
  id: string;
  stream: string;
  revision: number;
  position: Position;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  /** When the store recorded the event (store time, ISO). */
  recordedAt: string;
}

export interface AppendResult {
  /** The revision of the stream's last event after the append. */
  nextExpectedRevision: number;
  /** The global position of the last appended event. */
  position: Position;
}

export interface ReadStreamOptions {
  fromRevision?: number;
  maxCount?: number;
  direction?: 'forwards' | 'backwards';
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Default: from the very start. */
  after?: Position;
  maxCount?: number;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: deliver events strictly after it. Default: from the very start. */
  after?: Position;
  /** Called in log order, one at a time; the next event waits for the returned promise. */
  onEvent: (event: RecordedEvent) => Promise<void> | void;
  /** Called once the subscription has delivered every event that existed when it caught up. */
  onCaughtUp?: () => void;
  onError?: (error: Error) => void;
}

export interface Subscription {
  close(): Promise<void>;
}

export interface EventStore {
  readonly kind: 'sqlite' | 'eventstoredb';
  append(stream: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /** Events of one stream; an absent stream reads as empty. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Events of all streams in log order, system events excluded. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * Events of every stream of one category (the streams named `<category>-…`) in log order. The SQLite
   * adapter reads them along its (stream, revision) index, so the cost follows the category's events,
   * not the log's; the EventStoreDB adapter filters $all (its `$ce-` streams need system projections).
   */
  readCategory(category: string): Promise<RecordedEvent[]>;
  /** Catch-up subscription to all streams: replays from the checkpoint, then goes live. */
  subscribeToAll(options: SubscribeOptions): Subscription;
  /** The position of the last event in the log, or START for an empty store. */
  headPosition(): Promise<Position>;
  /** Health: resolves when the store answers. */
  ping(): Promise<void>;
  /**
   * How many bytes the store can still grow by — its size limit or its disk, whichever is nearer — when
   * it can tell (an embedded store); a server store manages its own disk and leaves this out.
   */
  spaceLeft?(): Promise<number>;
  close(): Promise<void>;
}

/**
 * An event as a linker completes it. `dataJson` and `metadataJson`, when given, are the JSON texts of
 * its data and metadata the linker made already (the canonical bytes it hashed): the store writes them
 * as they are instead of serializing the values again. Each parses to the value beside it.
 */
export interface LinkedEvent extends EventToAppend {
  dataJson?: string;
  metadataJson?: string;
}

/**
 * Completes a batch once the store knows where it lands, inside the append's transaction: `prevHash` is
 * the hash-chain link of the stream's last event (undefined for a new stream, or a last event written
 * without a link), `firstRevision` the revision the batch's first event gets. It returns the same
 * events, same ids, in the same order, with whatever it adds to their metadata.
 */
export type BatchLinker = (prevHash: string | undefined, firstRevision: number) => readonly LinkedEvent[];

/**
 * An adapter that can hand a batch to a linker within the append's own transaction, so the hash chain
 * costs no read of its own and no writer can move the head between the read and the write. The SQLite
 * adapter can; EventStoreDB has no such transaction, and the chain reads the head before appending.
 */
export interface LinkedAppend {
  appendLinked(stream: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision, link: BatchLinker): Promise<AppendResult>;
}

export function canAppendLinked(store: EventStore): store is EventStore & LinkedAppend {
  return typeof (store as Partial<LinkedAppend>).appendLinked === 'function';
}

/** Raised when the stream is not at the expected revision, or a batch conflicts with events already written. */
export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  readonly code = 'WRONG_EXPECTED_REVISION' as const;
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no-stream',
  ) {
    super(`Stream ${stream}: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

/**
 * Raised when the store cannot take an append now: another process held its write lock for longer than
 * the store waits (`busy`), its disk or size limit is reached (`full`), or — a server store — it could
 * not be reached or did not confirm in time (`unreachable`). For `busy` and `full` the append is one
 * transaction refused as a whole, so nothing of the batch is written; for `unreachable` the store cannot
 * say, but every event carries its id, so retrying the same append writes it once. The code is the API's
 * UNAVAILABLE (503).
 */
export class EventStoreUnavailableError extends Error {
  override readonly name = 'EventStoreUnavailableError';
  readonly code = 'UNAVAILABLE' as const;
  constructor(
    readonly stream: string,
    readonly reason: 'busy' | 'full' | 'unreachable',
    options?: { cause?: unknown },
  ) {
    super(
      reason === 'busy'
        ? `The event store is busy (another writer holds it); nothing was written to ${stream}; try again`
        : reason === 'full'
          ? `The event store has no space left; nothing was written to ${stream}; try again once space is freed`
          : `The event store could not be reached or did not confirm the append to ${stream}; try again (the same events are written once)`,
      options,
    );
  }
}

export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** Positions travel as text (checkpoints, JSON); bigint does not survive JSON. */
export function positionToString(p: Position): string {
  return `${p.commit}/${p.prepare}`;
}

export function positionFromString(s: string): Position {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  if (!m) throw new Error(`Not a log position: ${s}`);
  return { commit: BigInt(m[1] as string), prepare: BigInt(m[2] as string) };
}
