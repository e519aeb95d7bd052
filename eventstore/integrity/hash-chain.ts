import type { EventMetadata } from '../envelope';
import {
  WrongExpectedRevisionError,
  canAppendLinked,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type LinkedEvent,
  type RecordedEvent,
} from '../port';
import { canonicalJson, canonicalJsonWithout, joinCanonicalParts, plainCanonicalJson, plainCanonicalParts } from '../../domain/shared/canonical-json';
import { sha256Hex } from './canonical';

/** The predecessor of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainLink {
  /** Hash of the previous event of the same stream (GENESIS_HASH for revision 0). */
  prev: string;
  /** SHA-256 over prev and the canonical form of this event's content and metadata. */
  hash: string;
}

interface Hashable {
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

/**
 * The hash of an event given its predecessor's: SHA-256 over `prev` followed by
 * canonicalJson({ id, stream, revision, type, data, metadata }), the link itself left out of metadata.
 */
export function linkHash(prev: string, event: Hashable): string {
  const data = event.data === undefined ? undefined : canonicalJson(event.data);
  return sha256Hex(`${prev}${contentText(event, event.stream, event.revision, data, canonicalJsonWithout(event.metadata, 'integrity'))}`);
}

/**
 * canonicalJson({ id, stream, revision, type, data, metadata }) from the canonical texts of the data and of
 * the metadata without its link, built field by field in its sorted key order (data, id, metadata,
 * revision, stream, type); a field left undefined is left out, as canonicalJson leaves it. No helper
 * closure: it runs for every appended event, and tsx names every closure it creates.
 */
function contentText(event: Pick<Hashable, 'id' | 'type'>, stream: string, revision: number, data: string | undefined, metadata: string): string {
  // The metadata is always there: fields before it end with a comma, fields after it start with one.
  let text = data === undefined ? '{' : `{"data":${data},`;
  if (event.id !== undefined) text += `"id":${canonicalJson(event.id)},`;
  text += `"metadata":${metadata}`;
  if (revision !== undefined) text += `,"revision":${canonicalJson(revision)}`;
  if (stream !== undefined) text += `,"stream":${canonicalJson(stream)}`;
  if (event.type !== undefined) text += `,"type":${canonicalJson(event.type)}`;
  return `${text}}`;
}

/**
 * The batch with each event's link, chained from `prev` at revision `first` of the stream. Each event's
 * data and metadata are serialized once: the canonical text hashed is the text stored (with the link
 * put in the metadata's at its sorted place), which parses to the same values JSON.stringify's would.
 * A value that is not plain data (plainCanonicalJson) is hashed as ever and stored as JSON.stringify
 * gives it, as before; either way the verifier recomputes the hash from the values it reads.
 */
function linkBatch(stream: string, events: readonly EventToAppend[], prev: string, first: number): LinkedEvent[] {
  const out: LinkedEvent[] = new Array<LinkedEvent>(events.length);
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as EventToAppend;
    const data = event.data === undefined ? undefined : plainCanonicalJson(event.data);
    const parts = plainCanonicalParts(event.metadata, 'integrity');
    const dataText = data ?? (event.data === undefined ? undefined : canonicalJson(event.data));
    const metadataText = parts ? joinCanonicalParts(parts) : canonicalJsonWithout(event.metadata, 'integrity');
    const hash = sha256Hex(`${prev}${contentText(event, stream, first + i, dataText, metadataText)}`);
    const link: ChainLink = { prev, hash };
    out[i] = {
      id: event.id,
      type: event.type,
      data: event.data,
      metadata: { ...event.metadata, integrity: link },
      dataJson: data,
      // The link's keys sorted ("hash" before "prev"); both are hex, which JSON never escapes.
      metadataJson: parts ? joinCanonicalParts(parts, `"integrity":{"hash":"${hash}","prev":"${prev}"}`) : undefined,
    };
    prev = hash;
  }
  return out;
}

