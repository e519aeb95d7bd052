import { loadConfig } from '../../config/config';
import { createFrameworkLibrary } from '../../config/framework';
import { allCriteria } from '../../domain/framework/schema';
import { apiClient, type ApiClient, type Reply } from '../support/api-client';
import { startStack, type Stack } from '../support/stack';

/**
 * What an offering's standing does to the entities using it (SPEC §3.1), on the real Temporal dev server
 * through the HTTP API: a suspension stops new procurements while the workload already there continues,
 * and the entity is told of it and of the reinstatement; a revocation lets nothing new on, not even for
 * an entity already using the offering, and starts its migration period.
 */
const TASK_QUEUE = 'system-offering-standing';
const PASSWORD = 'a long enough password';
const CSP_ID = 'csp-nimbus';
const PSE_ID = 'pse-moitt';
const ACCOUNTS = {
  admin: { username: 'ada', role: 'admin', jurisdiction: 'federal', displayName: 'Ada Admin' },
  csp: { username: 'nimbus', role: 'csp', jurisdiction: 'federal', organisationId: CSP_ID, displayName: 'Nimbus representative' },
  reviewer: { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  security: { username: 'saima', role: 'security-reviewer', jurisdiction: 'federal', displayName: 'Saima Security' },
  director: { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
  pse: { username: 'moitt', role: 'pse', jurisdiction: 'federal', organisationId: PSE_ID, displayName: 'MoITT officer' },
} as const;
type Who = keyof typeof ACCOUNTS;

const GOV_CLOUD = {
  offeringId: 'off-gov',
  name: 'Nimbus Government Cloud',
  serviceModels: ['IaaS', 'PaaS'],
  deploymentModel: 'government',
  dataCentres: [{ city: 'Islamabad', country: 'PK' }],
};
const frameworks = createFrameworkLibrary(loadConfig({}).framework);
const enhancedScores = (): Record<string, number> => Object.fromEntries(allCriteria(frameworks.load('1.0')).map((c) => [c.id, c.minimum.enhanced]));

let stack: Stack;
let api: ApiClient<Who>;

beforeAll(async () => {
  stack = await startStack({ taskQueue: TASK_QUEUE, accounts: ACCOUNTS, password: PASSWORD, entities: [] });
  api = await apiClient(stack, ACCOUNTS, PASSWORD);
});

afterAll(async () => {
  await stack?.close();
});

const errorOf = (res: Reply) => res.body.error as { code?: string; message?: string } | undefined;
const newProcurement = (system: string) => api.call('POST', '/api/procurements', 'pse', { offeringId: 'off-gov', dataClass: 'restricted', system });
const kinds = async (): Promise<string[]> => ((await api.ok('GET', '/api/notifications', 'pse')).items as { kind: string }[]).map((n) => n.kind);

async function eventually<T>(read: () => Promise<T>, ready: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (ready(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never: ${what}`);
}

describe('an offering’s standing and the entities using it, through the API', () => {
  it('stops new procurements during a suspension while the workload continues, tells the entity, and after a revocation lets nothing new on', async () => {
    await api.ok('POST', '/api/csps', 'csp', { cspId: CSP_ID, name: 'Nimbus Cloud (Pvt) Ltd', registrationNumber: '0123456', contact: { name: 'Ayesha Khan', email: 'compliance@nimbus.example.pk' } });
    await api.ok('POST', `/api/csps/${CSP_ID}/offerings`, 'csp', GOV_CLOUD);
    await api.ok('POST', '/api/pses', 'admin', { pseId: PSE_ID, name: 'Ministry of IT and Telecom', ministry: 'Ministry of IT and Telecom', jurisdiction: 'federal' });
    const submitted = await api.ok('POST', '/api/accreditations', 'csp', { offeringId: 'off-gov', requestedBaseline: 'enhanced', evidence: [{ kind: 'iso-27001', reference: 'IS 712345' }] });
    const id = (submitted.state as { application: { applicationId: string } }).application.applicationId;
    const step = (path: string, who: Who, body: unknown = {}) => api.ok('POST', `/api/accreditations/${id}/${path}`, who, body);
    await step('start-screening', 'reviewer');
    await step('complete-screening', 'reviewer', { notes: 'Complete' });
    await step('score', 'reviewer', { scores: enhancedScores(), rationale: 'Evidence reviewed' });
    await step('security-review', 'security', { outcome: 'passed', notes: 'Penetration test clean' });
    await step('decide', 'director', { decision: 'approve', baseline: 'intermediate', highestDataClass: 'restricted', reasons: 'Meets the baseline' });
    await api.projected();

    const first = await newProcurement('Case files');
    expect(first.status).toBe(201);
    const procurementId = (first.body as { procurement: { procurementId: string } }).procurement.procurementId;

    // Suspended: nothing new, the workload continues, and the entity is told.
    await step('suspend', 'director', { reasons: 'Data-centre audit finding' });
    await api.projected();
    const refused = await newProcurement('Another system');
    expect(refused.status).toBe(422);
    expect(errorOf(refused)).toMatchObject({ code: 'PROCUREMENT_DENIED', message: expect.stringContaining('ACCREDITATION_SUSPENDED') });
    const entity = await api.ok('GET', `/api/pses/${PSE_ID}`, 'pse');
    expect((entity.state as { procurements: Record<string, { status: string }> }).procurements[procurementId]?.status).toBe('active');
    expect(await kinds()).toContain('offering-suspended');
    expect((await api.ok('GET', '/api/adoption', 'admin')).totals).toMatchObject({ workloadsOnAccredited: 1, workloadsInTransition: 0, workloadsNonCompliant: 0 });

    await step('reinstate', 'director', { reasons: 'Finding closed' });
    await api.projected();
    expect(await kinds()).toContain('offering-reinstated');

    // Revoked: even the entity already using it may put nothing new on it; its workload is told to migrate.
    await step('revoke', 'director', { reasons: 'Data found outside Pakistan' });
    await api.projected();
    const afterRevocation = await newProcurement('Yet another system');
    expect(afterRevocation.status).toBe(422);
    expect(errorOf(afterRevocation)?.message).toContain('ACCREDITATION_REVOKED');
    await eventually(kinds, (k) => k.includes('migration-notice'), 'the migration notice');
    await api.projected();
    expect((await api.ok('GET', '/api/adoption', 'admin')).totals).toMatchObject({ workloadsOnAccredited: 0, workloadsInTransition: 1, workloadsNonCompliant: 0 });
    expect((await stack.store.readStream(`pse-${PSE_ID}`)).map((e) => e.type)).toEqual(['PseRegistered', 'ProcurementRecorded']);
  });
});
