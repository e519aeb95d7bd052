import { Writable } from 'node:stream';
import pino from 'pino';
import { lazyRequestLogger, logsAt } from '../../api/request-logger';

/** A request's logger is pino's child, made on the first line its level lets through. */
function sinkLogger(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level }, sink);
  return { lines, logger };
}

describe('the request logger made on first use', () => {
  it('writes what a pino child with the same bindings and level writes, and nothing its level drops', () => {
    const { lines, logger } = sinkLogger('info');
    const child = jest.spyOn(logger, 'child');
    const log = lazyRequestLogger(logger, { reqId: 'req-1' }, { level: 'warn' });
    log.info({ url: '/x' }, 'request');
    log.debug('detail');
    expect(child).not.toHaveBeenCalled();
    log.warn({ refusal: 'UNAUTHENTICATED' }, 'access refused');
    log.error('failed');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, reqId: 'req-1', refusal: 'UNAUTHENTICATED', msg: 'access refused' }),
      expect.objectContaining({ level: 50, reqId: 'req-1', msg: 'failed' }),
    ]);
  });

  it("follows the server's level when the route sets none, and says whether a level would be written", () => {
    const { lines, logger } = sinkLogger('info');
    const log = lazyRequestLogger(logger, { reqId: 'req-2' }, {});
    expect(log.level).toBe('info');
    expect(logsAt(log, 'info')).toBe(true);
    expect(logsAt(log, 'debug')).toBe(false);
    expect(logsAt(lazyRequestLogger(logger, { reqId: 'req-3' }, { level: 'warn' }), 'info')).toBe(false);
    expect(logsAt(lazyRequestLogger(sinkLogger('silent').logger, { reqId: 'req-4' }, {}), 'fatal')).toBe(false);
    log.info({ status: 200 }, 'request');
    expect(lines).toEqual([expect.objectContaining({ level: 30, reqId: 'req-2', status: 200, msg: 'request' })]);
  });

  it('gives its own children the request id too', () => {
    const { lines, logger } = sinkLogger('info');
    lazyRequestLogger(logger, { reqId: 'req-5' }, {}).child({ part: 'audit' }).info('done');
    expect(lines).toEqual([expect.objectContaining({ reqId: 'req-5', part: 'audit', msg: 'done' })]);
  });
});