/**
 * Writes every event with its link in a per-stream hash chain, whatever the adapter underneath
 * (SQLite or EventStoreDB): the chain lives in the event's metadata. An adapter with a transaction
 * (SQLite) links the batch inside the append's own, after its checks, on the head it holds locked.
 * Otherwise the chain reads the predecessor first, and appends with 'any' or 'stream-exists' are
 * pinned to the stream's current revision, so that two writers cannot both chain onto the same
 * predecessor; the loser retries on the new head.
 */
export class HashChainedEventStore implements EventStore {
  readonly kind: EventStore['kind'];

  constructor(private readonly inner: EventStore) {
    this.kind = inner.kind;
  }

  append(stream: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    // The adapter's own promise, not one more wrapped around it: this runs for every append.
    if (canAppendLinked(this.inner)) {
      return this.inner.appendLinked(stream, events, expectedRevision, (prev, first) => linkBatch(stream, events, prev ?? GENESIS_HASH, first));
    }
    return this.appendReadingHead(stream, events, expectedRevision);
  }

  private async appendReadingHead(stream: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    if (typeof expectedRevision === 'number' || expectedRevision === 'no-stream') {
      return this.appendAfter(stream, events, expectedRevision);
    }
    for (let attempt = 0; ; attempt++) {
      const [last] = await this.inner.readStream(stream, { direction: 'backwards', maxCount: 1 });
      if (!last && expectedRevision === 'stream-exists') {
        throw new WrongExpectedRevisionError(stream, expectedRevision, 'no-stream');
      }
      const head = last ? last.revision : 'no-stream';
      try {
        return await this.appendAfter(stream, events, head);
      } catch (err) {
        if (!(err instanceof WrongExpectedRevisionError)) throw err;
        // The head did not move, so no other writer caused the refusal: the batch's ids are written
        // already. Anchored where they were written, a retry gets the same links and writes nothing.
        if (err.actual === head && events.length > 0) return this.appendAfter(stream, events, await this.anchorOf(stream, events[0]!.id, err));
        if (attempt >= 4) throw err;
      }
    }
  }

  /** The expected revision a retried batch was first written at: just before its first event. */
  private async anchorOf(stream: string, firstId: string, refusal: WrongExpectedRevisionError): Promise<number | 'no-stream'> {
    const written = (await this.inner.readStream(stream)).find((e) => e.id === firstId);
    if (!written) throw refusal;
    return written.revision === 0 ? 'no-stream' : written.revision - 1;
  }

  private async appendAfter(stream: string, events: readonly EventToAppend[], expected: number | 'no-stream'): Promise<AppendResult> {
    let prev = GENESIS_HASH;
    if (typeof expected === 'number') {
      // The predecessor at the expected revision (not the head): a retried batch then gets the same hashes.
      const [predecessor] = await this.inner.readStream(stream, { fromRevision: expected, maxCount: 1 });
      if (!predecessor || predecessor.revision !== expected) {
        return this.inner.append(stream, events, expected); // the store reports the wrong revision
      }
      prev = predecessor.metadata.integrity?.hash ?? GENESIS_HASH;
    }
    return this.inner.append(stream, linkBatch(stream, events, prev, expected === 'no-stream' ? 0 : expected + 1), expected);
  }

  readStream(...args: Parameters<EventStore['readStream']>): Promise<RecordedEvent[]> {
    return this.inner.readStream(...args);
  }
  readAll(...args: Parameters<EventStore['readAll']>): Promise<RecordedEvent[]> {
    return this.inner.readAll(...args);
  }
  readCategory(category: string): Promise<RecordedEvent[]> {
    return this.inner.readCategory(category);
  }
  subscribeToAll(...args: Parameters<EventStore['subscribeToAll']>) {
    return this.inner.subscribeToAll(...args);
  }
  headPosition() {
    return this.inner.headPosition();
  }
  ping() {
    return this.inner.ping();
  }
  spaceLeft(): Promise<number> {
    return this.inner.spaceLeft?.() ?? Promise.resolve(Number.POSITIVE_INFINITY);
  }
  close() {
    return this.inner.close();
  }
}

