import type { FastifyInstance } from 'fastify';
import { createFrameworkRegister } from '../../api/framework-register';
import { loadConfig } from '../../config/config';
import { FRAMEWORK_1_0 } from '../domain/framework-fixtures';
import { directorA, directorB, nextFramework } from '../domain/framework-fixtures-register';
import { FakeEventStore, officeWithFakes } from '../api/fakes';
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
  app = composeOffice(officeWithFakes({ dataDir: loadConfig({}).dataDir, identity, eventStore: new FakeEventStore() }, { frameworkRegister }));
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
    expect(res.body).toContain('<a href="/frameworks/1.0">1.0</a> <strong>(in force)</strong>');
    expect(res.body).toContain('Key rotation &lt;required&gt;');
    expect(res.body).toContain('Added SEC-09 Key rotation');
    expect(res.body).toContain('Rejected: Not consulted yet');
  });

  it('gives each version a page of its own with its criteria and what it changed against the version before', async () => {
    const index = await app.inject({ method: 'GET', url: '/frameworks' });
    expect(index.body).toContain('<a href="/frameworks/1.2">1.2</a>');
    const res = await app.inject({ method: 'GET', url: '/frameworks/1.1' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Benchmark framework 1.1</h1>');
    expect(res.body).toContain('Key rotation &lt;required&gt;');
    expect(res.body).toContain('Changes against <a href="/frameworks/1.0">version 1.0</a>');
    expect(res.body).toContain('<li>Added SEC-09 Key rotation</li>');
    expect(res.body).toContain('<th scope="row">SEC-09<br><span class="muted">Key rotation</span></th>');
    const genesis = await app.inject({ method: 'GET', url: '/frameworks/1.0' });
    expect(genesis.body).toContain('The first version');
    expect(genesis.body).toContain('in force now');
    const rejected = await app.inject({ method: 'GET', url: '/frameworks/1.2' });
    expect(rejected.body).toContain('<dt>Rejected</dt><dd>Not consulted yet</dd>');
  });

  it('answers a page saying so, with status 404, for a version that does not exist', async () => {
    for (const version of ['9.9', 'latest']) {
      const res = await app.inject({ method: 'GET', url: `/frameworks/${version}` });
      expect(res.statusCode).toBe(404);
      expect(res.body).toContain('<h1>Version not found</h1>');
    }
  });

  it('marks the new version in force once its effectiveFrom has come', async () => {
    clock = '2027-01-01T00:00:00.000Z';
    const res = await app.inject({ method: 'GET', url: '/frameworks' });
    expect(res.body).toContain('<a href="/frameworks/1.1">1.1</a> <strong>(in force)</strong>');
  });
});
