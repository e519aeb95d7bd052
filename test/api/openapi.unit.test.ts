import type { HTTPMethods } from 'fastify';
import { startTestApi, type TestApi } from './harness';

let api: TestApi;
let doc: {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>>; securitySchemes: Record<string, unknown> };
};
interface Operation {
  operationId: string;
  security: unknown[];
  parameters?: { name: string; in: string; required: boolean }[];
  requestBody?: { content: { 'application/json': { schema: { $ref: string } } } };
  responses: Record<string, { content?: { 'application/json': { schema: { $ref: string } } } }>;
}

beforeAll(async () => {
  api = await startTestApi();
  const res = await api.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(() => api.close());

/** Every route the API serves, from the brief. */
const EXPECTED = [
  'POST /api/auth/login',
  'POST /api/auth/mfa/enrolment',
  'GET /api/audit/public-key',
  'GET /api/audit/checkpoints',
  'GET /api/audit/read-models/{model}',
  'GET /api/audit/cases/{stream}/dossier',
  'GET /api/audit/verification',
  'POST /api/auth/logout',
  'GET /api/me',
  'POST /api/accounts',
  'DELETE /api/accounts/{username}/mfa',
  'GET /api/accounts',
  'GET /api/accounts/grants/pending',
  'PUT /api/accounts/{username}/role',
  'PUT /api/accounts/{username}/email',
  'POST /api/accounts/{username}/grants/{grantId}/approve',
  'POST /api/accounts/{username}/grants/{grantId}/reject',
  'POST /api/accounts/{username}/disable',
  'POST /api/accounts/{username}/enable',
  'POST /api/accounts/{username}/reset-password',
  'POST /api/nocs',
  'GET /api/nocs',
  'GET /api/nocs/{nocId}',
  'GET /api/queue',
  'GET /api/notifications',
  'GET /api/inbox',
  'POST /api/inbox/read',
  ...[
    'start-review',
    'request-information',
    'provide-information',
    'recommend',
    'decide',
    'request-extension',
    'decide-extension',
    'revoke',
    'withdraw',
  ].map((a) => `POST /api/nocs/{nocId}/${a}`),
  'GET /healthz',
  'GET /openapi.json',
  'GET /api/accredited-list',
  'GET /api/accredited-list/changes',
  'GET /api/offerings/{offeringId}',
  'GET /api/procurement-check',
  'POST /api/csps',
  'POST /api/csp-registrations',
  'GET /api/csp-registrations',
  'GET /api/csp-registrations/{requestId}',
  'POST /api/csp-registrations/{requestId}/approve',
  'POST /api/csp-registrations/{requestId}/refuse',
  'POST /api/frameworks',
  'POST /api/frameworks/{version}/approve',
  'POST /api/frameworks/{version}/reject',
  'GET /api/frameworks',
  'GET /api/frameworks/current',
  'GET /api/csps/{cspId}',
  'GET /api/evidence/{sha256}',
  'POST /api/csps/{cspId}/offerings',
  'POST /api/evidence',
  'PUT /api/csps/{cspId}/offerings/{offeringId}',
  'DELETE /api/csps/{cspId}/offerings/{offeringId}',
  'POST /api/pses',
  'POST /api/pses/{pseId}/details',
  'POST /api/pses/{pseId}/jurisdiction',
  'GET /api/pses',
  'GET /api/pses/{pseId}',
  'POST /api/procurements',
  'POST /api/procurements/{procurementId}/end',
  'GET /api/adoption',
  'GET /api/adoption/non-compliant',
  'GET /api/compliance/dashboard',
  'GET /api/compliance/queue',
  'POST /api/reviews',
  'GET /api/reviews/{reviewId}',
  ...[
    'request-evidence',
    'submit-evidence',
    'assess',
    'submit-remediation',
    'verify-finding',
    'extend-deadline',
    'decide-suspend',
    'decide-revoke',
    'recommend-reinstatement',
  ].map((a) => `POST /api/reviews/{reviewId}/${a}`),
  'GET /api/monitoring/{applicationId}',
  'POST /api/monitoring/{applicationId}/reports',
  'POST /api/changes',
  'GET /api/changes/{changeId}',
  'POST /api/changes/{changeId}/recommend',
  'POST /api/changes/{changeId}/decide',
  // The office's internal notes on each kind of case.
  ...['/api/nocs/{nocId}', '/api/accreditations/{applicationId}', '/api/reviews/{reviewId}', '/api/changes/{changeId}'].flatMap((base) => [`GET ${base}/notes`, `POST ${base}/notes`]),
  'POST /api/accreditations',
  'GET /api/accreditations/{applicationId}',
  ...[
    'start-screening',
    'request-information',
    'provide-information',
    'complete-screening',
    'score',
    'security-review',
    'decide',
    'suspend',
    'reinstate',
    'revoke',
    'withdraw',
    'renew',
  ].map((a) => `POST /api/accreditations/{applicationId}/${a}`),
];

const listed = (): string[] =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));

