import type { AdoptionQueries, NonCompliantProcurement } from '../../projections/adoption/queries';
import { startTestApi, type TestApi } from './harness';

/** Workloads flagged non-compliant after a revocation's migration deadline, as each role may see them. */
const row = (pseId: string, jurisdiction: NonCompliantProcurement['jurisdiction'], procurementId: string): NonCompliantProcurement => ({
  pseId,
  name: `Entity ${pseId}`,
  ministry: 'IT',
  jurisdiction,
  procurementId,
  offeringId: 'off-pub',
  system: 'Payroll',
  dataClass: 'public',
  reason: 'migration-deadline',
  migrateBy: '2025-06-01T00:00:00.000Z',
  flaggedAt: '2025-06-01T00:00:00.000Z',
});
const ROWS = [row('pse-moitt', 'federal', 'p-1'), row('pse-other-federal', 'federal', 'p-2'), row('pse-lahore', 'punjab', 'p-3')];

const asked: { jurisdiction?: string }[] = [];
const adoptionQueries: AdoptionQueries = {
  figures: () => {
    throw new Error('not used here');
  },
  buckets: () => {
    throw new Error('not used here');
  },
  nonCompliant: (_now, filter = {}) => {
    asked.push(filter);
    return ROWS.filter((r) => filter.jurisdiction === undefined || r.jurisdiction === filter.jurisdiction);
  },
};

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ deps: { adoptionQueries } });
});
afterAll(() => api.close());

const get = (who: Parameters<TestApi['as']>[0]) => api.app.inject({ method: 'GET', url: '/api/adoption/non-compliant', headers: api.as(who) });

describe('GET /api/adoption/non-compliant', () => {
  it("shows the Cloud Office's federal staff every province's flagged workloads", async () => {
    const res = await get('reviewer');
    expect(res.statusCode).toBe(200);
    expect(res.json().map((r: NonCompliantProcurement) => r.procurementId)).toEqual(['p-1', 'p-2', 'p-3']);
  });

  it("shows a public service entity only its own workloads, never another entity's", async () => {
    const own = await get('pse');
    expect(own.json().map((r: NonCompliantProcurement) => r.procurementId)).toEqual(['p-1']);
    const provincial = await get('otherPse');
    expect(provincial.json().map((r: NonCompliantProcurement) => r.procurementId)).toEqual(['p-3']);
    expect(asked.slice(-2)).toEqual([{}, {}]);
  });

  it('refuses a cloud provider, whose business the entities’ workloads are not', async () => {
    const res = await get('csp');
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('ROLE_NOT_ALLOWED');
  });

  it('refuses without a token', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/adoption/non-compliant' });
    expect(res.statusCode).toBe(401);
  });
});
