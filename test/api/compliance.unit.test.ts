import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/server';
import { loadConfig } from '../../config/config';
import { type AccountInput, type Identity } from '../../identity';
import { createTestIdentity, seedEnrolledAccount } from '../support/identity';
import { accreditedListProjection } from '../../projections/accreditation/accredited-list';
import { complianceProjection } from '../../projections/compliance/compliance';
import { ComplianceDashboardRow, ComplianceTaskRow, createComplianceQueries } from '../../projections/compliance/queries';
import type { ReadModelDb } from '../../projections/db';
import { GOV_CLOUD, PUBLIC_CLOUD, addOffering, application, registerCsp } from '../projections/accredited-fixtures';
import { cspRep, monitoringEvent, reviewEvent } from '../projections/compliance-fixtures';
import { SYSTEM_ACTOR, TestLog, memoryDb, project } from '../projections/support';
import { reviewer } from '../support/actors';
import { FakeEventStore, officeWithFakes } from './fakes';

const PASSWORD = 'correct horse battery';
const T0 = '2025-01-06T09:00:00.000Z';
const GRANTED = '2025-02-03T10:00:00.000Z';
const TERMS = { baseline: 'intermediate', highestDataClass: 'restricted', validFrom: GRANTED, validUntil: '2028-02-03T10:00:00.000Z' } as const;

