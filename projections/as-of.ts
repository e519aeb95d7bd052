import { comparePositions, type EventStore, type Position } from '../eventstore/port';
import { isAtOrAfter } from '../domain/shared/time';
import { applyOne, decodeForProjections, handlerLookup } from './apply-event';
import { dropDeferredSchema, finishSchema } from './deferred-schema';
import type { ReadModelDb } from './db';
import type { Projection } from './projection';

/** Events read from the store at once; a page (one transaction) is read in chunks of at most this many. */
export const READ_CHUNK = 1_000;

export interface AsOfProgress {
  events: number;
  /** Events in the log when the replay began, where the store can tell cheaply (SQLite); else undefined. */
  total?: number;
}

/**
 * Rebuilds read models into `db` (a separate database, never the live one) from the events the store
 * had recorded up to `asOf` inclusive; without `asOf`, from the whole log. What the office knew at an
 * instant is what had been recorded by then, so the store's recording time decides, not the time a
 * workflow stamped on the event.
 */
export async function rebuildAsOf(
  store: EventStore,
  projections: readonly Projection[],
  db: ReadModelDb,
  options: {
    asOf?: string;
    /** Called once the projections' tables exist, before the first event (a rebuild tunes its scratch file there). */
    afterSetup?: (db: ReadModelDb) => void;
    /** Stop after this position (a rebuild stops at the head it started from; the live runner goes on from there). */
    upTo?: Position;
    onProgress?: (p: AsOfProgress) => void;
    /** Events per transaction (and between calls of betweenPages, afterPage and onProgress). */
    pageSize?: number;
    /** Events read from the store at once, within a page (READ_CHUNK unless a test makes the chunks small). */
    readChunk?: number;
    /** Called between pages, and between the indexes built at the end: a caller sharing its thread with others (the API) yields there. */
    betweenPages?: () => Promise<void>;
    /** Go on from a snapshot of the models: `db` holds them as of `after`, built from `events` events. */
    from?: { after: Position; events: number; lastRecordedAt?: string };
    /** Called after each page with the position reached: a snapshot taker saves the models there. */
    afterPage?: (reached: { position: Position; events: number; maxRecordedAt: string }) => void;
    /**
     * Leave the projections' deferred indexes out for good, and their triggers to afterSetup: a
     * rebuild's scratch file, whose rows are copied into live tables that have their own.
     */
    withoutDeferredSchema?: boolean;
  } = {},
): Promise<{ events: number; lastRecordedAt?: string; position?: Position }> {
  const pageSize = options.pageSize ?? 5_000;
  const readChunk = options.readChunk ?? READ_CHUNK;
  const handlersOf = handlerLookup(projections);
  const upTo = options.upTo;
  for (const p of projections) p.setup(db);
  options.afterSetup?.(db);
  // Only a replay from the start writes enough rows to gain, and a snapshot taker's images must be whole models.
  const deferSchema = options.from === undefined && options.afterPage === undefined;
  const deferred = deferSchema ? dropDeferredSchema(db, projections, { triggers: !options.withoutDeferredSchema }) : [];
  // The database is this replay's alone: projections may keep their working state in memory.
  for (const p of projections) p.bulk?.begin(db);
  const head = await store.headPosition();
  const total = store.kind === 'sqlite' ? Number(head.commit) : undefined;
  let applied = options.from?.events ?? 0;
  let lastRecordedAt: string | undefined = options.from?.lastRecordedAt;
  let maxRecordedAt = options.from?.lastRecordedAt ?? '';
  let after: Position | undefined = options.from?.after;
  // The last event applied: `after` may run past it, to the end of a chunk read beyond the instant.
  let position: Position | undefined = options.from?.after;
  // A view of a snapshot's file holds one transaction it never commits (projections/as-of-snapshot-files.ts):
  // its pages are savepoints inside it.
  const nested = db.inTransaction;
  const [begin, commit, rollback] = nested
    ? ['SAVEPOINT as_of_page', 'RELEASE as_of_page', 'ROLLBACK TO as_of_page; RELEASE as_of_page']
    : ['BEGIN', 'COMMIT', 'ROLLBACK'];
  for (;;) {
    // One transaction per page, read in smaller chunks: the records of a chunk are garbage once applied,
    // where a whole page's (25 000 in a rebuild) would outlive the young generation and be copied by the GC.
    let inPage = 0;
    let done = false;
    db.exec(begin);
    try {
      while (!done && inPage < pageSize) {
        const want = Math.min(readChunk, pageSize - inPage);
        const chunk = await store.readAll({ after, maxCount: want });
        done = chunk.length < want;
        for (const raw of chunk) {
          if ((options.asOf !== undefined && !isAtOrAfter(options.asOf, raw.recordedAt)) || (upTo !== undefined && comparePositions(raw.position, upTo) > 0)) {
            done = true;
            break;
          }
          // Validated again (about a tenth of a replay's time): the stores append what they are given
          // (validateForWrite is the writers' call), a restored or imported log was never checked here,
          // and decode also lifts older schema versions.
          const event = decodeForProjections(raw);
          for (const p of handlersOf(event.type)) applyOne(p, db, raw, event);
          applied += 1;
          position = raw.position;
          lastRecordedAt = raw.recordedAt;
          if (raw.recordedAt > maxRecordedAt) maxRecordedAt = raw.recordedAt;
        }
        inPage += chunk.length;
        const end = chunk.at(-1);
        if (end !== undefined) after = end.position;
      }
      for (const p of projections) p.bulk?.flush(db);
      db.exec(commit);
    } catch (err) {
      if (db.inTransaction) db.exec(rollback);
      throw err;
    }
    options.onProgress?.({ events: applied, total });
    // A full page (not done) has moved `after` to its last event.
    if (!done && after) options.afterPage?.({ position: after, events: applied, maxRecordedAt });
    if (done) break;
    await options.betweenPages?.();
  }
  // On failure the database is thrown away half-built anyway; only a finished replay gets its indexes.
  // Each index is built in one go (tens of ms over a national register): a caller sharing its thread
  // gets it back between them.
  if (!options.withoutDeferredSchema) {
    for (const statement of deferred) {
      finishSchema(db, [statement]);
      await options.betweenPages?.();
    }
  }
  return { events: applied, lastRecordedAt, ...(position ? { position } : {}) };
}
