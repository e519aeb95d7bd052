import { mkdirSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { EventMetadata } from '../envelope';
import {
  EventStoreUnavailableError,
  START,
  WrongExpectedRevisionError,
  type AppendResult,
  type BatchLinker,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type LinkedAppend,
  type LinkedEvent,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../port';
import { PollingSubscription, type PollingSource } from './polling-subscription';
import { applyPragmas, ensureSchema, type SqliteSynchronous } from './schema';

export interface SqliteEventStoreOptions {
  /** A file path, or ':memory:' for a private in-memory store. */
  path: string;
  synchronous?: SqliteSynchronous;
  /** How often a live subscription looks for events appended by other processes. */
  pollMs?: number;
  /** How long an append waits for another process's write lock before it is refused as busy. */
  busyTimeoutMs?: number;
}

/**
 * An events row as every read takes it: an array (better-sqlite3's raw mode), in the order of
 * ROW_COLUMNS. A page of the whole log is the hottest read, and arrays are cheaper to build than keyed rows.
 */
type EventRow = [number, string, string, number, string, string, string, string];
const ROW_COLUMNS = 'global_position, event_id, stream, revision, type, data, metadata, recorded_at';

interface IdRow {
  event_id: string;
  global_position: number;
}

/** A stream's row in `streams`: its last revision, and that event's link when the row is known to hold it. */
interface HeadRow {
  revision: number;
  head_hash: string | null;
  head_hash_revision: number | null;
}

const SYNCHRONOUS_MODES: readonly SqliteSynchronous[] = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];
/** SQLite reads a negative LIMIT as "no limit". */
const NO_LIMIT = -1;

const position = (globalPosition: number | bigint): Position => {
  const p = BigInt(globalPosition);
  return { commit: p, prepare: p };
};

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row[1],
    stream: row[2],
    revision: row[3],
    position: position(row[0]),
    type: row[4],
    data: JSON.parse(row[5]) as unknown,
    metadata: JSON.parse(row[6]) as EventMetadata,
    recordedAt: row[7],
  };
}

/** A read of events rows, `where` onwards: every read takes the same columns, as arrays. */
function rows<P extends unknown[]>(db: Database.Database, where: string): Database.Statement<P, EventRow> {
  return db.prepare(`SELECT ${ROW_COLUMNS} FROM events ${where}`).raw(true) as unknown as Database.Statement<P, EventRow>;
}

/**
 * The names of a category's streams, `<category>-…`, as a half-open range of text: '.' is the
 * character after '-', so every name with the prefix sorts within it and no other name does.
 */
export function categoryRange(category: string): [string, string] {
  if (category === '' || category.includes('-')) throw new RangeError(`Not a stream category: ${category}`);
  return [`${category}-`, `${category}.`];
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * SQLite's answers that mean "not now" rather than "wrong": the lock stayed taken past the busy timeout,
 * or the file cannot grow (disk full, or max_page_count reached). Extended codes start with these.
 */
function unavailableReason(err: unknown): 'busy' | 'full' | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') return undefined;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code.startsWith('SQLITE_FULL')) return 'full';
  return undefined;
}

function checkExpectedRevision(expected: ExpectedRevision): void {
  if (typeof expected === 'number' && (!Number.isSafeInteger(expected) || expected < 0)) {
    throw new RangeError(`Expected revision must be a whole number >= 0, 'no-stream', 'stream-exists' or 'any'; got ${expected}`);
  }
}

/**
 * The embedded event store: one SQLite file in WAL mode, EventStoreDB's append semantics
 * (expected revisions, idempotent retries by event id). Several processes may open the same file;
 * SQLite serialises their writes and subscriptions poll for each other's appends.
 */
export class SqliteEventStore implements EventStore, LinkedAppend {
  readonly kind = 'sqlite' as const;
  private readonly pollMs: number;
  private appends = 0;
  private readonly appendWaiters = new Set<() => void>();
  private readonly subscriptions = new Set<PollingSubscription>();
  private closed = false;