const ACCOUNTS = {
  reviewer: { username: 'reviewer', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  securityReviewer: { username: 'sec', role: 'security-reviewer', jurisdiction: 'federal', displayName: 'Sana Security' },
  director: { username: 'director', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
  auditor: { username: 'auditor', role: 'auditor', jurisdiction: 'federal', displayName: 'Asma Auditor' },
  admin: { username: 'root', role: 'admin', jurisdiction: 'federal', displayName: 'Admin' },
  pse: { username: 'pse-officer', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'Parveen PSE' },
  csp: { username: 'csp-rep', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-one', displayName: 'Chaudhry CSP' },
  otherCsp: { username: 'csp-two-rep', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-two', displayName: 'Tariq CSP' },
} as const;
type Who = keyof typeof ACCOUNTS;

/**
 * Two providers, one accredited offering each. csp-one's offering is under monitoring with one review
 * waiting for its assessment (a reviewer's task) and another escalated (a director's task).
 */
function history(): ReadModelDb {
  const projections = [accreditedListProjection, complianceProjection];
  const db = memoryDb(...projections);
  const log = new TestLog();
  registerCsp(log, 'csp-one', 'One Cloud Pvt Ltd', T0);
  addOffering(log, 'csp-one', GOV_CLOUD, T0);
  registerCsp(log, 'csp-two', 'Two Cloud Ltd', T0);
  addOffering(log, 'csp-two', PUBLIC_CLOUD, T0);
  application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(TERMS, GRANTED);
  application(log, 'app-2').submit('csp-two', PUBLIC_CLOUD, T0).grant({ ...TERMS, baseline: 'baseline', highestDataClass: 'public' }, GRANTED);
  const subject = { applicationId: 'app-1', offeringId: 'off-gov', cspId: 'csp-one' };
  monitoringEvent(log, 'app-1', 'MonitoringStarted', { ...subject, firstPeriod: '2025-02', startedAt: GRANTED }, GRANTED);
  monitoringEvent(log, 'app-2', 'MonitoringStarted', { applicationId: 'app-2', offeringId: 'off-pub', cspId: 'csp-two', firstPeriod: '2025-02', startedAt: GRANTED }, GRANTED);
  const open = (reviewId: string, at: string): void => {
    reviewEvent(log, reviewId, 'ReviewOpened', { ...subject, reviewId, trigger: 'incident', description: 'Outage', openedBy: reviewer.userId, openedAt: at }, reviewer, at);
    reviewEvent(log, reviewId, 'ReviewEvidenceRequested', { request: 'Logs', dueBy: '2025-06-15T00:00:00.000Z', requestedBy: reviewer.userId }, reviewer, at);
  };
  open('rev-1', '2025-05-16T00:00:00.000Z');
  reviewEvent(log, 'rev-1', 'ReviewEvidenceSubmitted', { summary: 'Logs attached', documents: ['logs.zip'], submittedBy: cspRep.userId }, cspRep, '2025-06-01T09:00:00.000Z');
  open('rev-2', '2025-05-17T00:00:00.000Z');
  reviewEvent(log, 'rev-2', 'ReviewEvidenceOverdue', { dueBy: '2025-06-15T00:00:00.000Z' }, SYSTEM_ACTOR, '2025-06-15T00:00:00.000Z');
  reviewEvent(log, 'rev-2', 'ReviewEscalated', { reason: 'evidence-overdue', findingIds: [], escalatedAt: '2025-06-15T00:00:00.000Z' }, SYSTEM_ACTOR, '2025-06-15T00:00:00.000Z');
  project(db, projections, log.events);
  return db;
}

let app: FastifyInstance;
let bare: FastifyInstance;
let identity: Identity;
let db: ReadModelDb;
const tokens = {} as Record<Who, string>;

beforeAll(async () => {
  db = history();
  identity = await createTestIdentity();
  for (const [who, account] of Object.entries(ACCOUNTS) as [Who, (typeof ACCOUNTS)[Who]][]) {
    tokens[who] = (await seedEnrolledAccount(identity, { ...account, password: PASSWORD } as AccountInput)).token;
  }
  const deps = officeWithFakes({ dataDir: loadConfig({}).dataDir, identity, eventStore: new FakeEventStore() });
  app = buildApi({ ...deps, complianceQueries: createComplianceQueries(db) });
  bare = buildApi(deps);
  await Promise.all([app.ready(), bare.ready()]);
});
afterAll(async () => {
  await Promise.all([app.close(), bare.close()]);
  identity.close();
  db.close();
});

const get = (url: string, who?: Who, server: FastifyInstance = app) =>
  server.inject({ method: 'GET', url, headers: who === undefined ? {} : { authorization: `Bearer ${tokens[who]}` } });

describe('GET /api/compliance/dashboard', () => {
  it.each(['reviewer', 'securityReviewer', 'director', 'auditor'] as const)('shows the %s every accredited offering, in the documented shape', async (who) => {
    const res = await get('/api/compliance/dashboard', who);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items.map((r: ComplianceDashboardRow) => r.offeringId).sort()).toEqual(['off-gov', 'off-pub']);
    expect(ComplianceDashboardRow.array().parse(body.items)).toEqual(body.items);
    expect(body.items.find((r: ComplianceDashboardRow) => r.offeringId === 'off-gov')).toMatchObject({
      accreditationStatus: 'accredited',
      monitoring: { status: 'monitoring', firstPeriod: '2025-02' },
      lastReview: { reviewId: 'rev-2', trigger: 'incident', status: 'escalated', closedAt: null },
      overdue: { findings: [], evidence: [{ reviewId: 'rev-2', dueBy: '2025-06-15T00:00:00.000Z' }] },
      escalations: [expect.objectContaining({ reviewId: 'rev-2', reason: 'evidence-overdue', outcome: null })],
    });
  });

  it('shows a provider only its own offerings, even when it asks for another provider', async () => {
    const own = await get('/api/compliance/dashboard', 'csp');
    expect(own.json().items.map((r: ComplianceDashboardRow) => r.offeringId)).toEqual(['off-gov']);
    const other = await get('/api/compliance/dashboard?csp=csp-two', 'csp');
    expect(other.statusCode).toBe(200);
    expect(other.json().items).toEqual([]);
    const second = await get('/api/compliance/dashboard', 'otherCsp');
    expect(second.json().items.map((r: ComplianceDashboardRow) => r.offeringId)).toEqual(['off-pub']);
  });

  it('filters staff views by offering and by provider', async () => {
    expect((await get('/api/compliance/dashboard?offering=off-pub', 'director')).json().items.map((r: ComplianceDashboardRow) => r.applicationId)).toEqual(['app-2']);
    expect((await get('/api/compliance/dashboard?csp=csp-one', 'auditor')).json().items.map((r: ComplianceDashboardRow) => r.applicationId)).toEqual(['app-1']);
  });

  it('refuses other roles with 403 and anonymous callers with 401, in the API error shape', async () => {
    for (const who of ['admin', 'pse'] as const) {
      const res = await get('/api/compliance/dashboard', who);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
    }
    expect((await get('/api/compliance/dashboard')).statusCode).toBe(401);
  });

  it('rejects a malformed query parameter with 400 naming the field', async () => {
    const res = await get('/api/compliance/dashboard?offering=bad%20id', 'reviewer');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'offering' });
  });

  it('answers 503 when the server has no compliance read model', async () => {
    const res = await get('/api/compliance/dashboard', 'reviewer', bare);
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('UNAVAILABLE');
  });
});

describe('GET /api/compliance/queue', () => {
  it("gives a reviewer the reviewers' tasks and a director the directors'", async () => {
    const rev = await get('/api/compliance/queue', 'reviewer');
    expect(rev.statusCode).toBe(200);
    expect(ComplianceTaskRow.array().parse(rev.json().items)).toEqual([
      expect.objectContaining({ reviewId: 'rev-1', kind: 'assess', role: 'reviewer', offeringId: 'off-gov', cspId: 'csp-one', dueAt: null }),
    ]);
    const dir = await get('/api/compliance/queue', 'director');
    expect(dir.json().items).toEqual([expect.objectContaining({ reviewId: 'rev-2', kind: 'decide-escalation', role: 'director' })]);
  });

  it('refuses everyone but reviewers and directors', async () => {
    for (const who of ['securityReviewer', 'auditor', 'csp', 'admin', 'pse'] as const) {
      expect((await get('/api/compliance/queue', who)).statusCode).toBe(403);
    }
    expect((await get('/api/compliance/queue')).statusCode).toBe(401);
  });
});
