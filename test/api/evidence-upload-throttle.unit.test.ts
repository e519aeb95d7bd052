import { loadConfig } from '../../config/config';
import { memoryEvidenceStore } from '../support/memory-evidence';
import { seedEnrolledAccount } from '../support/identity';
import { PASSWORD, startTestApi, type TestApi } from './harness';

/** Each account may upload only so many evidence files an hour (EVIDENCE_UPLOADS_PER_HOUR); every file counts. */
const PER_HOUR = 2;
let api: TestApi;
let store: ReturnType<typeof memoryEvidenceStore>;
let otherCsp: string;

const upload = (authorization: string, text: string) =>
  api.app.inject({ method: 'POST', url: '/api/evidence?filename=notes.txt', headers: { authorization, 'content-type': 'text/plain' }, payload: text });

beforeAll(async () => {
  store = memoryEvidenceStore(4096);
  api = await startTestApi({
    deps: { config: loadConfig({ EVIDENCE_UPLOADS_PER_HOUR: String(PER_HOUR) }), evidence: { store, references: { referencesTo: () => [] }, maxBytes: 4096 } },
  });
  const other = await seedEnrolledAccount(api.identity, { username: 'csp-two-rep', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-two', password: PASSWORD });
  otherCsp = `Bearer ${other.token}`;
});
afterAll(async () => {
  await api.close();
});

describe('the hourly evidence upload allowance of an account', () => {
  it('stores files up to the allowance, then refuses the next with 429 RATE_LIMITED and Retry-After, storing nothing, while another account still uploads', async () => {
    const csp = api.as('csp').authorization;
    expect((await upload(csp, 'first file')).statusCode).toBe(201);
    expect((await upload(csp, 'second file')).statusCode).toBe(201);
    const refused = await upload(csp, 'third file');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(store.files.size).toBe(2);
    expect((await upload(otherCsp, 'another provider file')).statusCode).toBe(201);
  });

  it('is 60 files an hour unless configured, and refuses a setting that is not a whole number from 1', () => {
    expect(loadConfig({}).evidence.uploadsPerHour).toBe(60);
    expect(loadConfig({ EVIDENCE_UPLOADS_PER_HOUR: '500' }).evidence.uploadsPerHour).toBe(500);
    expect(() => loadConfig({ EVIDENCE_UPLOADS_PER_HOUR: '0' })).toThrow(/EVIDENCE_UPLOADS_PER_HOUR/);
  });
});
