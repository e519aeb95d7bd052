import { Writable } from 'node:stream';
import pino from 'pino';
import { registerRow } from './fakes';
import { startTestApi, type TestApi } from './harness';

/** Every refusal of access leaves one structured warning naming the actor and the route. */
const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});
const refusals = () => lines.filter((line) => line.msg === 'access refused');

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ deps: { logger: pino({ level: 'info' }, sink) } });
  // A Punjab entity's NOC: the federal entity's officer may not see it.
  api.queries.rows.set('NOC-PB', registerRow({ nocId: 'NOC-PB', pseId: 'pse-lahore', jurisdiction: 'punjab' }));
});
afterAll(() => api.close());
beforeEach(() => {
  lines.length = 0;
});

describe('the refusal log', () => {
  it('logs a request without a token as a 401 refusal of the route, with no actor', async () => {
    await api.app.inject({ method: 'GET', url: '/api/nocs/NOC-PB' });
    expect(refusals()).toEqual([
      expect.objectContaining({ level: 40, refusal: 'UNAUTHENTICATED', status: 401, method: 'GET', route: '/api/nocs/:nocId', url: '/api/nocs/NOC-PB' }),
    ]);
    expect(refusals()[0]).not.toHaveProperty('actorId');
  });

  it('logs a role refusal with the actor, their role, jurisdiction and organisation', async () => {
    await api.app.inject({ method: 'GET', url: '/api/accounts', headers: api.as('pse') });
    expect(refusals()).toEqual([
      expect.objectContaining({
        refusal: 'ROLE_NOT_ALLOWED',
        status: 403,
        route: '/api/accounts',
        actorId: api.actors.pse.userId,
        role: 'pse',
        jurisdiction: 'federal',
        organisationId: 'pse-moitt',
      }),
    ]);
  });

  it("logs another organisation's record, answered as missing, as a 404 refusal naming the case", async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/nocs/NOC-PB', headers: api.as('pse') });
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No NOC NOC-PB' } });
    expect(refusals()).toEqual([
      expect.objectContaining({ refusal: 'NOT_FOUND', status: 404, route: '/api/nocs/:nocId', caseId: 'NOC-PB', actorId: api.actors.pse.userId }),
    ]);
  });

  it('logs nothing as refused when the request is allowed', async () => {
    await api.app.inject({ method: 'GET', url: '/api/me', headers: api.as('pse') });
    expect(refusals()).toEqual([]);
    expect(lines.some((line) => line.msg === 'request')).toBe(true);
  });
});