  private readonly stmt: {
    streamHead: Database.Statement<[string], HeadRow>;
    eventById: Database.Statement<[string], { stream: string; revision: number }>;
    idsInRange: Database.Statement<[string, number, number], IdRow>;
    lastOfStream: Database.Statement<[string], { global_position: number }>;
    linkAt: Database.Statement<[string, number], { hash: unknown }>;
    insert: Database.Statement<[string, string, number, string, string, string, string]>;
    setHead: Database.Statement<[string, number, string | null, number | null]>;
    forwards: Database.Statement<[string, number, number], EventRow>;
    backwards: Database.Statement<[string, number, number], EventRow>;
    after: Database.Statement<[number, number], EventRow>;
    category: Database.Statement<[string, string], EventRow>;
    head: Database.Statement<[], { head: number | null }>;
  };
  private readonly appendTx: (stream: string, events: readonly EventToAppend[], expected: ExpectedRevision, link?: BatchLinker) => AppendResult;

  constructor(
    private readonly db: Database.Database,
    options: { pollMs?: number } = {},
  ) {
    this.pollMs = options.pollMs ?? 50;
    ensureSchema(db);
    this.stmt = {
      streamHead: db.prepare('SELECT revision, head_hash, head_hash_revision FROM streams WHERE stream = ?'),
      eventById: db.prepare('SELECT stream, revision FROM events WHERE event_id = ?'),
      idsInRange: db.prepare(
        'SELECT event_id, global_position FROM events WHERE stream = ? AND revision >= ? AND revision < ? ORDER BY revision',
      ),
      lastOfStream: db.prepare('SELECT global_position FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1'),
      // The head's link when `streams` does not hold it: one row by the (stream, revision) index, and
      // only the link's hash out of its metadata.
      linkAt: db.prepare("SELECT json_extract(metadata, '$.integrity.hash') AS hash FROM events WHERE stream = ? AND revision = ?"),
      insert: db.prepare(
        'INSERT INTO events (event_id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      setHead: db.prepare(
        'INSERT INTO streams (stream, revision, head_hash, head_hash_revision) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (stream) DO UPDATE SET revision = excluded.revision, head_hash = excluded.head_hash, head_hash_revision = excluded.head_hash_revision',
      ),
      forwards: rows(db, 'WHERE stream = ? AND revision >= ? ORDER BY revision ASC LIMIT ?'),
      backwards: rows(db, 'WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?'),
      after: rows(db, 'WHERE global_position > ? ORDER BY global_position ASC LIMIT ?'),
      // A range on the first column of the (stream, revision) index: only the category's rows are read.
      category: rows(db, 'WHERE stream >= ? AND stream < ? ORDER BY global_position ASC'),
      head: db.prepare('SELECT MAX(global_position) AS head FROM events'),
    };
    // IMMEDIATE: take the write lock before reading the stream's revision, so a writer in another
    // process cannot slip in between the check and the insert.
    const tx = db.transaction((stream: string, events: readonly EventToAppend[], expected: ExpectedRevision, link?: BatchLinker) =>
      this.appendInTransaction(stream, events, expected, link),
    );
    this.appendTx = (stream, events, expected, link) => tx.immediate(stream, events, expected, link);
  }

  append(stream: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    return this.appendLinked(stream, events, expectedRevision);
  }

