import { createFrameworkRegister } from '../../api/framework-register';
import { FRAMEWORK_1_0 } from '../domain/framework-fixtures';
import { nextFramework } from '../domain/framework-fixtures-register';
import { seedEnrolledAccount } from '../support/identity';
import { MemoryStreams } from './framework-register-store';
import { PASSWORD, startTestApi, type TestApi } from './harness';

const EFFECTIVE = '2027-01-01T00:00:00.000Z';
let clock = '2026-12-01T09:00:00.000Z';
let api: TestApi;
let secondDirector: { authorization: string };

beforeAll(async () => {
  const frameworkRegister = createFrameworkRegister({ eventStore: new MemoryStreams(), genesis: FRAMEWORK_1_0, now: () => new Date(clock) });
  api = await startTestApi({ deps: { frameworkRegister } });
  const session = await seedEnrolledAccount(api.identity, { username: 'director-two', role: 'director', jurisdiction: 'federal', displayName: 'Second Director', password: PASSWORD });
  secondDirector = { authorization: `Bearer ${session.token}` };
});
afterAll(() => api.close());

const proposal = { framework: nextFramework('1.1', EFFECTIVE), changes: 'Weights SEC-01 more; adds key rotation' };
const post = (url: string, headers: Record<string, string>, payload: unknown = {}) => api.app.inject({ method: 'POST', url, headers, payload: payload as object });
const get = (url: string) => api.app.inject({ method: 'GET', url });

describe('publishing a framework version through the API', () => {
  it('refuses a proposal from anyone but a director', async () => {
    const res = await post('/api/frameworks', api.as('reviewer'), proposal);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('ROLE_NOT_ALLOWED');
  });

  it('refuses a framework document that breaks the schema, naming the field', async () => {
    const broken = { ...proposal, framework: { ...proposal.framework, version: 'one' } };
    const res = await post('/api/frameworks', api.as('director'), broken);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('framework.version');
  });

  it('records a director’s proposal, with the criteria it changes against the version in force', async () => {
    const res = await post('/api/frameworks', api.as('director'), proposal);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ version: '1.1', status: 'proposed', effectiveFrom: EFFECTIVE, diff: { from: '1.0', to: '1.1', added: [{ id: 'SEC-09' }] } });
  });

  it('refuses the same version twice', async () => {
    const res = await post('/api/frameworks', secondDirector, proposal);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('FRAMEWORK_VERSION_EXISTS');
  });

  it('refuses the proposer’s own approval, then records another director’s', async () => {
    const own = await post('/api/frameworks/1.1/approve', api.as('director'));
    expect(own.statusCode).toBe(403);
    expect(own.json().error.code).toBe('FRAMEWORK_SELF_APPROVAL');
    const other = await post('/api/frameworks/1.1/approve', secondDirector);
    expect(other.statusCode).toBe(200);
    expect(other.json()).toMatchObject({ version: '1.1', status: 'approved' });
  });

  it('shows the public every version, and the one in force moves at effectiveFrom', async () => {
    const list = await get('/api/frameworks');
    expect(list.statusCode).toBe(200);
    expect(list.json().versions.map((v: { version: string; status: string; genesis: boolean }) => [v.version, v.status, v.genesis])).toEqual([
      ['1.0', 'approved', true],
      ['1.1', 'approved', false],
    ]);
    expect((await get('/api/frameworks/current')).json().version).toBe('1.0');
    clock = '2027-01-01T00:00:00.000Z';
    expect((await get('/api/frameworks/current')).json().version).toBe('1.1');
  });
});
