import {
  convertToCommandError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  StreamDeletedError,
  TimeoutError,
  UnavailableError,
  UnknownError,
} from '@eventstore/db-client';
import { asDomainError, statusOf } from '../../api/errors';
import { translateEsdbAppendError } from '../../eventstore/esdb/errors';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../../eventstore/port';

/**
 * The EventStoreDB adapter answers the API as the SQLite adapter does. Each failure is built the way
 * the client builds it: a gRPC status (code, details, metadata with the server's `exception`) turned
 * into the client's error class by the client's own conversion.
 */
const GRPC = { ABORTED: 10, DEADLINE_EXCEEDED: 4, UNAVAILABLE: 14, RESOURCE_EXHAUSTED: 8, UNKNOWN: 2 } as const;

function clientError(code: number, details: string, metadata: Record<string, string> = {}): unknown {
  const serviceError = Object.assign(new Error(`${code} ${details}`), {
    code,
    details,
    metadata: { getMap: () => metadata },
  });
  return convertToCommandError(serviceError as never);
}

function translated(err: unknown): unknown {
  return translateEsdbAppendError(err, 'noc-N1', 4);
}

describe('what the EventStoreDB adapter makes of the client errors of an append', () => {
  it('turns a server that is down, a leader change, a server-side commit timeout and a passed deadline into UNAVAILABLE, reason unreachable, which the API answers 503', () => {
    const cases = [
      [clientError(GRPC.UNAVAILABLE, 'No connection established'), UnavailableError],
      [clientError(GRPC.UNAVAILABLE, 'Leader info available', { exception: 'not-leader', 'leader-endpoint-host': '10.0.0.2', 'leader-endpoint-port': '2113' }), NotLeaderError],
      [clientError(GRPC.ABORTED, 'Operation timed out'), TimeoutError],
      [clientError(GRPC.DEADLINE_EXCEEDED, 'Deadline exceeded'), DeadlineExceededError],
    ] as const;
    for (const [err, clientClass] of cases) {
      expect(err).toBeInstanceOf(clientClass);
      const out = translated(err);
      expect(out).toBeInstanceOf(EventStoreUnavailableError);
      expect(out).toMatchObject({ code: 'UNAVAILABLE', reason: 'unreachable', stream: 'noc-N1', cause: err });
      const answered = asDomainError(out);
      expect({ status: statusOf(answered), code: answered.code }).toEqual({ status: 503, code: 'UNAVAILABLE' });
      expect(answered.message).toMatch(/could not be reached or did not confirm the append to noc-N1/);
    }
  });

  it('turns a full disk, however the server words it, into UNAVAILABLE, reason full, with the same message as SQLite gives', () => {
    const cases = [
      clientError(GRPC.RESOURCE_EXHAUSTED, 'Resource exhausted'),
      clientError(GRPC.UNKNOWN, 'Exception was thrown by handler. IOException: No space left on device'),
      new UnknownError(undefined, 'Disk is full: ENOSPC'),
    ];
    for (const err of cases) {
      const out = translated(err);
      expect(out).toMatchObject({ code: 'UNAVAILABLE', reason: 'full' });
      expect(asDomainError(out).message).toBe(new EventStoreUnavailableError('noc-N1', 'full').message);
    }
  });

  it('turns a revision conflict into WrongExpectedRevisionError naming the actual revision, or no-stream', () => {
    const versions = { exception: 'wrong-expected-version', 'stream-name': 'noc-N1', 'expected-version': '4' };
    const conflict = translated(clientError(GRPC.UNKNOWN, 'Wrong expected version', { ...versions, 'actual-version': '7' }));
    expect(conflict).toBeInstanceOf(WrongExpectedRevisionError);
    expect(conflict).toMatchObject({ code: 'WRONG_EXPECTED_REVISION', stream: 'noc-N1', expected: 4, actual: 7 });
    expect(translated(clientError(GRPC.UNKNOWN, 'Wrong expected version', versions))).toMatchObject({ actual: 'no-stream' });
  });

  it('passes through what is no outage: a deleted stream, a batch larger than the server takes, an unknown failure', () => {
    const deleted = clientError(GRPC.UNKNOWN, 'Stream deleted', { exception: 'stream-deleted', 'stream-name': 'noc-N1' });
    const tooBig = clientError(GRPC.UNKNOWN, 'Maximum append size exceeded', { exception: 'maximum-append-size-exceeded', 'maximum-append-size': '1048576' });
    const odd = clientError(GRPC.UNKNOWN, 'Something else entirely');
    expect(deleted).toBeInstanceOf(StreamDeletedError);
    expect(tooBig).toBeInstanceOf(MaxAppendSizeExceededError);
    for (const err of [deleted, tooBig, odd]) expect(translated(err)).toBe(err);
  });
});