/**
 * What is wrong at the first broken position of a stream: its content `changed`; an event `removed`
 * (the next one is missing); events `reordered` (the missing one comes later); an event `inserted` (a
 * revision appears twice); a `wrong-predecessor` link; or a `missing-link` (written without the chain).
 */
export type ChainProblem = 'missing-link' | 'changed' | 'wrong-predecessor' | 'removed' | 'reordered' | 'inserted';

export interface ChainBreak {
  stream: string;
  revision: number;
  problem: ChainProblem;
  detail: string;
}

interface StreamState {
  prev: string;
  next: number;
  seen: Set<number>;
  /** Once broken, later events are not judged again, except to tell a removal from a reordering. */
  broken?: ChainBreak;
}

/** Checks events of many streams as they come, in log order; remembers each stream's last link. */
export class ChainVerifier {
  private readonly heads = new Map<string, StreamState>();
  readonly breaks: ChainBreak[] = [];
  events = 0;
  /** The first stream met past its first event with no signed head to go on from (a resumed run only). */
  unrecorded: string | undefined;

  /** `signedHead`: where a run resumed from a verified checkpoint finds the head it signed for a stream first met after it. */
  constructor(private readonly signedHead?: (stream: string) => { revision: number; hash: string } | undefined) {}

  /** The break this event reveals, if any. */
  check(event: RecordedEvent): ChainBreak | undefined {
    this.events += 1;
    let head = this.heads.get(event.stream);
    if (!head) {
      const signed = this.signedHead?.(event.stream);
      if (this.signedHead && !signed && event.revision > 0) this.unrecorded ??= event.stream;
      head = signed ? { prev: signed.hash, next: signed.revision + 1, seen: new Set() } : { prev: GENESIS_HASH, next: 0, seen: new Set() };
      this.heads.set(event.stream, head);
    }
    if (head.broken) {
      // The event that seemed removed turns up later: the stream was reordered, not cut.
      if (head.broken.problem === 'removed' && event.revision === head.broken.revision) head.broken.problem = 'reordered';
      return undefined;
    }
    const found = judge(event, head);
    if (found) {
      head.broken = found;
      this.breaks.push(found);
      return found;
    }
    head.seen.add(event.revision);
    head.prev = event.metadata.integrity?.hash as string;
    head.next += 1;
    return undefined;
  }

  get streams(): number {
    return this.heads.size;
  }
}

function judge(event: RecordedEvent, head: StreamState): ChainBreak | undefined {
  const at = (problem: ChainProblem, detail: string, revision = event.revision): ChainBreak => ({ stream: event.stream, revision, problem, detail });
  if (event.revision > head.next) return at('removed', `revision ${head.next} is missing; the next event is revision ${event.revision}`, head.next);
  if (event.revision < head.next) {
    return head.seen.has(event.revision)
      ? at('inserted', `a second event claims revision ${event.revision}`)
      : at('reordered', `revision ${event.revision} comes after revision ${head.next - 1}`);
  }
  const link = event.metadata.integrity;
  if (!link) return at('missing-link', 'the event carries no hash-chain link');
  if (link.prev !== head.prev) return at('wrong-predecessor', `links to ${link.prev.slice(0, 12)}…, predecessor is ${head.prev.slice(0, 12)}…`);
  const recomputed = linkHash(head.prev, event);
  if (recomputed !== link.hash) return at('changed', `content hashes to ${recomputed.slice(0, 12)}…, recorded ${link.hash.slice(0, 12)}…`);
  return undefined;
}

/** Recomputes one stream's chain; the first break found, with where and what, or undefined when intact. */
export function verifyStreamChain(stream: string, events: readonly RecordedEvent[]): ChainBreak | undefined {
  const verifier = new ChainVerifier();
  for (const event of events) {
    const found = verifier.check(event.stream === stream ? event : { ...event, stream });
    if (found) return found;
  }
  return undefined;
}