  /**
   * An append whose events `link` completes inside the transaction, once the expected revision holds and
   * the batch is not a retry of one written already (a retry is answered without calling it).
   */
  async appendLinked(stream: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision, link?: BatchLinker): Promise<AppendResult> {
    checkExpectedRevision(expectedRevision);
    if (events.length > 1 && new Set(events.map((e) => e.id)).size !== events.length) {
      throw new Error(`Stream ${stream}: the batch carries the same event id twice`);
    }
    const appendsBefore = this.appends;
    let result: AppendResult;
    try {
      result = this.appendTx(stream, events, expectedRevision, link);
    } catch (err) {
      // The transaction rolled back: nothing of the batch is in the log.
      const reason = unavailableReason(err);
      if (reason !== undefined) throw new EventStoreUnavailableError(stream, reason, { cause: err });
      throw err;
    }
    if (this.appends !== appendsBefore) this.wakeSubscriptions();
    return result;
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const limit = options.maxCount ?? NO_LIMIT;
    if (limit === 0) return [];
    const rows =
      options.direction === 'backwards'
        ? this.stmt.backwards.all(stream, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
        : this.stmt.forwards.all(stream, options.fromRevision ?? 0, limit);
    return rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const limit = options.maxCount ?? NO_LIMIT;
    if (limit === 0) return [];
    return this.stmt.after.all(Number(options.after?.commit ?? 0n), limit).map(toRecorded);
  }

  async readCategory(category: string): Promise<RecordedEvent[]> {
    const [from, to] = categoryRange(category);
    return this.stmt.category.all(from, to).map(toRecorded);
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    if (this.closed) throw new Error('The event store is closed');
    const source: PollingSource = {
      readAfter: (after, limit) => this.stmt.after.all(Number(after), limit).map(toRecorded),
      appendCount: () => this.appends,
      onNextAppend: (wake) => {
        this.appendWaiters.add(wake);
        return () => this.appendWaiters.delete(wake);
      },
    };
    const sub = new PollingSubscription(source, options, this.pollMs, (s) => this.subscriptions.delete(s));
    this.subscriptions.add(sub);
    return sub;
  }

  async headPosition(): Promise<Position> {
    const head = this.stmt.head.get()?.head;
    return head == null ? START : position(head);
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  /** Pages the file may still take (max_page_count, with the free list reused first), and the disk's own free space. */
  async spaceLeft(): Promise<number> {
    const pragma = (name: string): number => this.db.pragma(name, { simple: true }) as number;
    const pageSize = pragma('page_size');
    const byLimit = (pragma('max_page_count') - pragma('page_count') + pragma('freelist_count')) * pageSize;
    if (this.db.memory) return byLimit;
    const disk = statfsSync(dirname(this.db.name));
    return Math.min(byLimit, disk.bavail * disk.bsize);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.db.close();
  }

  private wrong(stream: string, expected: ExpectedRevision, current: number): WrongExpectedRevisionError {
    return new WrongExpectedRevisionError(stream, expected, current < 0 ? 'no-stream' : current);
  }

  /**
   * If `events` are exactly the events at revisions from, from+1, … of the stream (by id), the append is
   * a retry of one already written: the result that append returned. Otherwise undefined.
   */
  private alreadyWritten(stream: string, events: readonly EventToAppend[], from: number): AppendResult | undefined {
    const rows = this.stmt.idsInRange.all(stream, from, from + events.length);
    if (rows.length !== events.length || rows.some((row, i) => row.event_id !== events[i]?.id)) return undefined;
    const last = rows[rows.length - 1] as IdRow;
    return { nextExpectedRevision: from + events.length - 1, position: position(last.global_position) };
  }

  private appendInTransaction(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision, link?: BatchLinker): AppendResult {
    // One lookup gives the revision to check and, for the chain, the link to continue from.
    const head = this.stmt.streamHead.get(stream);
    const current = head?.revision ?? -1;

    if (events.length === 0) {
      const ok =
        expected === 'any' ||
        (expected === 'stream-exists' && current >= 0) ||
        (expected === 'no-stream' && current < 0) ||
        expected === current;
      if (!ok) throw this.wrong(stream, expected, current);
      const last = this.stmt.lastOfStream.get(stream);
      return { nextExpectedRevision: current, position: last ? position(last.global_position) : START };
    }

    if (expected === 'any' || expected === 'stream-exists') {
      if (expected === 'stream-exists' && current < 0) throw this.wrong(stream, expected, current);
      // Without a revision to anchor on, the first id says where a retried batch would be.
      const first = this.stmt.eventById.get((events[0] as EventToAppend).id);
      if (first) {
        const retried = first.stream === stream ? this.alreadyWritten(stream, events, first.revision) : undefined;
        if (retried) return retried;
        throw this.wrong(stream, expected, current);
      }
    } else {
      const exp = expected === 'no-stream' ? -1 : expected;
      if (exp > current) throw this.wrong(stream, expected, current);
      if (exp < current) {
        const retried = this.alreadyWritten(stream, events, exp + 1);
        if (retried) return retried;
        throw this.wrong(stream, expected, current);
      }
    }

    const toWrite: readonly LinkedEvent[] = link ? this.linked(stream, events, head, link) : events;
    const recordedAt = new Date().toISOString();
    let lastPosition = 0;
    try {
      for (let i = 0; i < toWrite.length; i++) {
        const event = toWrite[i] as LinkedEvent;
        const info = this.stmt.insert.run(
          event.id,
          stream,
          current + 1 + i,
          event.type,
          event.dataJson ?? JSON.stringify(event.data),
          event.metadataJson ?? JSON.stringify(event.metadata),
          recordedAt,
        );
        lastPosition = Number(info.lastInsertRowid);
      }
    } catch (err) {
      // An id already used elsewhere in the log: the batch is not a retry of anything written here.
      if (isUniqueViolation(err)) throw this.wrong(stream, expected, current);
      throw err;
    }
    const next = current + events.length;
    // The new head's link when this append chained it; otherwise unknown, and the next chained append reads it from the row.
    const headHash = link ? (toWrite[toWrite.length - 1] as LinkedEvent).metadata.integrity?.hash : undefined;
    this.stmt.setHead.run(stream, next, headHash ?? null, headHash === undefined ? null : next);
    this.appends += 1;
    return { nextExpectedRevision: next, position: position(lastPosition) };
  }

  private linked(stream: string, events: readonly EventToAppend[], head: HeadRow | undefined, link: BatchLinker): readonly LinkedEvent[] {
    const current = head?.revision ?? -1;
    const out = link(head === undefined ? undefined : this.headLink(stream, head), current + 1);
    // The checks above were made on these ids; a linker that changed them would bypass them.
    let changed = out.length !== events.length;
    for (let i = 0; !changed && i < out.length; i++) changed = out[i]?.id !== events[i]?.id;
    if (changed) throw new Error(`Stream ${stream}: the linker changed the batch's events`);
    return out;
  }

  /**
   * The link of the stream's head event: from `streams` when the row holds it for the current revision,
   * else (a stream last written by an earlier release, or without the chain) out of the event's metadata.
   */
  private headLink(stream: string, head: HeadRow): string | undefined {
    if (head.head_hash_revision === head.revision && head.head_hash !== null) return head.head_hash;
    const hash = this.stmt.linkAt.get(stream, head.revision)?.hash;
    return typeof hash === 'string' ? hash : undefined;
  }

  private wakeSubscriptions(): void {
    const waiters = [...this.appendWaiters];
    this.appendWaiters.clear();
    for (const wake of waiters) wake();
  }
}

/** Opens (creating if needed) the event store at `path`. */
export async function openSqliteEventStore(options: SqliteEventStoreOptions): Promise<SqliteEventStore> {
  const synchronous = options.synchronous ?? 'FULL';
  if (!SYNCHRONOUS_MODES.includes(synchronous)) throw new RangeError(`Unknown SQLite synchronous mode: ${String(synchronous)}`);
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  try {
    applyPragmas(db, synchronous, options.busyTimeoutMs);
    return new SqliteEventStore(db, { pollMs: options.pollMs });
  } catch (err) {
    db.close();
    throw err;
  }
}
