import {
  CancelledError,
  DeadlineExceededError,
  NO_STREAM,
  NotLeaderError,
  TimeoutError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { EventStoreUnavailableError, WrongExpectedRevisionError, type ExpectedRevision } from '../port';

/** gRPC's RESOURCE_EXHAUSTED: the server is out of a resource, for a store its disk. */
const RESOURCE_EXHAUSTED = 8;
/** How the server and the operating system say a disk is full, in whatever error carries it. */
const NO_SPACE = /no space left|disk (is )?full|ENOSPC|not enough (disk )?space/i;

/**
 * What the EventStoreDB client throws on an append, as the errors the SQLite adapter throws, so the
 * API answers both stores alike: a revision conflict is WrongExpectedRevisionError; a full disk is
 * UNAVAILABLE `full`; a server that is down, changing leader, or that did not commit in time (its
 * equivalent of SQLite's busy, but one that cannot promise nothing was written) is UNAVAILABLE
 * `unreachable`. Anything else is returned as it is.
 */
export function translateEsdbAppendError(err: unknown, stream: string, expectedRevision: ExpectedRevision): unknown {
  if (err instanceof WrongExpectedVersionError) {
    const actual = err.actualVersion;
    return new WrongExpectedRevisionError(stream, expectedRevision, actual === NO_STREAM || actual === undefined ? 'no-stream' : Number(actual));
  }
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (code === RESOURCE_EXHAUSTED || NO_SPACE.test(message)) {
    return new EventStoreUnavailableError(stream, 'full', { cause: err });
  }
  if (
    err instanceof UnavailableError ||
    err instanceof NotLeaderError ||
    err instanceof DeadlineExceededError ||
    err instanceof TimeoutError ||
    err instanceof CancelledError
  ) {
    return new EventStoreUnavailableError(stream, 'unreachable', { cause: err });
  }
  // The client's catch-all still says "unavailable" when the connection dropped under the call.
  if (err instanceof UnknownError && /unavailable|ECONNREFUSED|ECONNRESET|socket hang up/i.test(message)) {
    return new EventStoreUnavailableError(stream, 'unreachable', { cause: err });
  }
  return err;
}
