import { apiClient, type ApiClient } from '../support/api-client';
import { startStack, type Stack } from '../support/stack';

/**
 * A public service entity's procurements on the real Temporal dev server, no time skipping: HTTP API →
 * procurement check on the read models → PSE process → event store → adoption figures.
 */
const TASK_QUEUE = 'system-procurement';
const PASSWORD = 'a long enough password';
const CSP_ID = 'csp-nimbus';
const PSE_ID = 'pse-moitt';
const ACCOUNTS = {
  admin: { username: 'ada', role: 'admin', jurisdiction: 'federal', displayName: 'Ada Admin' },
  csp: { username: 'nimbus', role: 'csp', jurisdiction: 'federal', organisationId: CSP_ID, displayName: 'Nimbus representative' },
  pse: { username: 'moitt', role: 'pse', jurisdiction: 'federal', organisationId: PSE_ID, displayName: 'MoITT officer' },
  punjabOfficer: { username: 'pb-officer', role: 'provincial-officer', jurisdiction: 'punjab', displayName: 'Punjab officer' },
  sindhOfficer: { username: 'sd-officer', role: 'provincial-officer', jurisdiction: 'sindh', displayName: 'Sindh officer' },
  otherPse: { username: 'fbr', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-fbr', displayName: 'FBR officer' },
} as const;
type Who = keyof typeof ACCOUNTS;

let stack: Stack;
let api: ApiClient<Who>;

beforeAll(async () => {
  // The register starts empty: registering the entity is part of what is tested.
  stack = await startStack({ taskQueue: TASK_QUEUE, accounts: ACCOUNTS, password: PASSWORD, entities: [] });
  api = await apiClient(stack, ACCOUNTS, PASSWORD);
});

afterAll(async () => {
  await stack?.close();
});

const call = (method: string, path: string, who?: Who, body?: unknown) => api.call(method, path, who, body);
/** The check and the figures answer from projections: wait until they have caught up with the log. */
const projected = (): Promise<void> => api.projected();

const errorOf = (res: { body: Record<string, unknown> }) => res.body.error as { code?: string; message?: string } | undefined;

const PUBLIC_SAAS = {
  offeringId: 'off-mail',
  name: 'Nimbus Mail',
  serviceModels: ['SaaS'],
  deploymentModel: 'public',
  dataCentres: [{ city: 'Frankfurt', country: 'DE' }],
};

describe('procurements and adoption through the API', () => {
  it('records an allowed procurement, refuses a denied one without writing it, and counts workloads in the adoption figures', async () => {
    const organisation = { cspId: CSP_ID, name: 'Nimbus Cloud (Pvt) Ltd', registrationNumber: '0123456', contact: { name: 'Ayesha Khan', email: 'compliance@nimbus.example.pk' } };
    expect((await call('POST', '/api/csps', 'csp', organisation)).status).toBe(201);
    expect((await call('POST', `/api/csps/${CSP_ID}/offerings`, 'csp', PUBLIC_SAAS)).status).toBe(201);

    const entity = { pseId: PSE_ID, name: 'Ministry of IT and Telecom', ministry: 'Ministry of IT and Telecom', jurisdiction: 'federal' };
    expect(errorOf(await call('POST', '/api/pses', 'pse', entity))?.code).toBe('ROLE_NOT_ALLOWED');
    expect((await call('POST', '/api/pses', 'admin', entity)).status).toBe(201);
    expect(errorOf(await call('POST', '/api/pses', 'admin', { ...entity, name: 'Another' }))?.code).toBe('PSE_ALREADY_REGISTERED');
    await projected();

    // Open data needs only a registered CSP.
    const allowed = await call('POST', '/api/procurements', 'pse', { offeringId: 'off-mail', dataClass: 'open', system: 'Public website' });
    expect(allowed.status).toBe(201);
    const recorded = allowed.body as { pseId: string; procurement: { procurementId: string; status: string; check: { decision: string } } };
    expect(recorded).toMatchObject({ pseId: PSE_ID, procurement: { status: 'active', check: { decision: 'allowed' } } });

    // Restricted data on a non-government cloud abroad is denied, with the reasons named, and nothing is written.
    const denied = await call('POST', '/api/procurements', 'pse', { offeringId: 'off-mail', dataClass: 'restricted', system: 'Case files' });
    expect(denied.status).toBe(422);
    expect(errorOf(denied)?.code).toBe('PROCUREMENT_DENIED');
    expect(errorOf(denied)?.message).toContain('NOT_GOVERNMENT_CLOUD');
    expect((await stack.store.readStream(`pse-${PSE_ID}`)).map((e) => e.type)).toEqual(['PseRegistered', 'ProcurementRecorded']);

    // An entity that is not registered records nothing either.
    expect(errorOf(await call('POST', '/api/procurements', 'otherPse', { offeringId: 'off-mail', dataClass: 'open', system: 'Site' }))?.code).toBe('PSE_NOT_REGISTERED');

    const view = await call('GET', `/api/pses/${PSE_ID}`, 'admin');
    expect(view.status).toBe(200);
    expect(Object.keys((view.body as { state: { procurements: object } }).state.procurements)).toEqual([recorded.procurement.procurementId]);

    await projected();
    const figures = await call('GET', '/api/adoption');
    expect(figures.status).toBe(200);
    expect(figures.body).toMatchObject({
      totals: { workloadsOnAccredited: 1, workloadsUnderNoc: 0, activeNocs: 0, nocsExpiringWithin30Days: 0 },
      byJurisdiction: [{ jurisdiction: 'federal', workloadsOnAccredited: 1 }],
      byMinistry: [{ jurisdiction: 'federal', ministry: 'Ministry of IT and Telecom', workloadsOnAccredited: 1 }],
    });

    const ended = await call('POST', `/api/procurements/${recorded.procurement.procurementId}/end`, 'pse', { reason: 'Site moved' });
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ procurement: { status: 'ended' } });
    expect(errorOf(await call('POST', `/api/procurements/${recorded.procurement.procurementId}/end`, 'pse', { reason: 'again' }))?.code).toBe('PROCUREMENT_ENDED');
    await projected();
    expect(((await call('GET', '/api/adoption')).body as { totals: { workloadsOnAccredited: number } }).totals.workloadsOnAccredited).toBe(0);
  });

  it("lets a provincial officer register their own province's entities only, and see only those", async () => {
    const lands = { pseId: 'pse-pb-lands', name: 'Punjab Land Records Authority', ministry: 'Board of Revenue', jurisdiction: 'punjab' };
    const refused = await call('POST', '/api/pses', 'punjabOfficer', { ...lands, pseId: 'pse-sd-lands', jurisdiction: 'sindh' });
    expect(refused.status).toBe(403);
    expect(errorOf(refused)).toMatchObject({ code: 'OUTSIDE_JURISDICTION', field: 'jurisdiction' });
    expect((await call('POST', '/api/pses', 'punjabOfficer', lands)).status).toBe(201);
    expect((await call('GET', '/api/pses/pse-pb-lands', 'punjabOfficer')).body).toMatchObject({ state: { jurisdiction: 'punjab', registeredBy: expect.any(String) } });
    expect((await call('GET', '/api/pses/pse-pb-lands', 'sindhOfficer')).status).toBe(404);
    expect((await call('GET', '/api/pses/pse-pb-lands', 'admin')).status).toBe(200);

    // The register as a list: each sees the entities of their own province; federal staff see every province's.
    await projected();
    const ids = async (who: Who, query = '') => ((await call('GET', `/api/pses${query}`, who)).body as { items: { pseId: string }[] }).items.map((e) => e.pseId);
    expect(await ids('punjabOfficer')).toEqual(['pse-pb-lands']);
    expect(await ids('sindhOfficer')).toEqual([]);
    expect(await ids('punjabOfficer', '?jurisdiction=federal')).toEqual([]);
    expect(await ids('admin', '?jurisdiction=punjab')).toEqual(['pse-pb-lands']);
    expect(await ids('admin')).toEqual(expect.arrayContaining([PSE_ID, 'pse-pb-lands']));

    // One province's adoption figures carry that province's rows only.
    await projected();
    const punjab = (await call('GET', '/api/adoption?jurisdiction=punjab')).body as { byJurisdiction: { jurisdiction: string }[]; byMinistry: { jurisdiction: string }[] };
    expect([...punjab.byJurisdiction, ...punjab.byMinistry].every((r) => r.jurisdiction === 'punjab')).toBe(true);
    expect(errorOf(await call('GET', '/api/adoption?jurisdiction=atlantis'))).toMatchObject({ code: 'VALIDATION_FAILED', field: 'jurisdiction' });
  });
});
