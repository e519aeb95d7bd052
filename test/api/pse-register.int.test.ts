import { createTemporalNocGateway } from '../../api/noc-gateway';
import { createTemporalPseGateway } from '../../api/pse-gateway';
import { registeredEntityFromStream } from '../../api/pse-register-entry';
import { NOC_REQUEST } from './harness';
import { startWorkflowApi, type WorkflowApi } from './workflow-api';

/**
 * Keeping the PSE register over the real PSE and NOC processes: an entity's registrars correct its
 * name and ministry, a federal administrator moves it to another jurisdiction, each with a reason; the
 * entry shows both; a NOC requested after the move takes the new jurisdiction and the one before keeps its own.
 * The NOC gateway reads the register from the entities' streams, as server/main.ts builds it.
 */
const TASK_QUEUE = 'pse-register-int';
const ACCOUNTS = {
  admin: { username: 'fed-admin', role: 'admin', jurisdiction: 'federal' },
  punjabAdmin: { username: 'pb-admin', role: 'admin', jurisdiction: 'punjab' },
  punjabOfficer: { username: 'pb-officer', role: 'provincial-officer', jurisdiction: 'punjab' },
  sindhOfficer: { username: 'sd-officer', role: 'provincial-officer', jurisdiction: 'sindh' },
  lahorePse: { username: 'lahore-pb', role: 'pse', jurisdiction: 'punjab', organisationId: 'pse-lahore' },
  // The same entity's officer once an administrator has corrected the account after the move.
  lahorePseMoved: { username: 'lahore-sd', role: 'pse', jurisdiction: 'sindh', organisationId: 'pse-lahore' },
  unregisteredPse: { username: 'karachi-sd', role: 'pse', jurisdiction: 'sindh', organisationId: 'pse-karachi' },
  director: { username: 'dir', role: 'director', jurisdiction: 'federal' },
} as const;
type Who = keyof typeof ACCOUNTS;

let api: WorkflowApi<Who>;

beforeAll(async () => {
  api = await startWorkflowApi({
    taskQueue: TASK_QUEUE,
    accounts: ACCOUNTS,
    deps: async ({ env, config, signing, store }) => ({
      nocGateway: createTemporalNocGateway(env.client, config, signing, { registeredEntity: registeredEntityFromStream(store) }),
      pseGateway: createTemporalPseGateway({ client: env.client, config, signing, procurementCheck: () => { throw new Error('no procurements here'); } }),
    }),
  });
});

afterAll(async () => {
  await api?.close();
});

