import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createFrameworkRegister } from '../../api/framework-register';
import { loadConfig } from '../../config/config';
import { FRAMEWORK_1_0 } from '../domain/framework-fixtures';
import { directorA, directorB, nextFramework } from '../domain/framework-fixtures-register';
import { FakeEventStore, FakeNocGateway, FakeNocQueries } from '../api/fakes';
import { MemoryStreams } from '../api/framework-register-store';
import { createTestIdentity } from '../support/identity';
import { composeOffice } from '../../server/compose';

let app: FastifyInstance;
let close: () => Promise<void>;
let clock = '2026-12-01T09:00:00.000Z';

beforeAll(async () => {
  const frameworkRegister = createFrameworkRegister({ eventStore: new MemoryStreams(), genesis: FRAMEWORK_1_0, now: () => new Date(clock) });
  await frameworkRegister.propose(directorA, { framework: nextFramework('1.1', '2027-01-01T00:00:00.000Z'), changes: 'Key rotation <required>' });
  await frameworkRegister.approve(directorB, '1.1');
  await frameworkRegister.propose(directorA, { framework: nextFramework('1.2', '2027-06-01T00:00:00.000Z'), changes: 'Too early' });
  await frameworkRegister.reject(directorB, '1.2', 'Not consulted yet');
  const identity = await createTestIdentity();
  app = composeOffice({
    config: loadConfig({}),
    identity,
    nocGateway: new FakeNocGateway(),
    nocQueries: new FakeNocQueries(),
    eventStore: new FakeEventStore(),
    frameworkRegister,
    health: async () => ({ status: 'ok', temporal: { ok: true }, eventStore: { ok: true }, projections: [] }),
    logger: pino({ level: 'silent' }),
  });
  await app.ready();
  close = async () => {
    await app.close();
    identity.close();
  };
});
afterAll(() => close());

describe('the public framework page', () => {
  it('shows every version without signing in, the one in force marked, with what each changed', async () => {
    const res = await app.inject({ method: 'GET', url: '/frameworks' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<caption>3 versions, oldest first</caption>');
    expect(res.body).toContain('1.0 <strong>(in force)</strong>');
    expect(res.body).toContain('Key rotation &lt;required&gt;');
    expect(res.body).toContain('Added SEC-09 Key rotation');
    expect(res.body).toContain('Rejected: Not consulted yet');
  });

  it('marks the new version in force once its effectiveFrom has come', async () => {
    clock = '2027-01-01T00:00:00.000Z';
    const res = await app.inject({ method: 'GET', url: '/frameworks' });
    expect(res.body).toContain('1.1 <strong>(in force)</strong>');
  });
});
