import { Writable } from 'node:stream';
import pino from 'pino';
import type { ReadModelDb } from '../../projections/db';
import { createPublicQueries } from '../../projections/procurement/queries';
import { startTestApi, type TestApi } from './harness';
import { publicHistory } from './public-fixture';

/**
 * The public procurement check logs at warning level (see README, Benchmarks): its answers leave no
 * line, its refusals and errors still do, and every other route keeps its line per request.
 */
const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

const CHECK = '/api/procurement-check?pse=pse-moitt&offering=off-gov&dataClass=restricted';

let db: ReadModelDb;
let api: TestApi;
beforeAll(async () => {
  db = publicHistory();
  api = await startTestApi({ deps: { logger: pino({ level: 'info' }, sink), publicQueries: createPublicQueries(db) } });
});
afterAll(async () => {
  await api.close();
  db.close();
});
beforeEach(() => {
  lines.length = 0;
});

describe('the log of the procurement check', () => {
  it('has no line for an answered check, neither the request nor a warning about the reply', async () => {
    const res = await api.app.inject({ method: 'GET', url: CHECK });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ decision: 'allowed' });
    expect(lines).toEqual([]);
  });

  it('still logs a check refused for an unknown token, as a warning naming the route', async () => {
    const res = await api.app.inject({ method: 'GET', url: CHECK, headers: { authorization: 'Bearer not-a-token' } });
    expect(res.statusCode).toBe(401);
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'access refused', refusal: 'UNAUTHENTICATED', route: '/api/procurement-check' })]);
  });

  it('leaves the line per request of every other route, a public one too', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/accredited-list' });
    expect(res.statusCode).toBe(200);
    expect(lines).toEqual([expect.objectContaining({ level: 30, msg: 'request', url: '/api/accredited-list', status: 200 })]);
  });

  it('binds every line to its request id, one id per request, though the logger is made only when a line is written', async () => {
    await api.app.inject({ method: 'GET', url: CHECK });
    await api.app.inject({ method: 'GET', url: CHECK, headers: { authorization: 'Bearer not-a-token' } });
    await api.app.inject({ method: 'GET', url: '/api/accredited-list' });
    await api.app.inject({ method: 'GET', url: '/api/accredited-list' });
    expect(lines).toHaveLength(3);
    const ids = lines.map((line) => line.reqId);
    for (const id of ids) expect(typeof id).toBe('string');
    expect(new Set(ids).size).toBe(3);
  });

  it('logs no warning for a route whose handler sends its own reply (a checkpoint feed not modified)', async () => {
    const first = await api.app.inject({ method: 'GET', url: '/api/audit/checkpoints' });
    const res = await api.app.inject({ method: 'GET', url: '/api/audit/checkpoints', headers: { 'if-none-match': String(first.headers.etag) } });
    expect(res.statusCode).toBe(304);
    expect(lines.filter((line) => (line.level as number) >= 40)).toEqual([]);
    expect(lines.filter((line) => line.msg === 'request').map((line) => line.status)).toEqual([200, 304]);
  });
});