async function send(who: Who, method: 'GET' | 'POST', url: string, payload?: object) {
  const res = await api.app.inject({ method, url, headers: { authorization: `Bearer ${api.tokens[who]}` }, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json() };
}

describe('keeping the PSE register', () => {
  it("corrects an entity's name and ministry by its province's officer, moves it by a federal administrator, and shows both on the entry", async () => {
    const unregistered = await send('unregisteredPse', 'POST', '/api/nocs', NOC_REQUEST);
    expect(unregistered.body.error).toMatchObject({ code: 'PSE_NOT_REGISTERED', field: 'pseId' });

    const registered = await send('punjabOfficer', 'POST', '/api/pses', { pseId: 'pse-lahore', name: 'Lahore Devlopment Authority', ministry: 'Housing', jurisdiction: 'punjab' });
    expect(registered.status).toBe(201);

    const corrected = await send('punjabOfficer', 'POST', '/api/pses/pse-lahore/details', { name: 'Lahore Development Authority', reason: 'Misspelt at registration' });
    expect(corrected.status).toBe(200);
    expect(corrected.body).toMatchObject({ revision: 1, state: { name: 'Lahore Development Authority', ministry: 'Housing', jurisdiction: 'punjab' } });

    const unchanged = await send('punjabOfficer', 'POST', '/api/pses/pse-lahore/details', { ministry: 'Housing', reason: 'Again' });
    expect(unchanged.status).toBe(422);
    expect(unchanged.body.error).toMatchObject({ code: 'PSE_UNCHANGED', field: 'ministry' });
    const empty = await send('punjabOfficer', 'POST', '/api/pses/pse-lahore/details', { reason: 'Nothing' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.field).toBe('name');

    // Before the move, a NOC of the entity is Punjab's.
    const before = await send('lahorePse', 'POST', '/api/nocs', NOC_REQUEST);
    expect(before.status).toBe(201);
    expect(before.body.state.request).toMatchObject({ pseId: 'pse-lahore', jurisdiction: 'punjab' });
    const nocBefore = before.body.state.request.nocId as string;

    const byOfficer = await send('punjabOfficer', 'POST', '/api/pses/pse-lahore/jurisdiction', { jurisdiction: 'sindh', reason: 'Transferred' });
    expect(byOfficer.status).toBe(403);
    expect(byOfficer.body.error.code).toBe('ROLE_NOT_ALLOWED');
    const byProvincialAdmin = await send('punjabAdmin', 'POST', '/api/pses/pse-lahore/jurisdiction', { jurisdiction: 'sindh', reason: 'Transferred' });
    expect(byProvincialAdmin.status).toBe(403);
    expect(byProvincialAdmin.body.error.code).toBe('ROLE_NOT_ALLOWED');

    const moved = await send('admin', 'POST', '/api/pses/pse-lahore/jurisdiction', { jurisdiction: 'sindh', reason: 'Transferred by notification' });
    expect(moved.status).toBe(200);
    const shown = await send('sindhOfficer', 'GET', '/api/pses/pse-lahore');
    expect(shown.status).toBe(200);
    expect(shown.body.state).toMatchObject({ jurisdiction: 'sindh', name: 'Lahore Development Authority' });
    expect(shown.body.state.amendments).toEqual([
      expect.objectContaining({ kind: 'details-corrected', from: { name: 'Lahore Devlopment Authority' }, to: { name: 'Lahore Development Authority' }, reason: 'Misspelt at registration' }),
      expect.objectContaining({ kind: 'jurisdiction-changed', from: { jurisdiction: 'punjab' }, to: { jurisdiction: 'sindh' }, reason: 'Transferred by notification' }),
    ]);

    // The NOC requested before keeps Punjab; one requested after takes Sindh, once the account agrees with the register.
    const old = await send('director', 'GET', `/api/nocs/${nocBefore}`);
    expect(old.body.live.state.request.jurisdiction).toBe('punjab');
    const stale = await send('lahorePse', 'POST', '/api/nocs', NOC_REQUEST);
    expect(stale.status).toBe(403);
    expect(stale.body.error).toMatchObject({ code: 'OUTSIDE_JURISDICTION', field: 'jurisdiction' });
    const after = await send('lahorePseMoved', 'POST', '/api/nocs', NOC_REQUEST);
    expect(after.status).toBe(201);
    expect(after.body.state.request).toMatchObject({ pseId: 'pse-lahore', jurisdiction: 'sindh' });
  });

  it("answers the old province's officer, now outside the entity's jurisdiction, exactly as for an entity that does not exist", async () => {
    const hidden = await send('punjabOfficer', 'POST', '/api/pses/pse-lahore/details', { name: 'LDA', reason: 'Shorter' });
    const missing = await send('punjabOfficer', 'POST', '/api/pses/pse-nowhere/details', { name: 'LDA', reason: 'Shorter' });
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe('NOT_FOUND');
    expect(missing.status).toBe(404);
    expect(hidden.body.error.message.replace('pse-lahore', 'X')).toBe(missing.body.error.message.replace('pse-nowhere', 'X'));

    const bySindh = await send('sindhOfficer', 'POST', '/api/pses/pse-lahore/details', { ministry: 'Local Government Sindh', reason: 'Now a Sindh entity' });
    expect(bySindh.status).toBe(200);
    expect(bySindh.body.state).toMatchObject({ ministry: 'Local Government Sindh', jurisdiction: 'sindh' });
  });
});