const resolve = (ref: string): Record<string, unknown> => {
  const schema = doc.components.schemas[ref.replace('#/components/schemas/', '')];
  if (!schema) throw new Error(`Dangling reference ${ref}`);
  return schema;
};

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists exactly the routes the API serves', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(listed().sort()).toEqual([...EXPECTED].sort());
  });

  it('lists only routes that the server really has', () => {
    for (const entry of listed()) {
      const [method, path] = entry.split(' ') as [HTTPMethods, string];
      expect(api.app.hasRoute({ method, url: path.replace(/\{(\w+)\}/g, ':$1') })).toBe(true);
    }
  });

  it('describes each POST body from its zod schema, with defaults optional and limits kept', () => {
    const recommend = doc.paths['/api/nocs/{nocId}/recommend']?.post;
    const body = resolve(recommend?.requestBody?.content['application/json'].schema.$ref ?? '');
    expect(body).toMatchObject({
      type: 'object',
      properties: {
        recommendation: { enum: ['approve', 'reject'] },
        reasons: { type: 'string', minLength: 1, maxLength: 5000 },
        conditions: { type: 'array', default: [] },
      },
      required: ['recommendation', 'reasons'],
    });
    const requestNoc = resolve(doc.paths['/api/nocs']?.post?.requestBody?.content['application/json'].schema.$ref ?? '');
    expect(Object.keys(requestNoc.properties as object)).not.toContain('nocId');
    expect(requestNoc.required).toEqual(expect.arrayContaining(['deviation', 'dataClass', 'systems', 'requestedMonths']));
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (ops.post && !path.endsWith('/logout')) expect(ops.post.requestBody).toBeDefined();
    }
  });

  it('describes path, query and header parameters', () => {
    const list = doc.paths['/api/nocs']?.get?.parameters ?? [];
    expect(list.map((p) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining(['query:status', 'query:jurisdiction', 'query:pseId', 'query:dataClass', 'query:expiringBefore', 'query:limit', 'query:offset']),
    );
    expect(list.every((p) => !p.required)).toBe(true);
    const decide = doc.paths['/api/nocs/{nocId}/decide']?.post?.parameters ?? [];
    expect(decide).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: 'path', name: 'nocId', required: true }),
        expect.objectContaining({ in: 'header', name: 'Idempotency-Key', required: false }),
      ]),
    );
  });

  it('gives every operation its responses, errors in the one error schema, and resolvable references', () => {
    expect(resolve('#/components/schemas/Error')).toMatchObject({ type: 'object', required: ['error'] });
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const op of Object.values(ops)) {
        const statuses = Object.keys(op.responses);
        expect(statuses.some((s) => s.startsWith('2'))).toBe(true);
        expect(statuses).toContain('500');
        for (const [status, answer] of Object.entries(op.responses)) {
          const ref = answer.content?.['application/json'].schema.$ref;
          if (ref) resolve(ref);
          if (Number(status) >= 400 && !(path === '/healthz' && status === '503')) {
            expect(ref).toBe('#/components/schemas/Error');
          }
        }
      }
    }
    expect(Object.keys(doc.paths['/api/nocs/{nocId}/decide']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404', '409', '422']),
    );
    expect(Object.keys(doc.paths['/api/auth/login']?.post?.responses ?? {})).toContain('429');
    // A route that honours an Idempotency-Key may refuse a reused key (422) and say when an answer is a replay.
    const addNote = doc.paths['/api/nocs/{nocId}/notes']?.post?.responses ?? {};
    expect(Object.keys(addNote)).toContain('422');
    expect(addNote['201']).toMatchObject({ headers: { 'Idempotent-Replayed': { schema: { enum: ['true'] } } } });
    expect(doc.paths['/healthz']?.get?.responses['503']?.content?.['application/json'].schema.$ref).toBe('#/components/schemas/HealthReport');
  });

  /**
   * Routes anyone may call: logging in, what auditors outside the office need to check the history,
   * and the public read side (the accredited list, its change log, the procurement check, adoption figures).
   */
  const PUBLIC_API = ['/api/auth/login', '/api/auth/mfa/enrolment', '/api/audit/public-key', '/api/audit/checkpoints', '/api/accredited-list', '/api/accredited-list/changes', '/api/offerings/{offeringId}', '/api/procurement-check', '/api/adoption', '/api/frameworks/current'];
  /** Paths public to read only: anyone reads the framework's versions, a director proposes one. */
  const PUBLIC_TO_READ = ['/api/frameworks'];
  /** Paths public to send only: anyone asks to be registered as a provider, administrators read the requests. */
  const PUBLIC_TO_SEND = ['/api/csp-registrations'];

  it('marks every /api route but the public ones as needing the bearer token', () => {
    expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const needsToken = path.startsWith('/api/') && !PUBLIC_API.includes(path) && !(method === 'get' && PUBLIC_TO_READ.includes(path)) && !(method === 'post' && PUBLIC_TO_SEND.includes(path));
        expect(op.security).toEqual(needsToken ? [{ bearer: [] }] : []);
      }
    }
  });

  it('describes the NOC view from the same schema the code is checked against', () => {
    const view = resolve('#/components/schemas/NocView');
    expect(view).toMatchObject({ type: 'object', required: ['state', 'revision'] });
    const register = resolve('#/components/schemas/NocRegisterRow');
    expect(register.required).toEqual(expect.arrayContaining(['nocId', 'status', 'validUntil', 'revision']));
  });
  it('documents what the fuzzer found the server answers: 401 on login, 404 for an unregistered PSE, the list as CSV, a score needs a criterion', () => {
    expect(Object.keys(doc.paths['/api/auth/login']!.post!.responses)).toEqual(expect.arrayContaining(['401', '429']));
    expect(Object.keys(doc.paths['/api/procurements']!.post!.responses)).toContain('404');
    expect(Object.keys(doc.paths['/api/accredited-list']!.get!.responses['200']!.content ?? {})).toEqual(['application/json', 'text/csv']);
    const score = doc.paths['/api/accreditations/{applicationId}/score']!.post!.requestBody!.content['application/json'].schema.$ref;
    expect(doc.components.schemas[score.replace('#/components/schemas/', '')]).toMatchObject({ properties: { scores: { minProperties: 1 } } });
  });
});
