import { accreditedListCsv } from '../../api/routes/public';
import { HISTORY, startPublicApi } from './public-fixture';
import { seedEnrolledAccount } from '../support/identity';

let api: Awaited<ReturnType<typeof startPublicApi>>;
beforeAll(async () => {
  api = await startPublicApi();
});
afterAll(() => api.close());

const get = (url: string) => api.app.inject({ method: 'GET', url });

describe('GET /api/accredited-list', () => {
  it('lists the accredited and suspended offerings to anyone, without a token', async () => {
    const res = await get('/api/accredited-list');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      items: [
        expect.objectContaining({
          offeringId: 'off-gov',
          offeringName: 'Sovereign Gov Cloud',
          cspName: 'One Cloud, "Pvt" Ltd',
          status: 'accredited',
          baseline: 'intermediate',
          highestDataClass: 'restricted',
          deploymentModel: 'government',
          dataCentres: [
            { city: 'Islamabad', country: 'PK' },
            { city: 'Karachi', country: 'PK' },
          ],
        }),
      ],
    });
  });

  it('gives the same rows as CSV, quoting separators', async () => {
    const res = await get('/api/accredited-list?format=csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="accredited-list.csv"');
    const lines = res.body.split('\r\n');
    expect(lines[0]).toBe(
      'offeringId,offeringName,cspId,cspName,deploymentModel,serviceModels,dataCentres,status,baseline,highestDataClass,accreditedSince,validFrom,validUntil,conditions',
    );
    expect(lines[1]).toBe(
      `off-gov,Sovereign Gov Cloud,csp-one,"One Cloud, ""Pvt"" Ltd",government,IaaS PaaS,Islamabad (PK); Karachi (PK),accredited,intermediate,restricted,${HISTORY.granted},${HISTORY.granted},2028-02-03T10:00:00.000Z,`,
    );
    expect(lines.slice(2)).toEqual(['']);
  });

  it('defuses CSV cells that a spreadsheet would run as a formula', async () => {
    const [row] = (await get('/api/accredited-list')).json().items;
    const csv = accreditedListCsv([{ ...row, offeringName: '=HYPERLINK("http://x")', conditions: ['+1', '@SUM(A1)', 'Plain'] }]);
    expect(csv.split('\r\n')[1]).toContain(`,"'=HYPERLINK(""http://x"")",`);
    expect(csv.split('\r\n')[1]).toMatch(/,'\+1; @SUM\(A1\); Plain$/);
  });

  it('refuses an unknown format in the API error shape', async () => {
    const res = await get('/api/accredited-list?format=xml');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('json or csv'), field: 'format' } });
  });
});

describe('GET /api/accredited-list/changes', () => {
  it('gives the status-change log newest first, with who decided by name and role', async () => {
    const res = await get('/api/accredited-list/changes');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ limit: 100, offset: 0 });
    expect(body.items.map((c: { offeringId: string; to: string }) => `${c.offeringId}:${c.to}`)).toEqual([
      'off-pub:revoked',
      'off-gov:accredited',
      'off-gov:suspended',
      'off-gov:accredited',
      'off-pub:accredited',
    ]);
    expect(body.items[0]).toEqual({
      eventId: expect.any(String),
      kind: 'revoked',
      offeringId: 'off-pub',
      offeringName: 'Global Public Cloud',
      applicationId: 'app-2',
      from: 'accredited',
      to: 'revoked',
      at: HISTORY.revoked,
      reasons: 'Data found abroad',
      transitionUntil: '2025-12-01T00:00:00.000Z',
      validUntil: null,
      decidedBy: { name: 'Dawood Director', role: 'director' },
    });
  });

  it('filters by offering and pages', async () => {
    const res = await get('/api/accredited-list/changes?offering=off-gov&limit=1&offset=1');
    expect(res.json()).toMatchObject({ items: [{ to: 'suspended', at: HISTORY.suspended }], limit: 1, offset: 1 });
  });

  it('refuses a limit out of range', async () => {
    const res = await get('/api/accredited-list/changes?limit=5000');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'limit' });
  });
});

describe('GET /api/offerings/:offeringId', () => {
  it('gives anyone an offering that is on the list: its provider, its accreditation and every change, newest first', async () => {
    const res = await get('/api/offerings/off-gov');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      offeringId: 'off-gov',
      cspName: 'One Cloud, "Pvt" Ltd',
      status: 'accredited',
      accreditation: { baseline: 'intermediate', highestDataClass: 'restricted' },
      history: [{ kind: 'reinstated' }, { kind: 'suspended', at: HISTORY.suspended }, { kind: 'granted' }],
    });
  });

  it('keeps the record of an offering whose accreditation ended, with no accreditation in force', async () => {
    const res = await get('/api/offerings/off-pub');
    expect(res.json()).toMatchObject({ status: 'revoked', accreditation: null, history: [{ kind: 'revoked', reasons: 'Data found abroad' }, { kind: 'granted' }] });
  });

  it('answers 404 for an offering that was never accredited, and 400 naming the field for a malformed id', async () => {
    const never = await get('/api/offerings/off-new');
    expect(never.statusCode).toBe(404);
    expect(never.json()).toMatchObject({ error: { code: 'OFFERING_NOT_FOUND' } });
    const bad = await get('/api/offerings/has%20space');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { field: 'offeringId' } });
  });
});

describe('GET /api/procurement-check', () => {
  it('allows restricted data on the accredited government cloud now, with the rule and every reason', async () => {
    const res = await get('/api/procurement-check?pse=pse-moitt&offering=off-gov&dataClass=restricted');
    expect(res.statusCode).toBe(200);
    const answer = res.json();
    expect(answer).toMatchObject({ decision: 'allowed', query: { pseId: 'pse-moitt', offeringId: 'off-gov', dataClass: 'restricted' } });
    expect(answer.reasons.map((r: { code: string }) => r.code)).toEqual(expect.arrayContaining(['HOSTING_RULE_MET', 'GOVERNMENT_CLOUD', 'BASELINE_MET']));
    expect(Date.parse(answer.evaluatedAt)).toBeGreaterThan(Date.parse('2026-01-01T00:00:00Z'));
  });

  it('evaluates a question without `at` at the clock\'s millisecond, in toISOString\'s form, asked again and again', async () => {
    // Only the clock is faked: the server's own timers and the event loop run as usual.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
    try {
      const evaluated = async (): Promise<string> => (await get('/api/procurement-check?pse=pse-moitt&offering=off-gov&dataClass=restricted')).json().evaluatedAt;
      const t0 = Date.parse('2027-03-04T05:06:07.008Z');
      for (const [offset, expected] of [
        [0, '2027-03-04T05:06:07.008Z'],
        [0, '2027-03-04T05:06:07.008Z'],
        [1, '2027-03-04T05:06:07.009Z'],
        [-1, '2027-03-04T05:06:07.007Z'],
        [86_400_000, '2027-03-05T05:06:07.008Z'],
      ] as const) {
        jest.setSystemTime(t0 + offset);
        expect(await evaluated()).toBe(expected);
      }
    } finally {
      jest.useRealTimers();
    }
  });

  it('answers for a past instant: denied while the accreditation was suspended', async () => {
    const res = await get('/api/procurement-check?pse=pse-moitt&offering=off-gov&dataClass=restricted&at=2025-06-15T00:00:00Z');
    expect(res.json()).toMatchObject({
      decision: 'denied',
      evaluatedAt: '2025-06-15T00:00:00.000Z',
      reasons: expect.arrayContaining([expect.objectContaining({ code: 'ACCREDITATION_SUSPENDED', outcome: 'failed' })]),
    });
  });

  it('tells anyone that a NOC in force allows it and until when, without naming the NOC', async () => {
    const res = await get('/api/procurement-check?pse=pse-moitt&offering=off-new&dataClass=public&at=2025-05-01T00:00:00Z');
    const answer = res.json();
    expect(answer).toMatchObject({ decision: 'allowed-by-noc', detail: 'public', noc: { validUntil: HISTORY.nocValidUntil } });
    expect(answer.noc.nocId).toBeUndefined();
    expect(answer.reasons).toContainEqual(expect.objectContaining({ code: 'NOC_COVERS', message: expect.stringContaining(`until ${HISTORY.nocValidUntil}`) }));
    expect(res.body).not.toContain('NOC-1');
    expect(res.headers.vary).toBe('authorization');
    const other = await get('/api/procurement-check?pse=pse-lahore&offering=off-new&dataClass=public&at=2025-05-01T00:00:00Z');
    expect(other.json().decision).toBe('denied');
  });

  it('tells anyone nothing of NOCs that are pending or have expired, nor their ids', async () => {
    // NOC-2 (restricted) is pending; NOC-1 covers public data only, and after its end it allows nothing.
    for (const url of [
      '/api/procurement-check?pse=pse-moitt&offering=off-new&dataClass=restricted&at=2025-05-01T00:00:00Z',
      '/api/procurement-check?pse=pse-moitt&offering=off-new&dataClass=public&at=2025-10-01T00:00:00Z',
    ]) {
      const res = await get(url);
      expect(res.json()).toMatchObject({ decision: 'denied', detail: 'public' });
      expect(res.body).not.toMatch(/NOC-\d/);
      expect(res.json().reasons.filter((r: { nocId?: string }) => r.nocId !== undefined)).toEqual([]);
      expect(res.json().reasons).toContainEqual(expect.objectContaining({ code: 'NO_NOC_COVERS' }));
    }
  });

  it('shows an officer of the entity, signed in, the details of its own NOCs; another entity gets the public answer', async () => {
    const password = 'correct horse battery staple';
    const own = (await seedEnrolledAccount(api.identity, { username: 'moitt-officer', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', password })).token;
    const stranger = (await seedEnrolledAccount(api.identity, { username: 'lahore-officer', role: 'pse', jurisdiction: 'punjab', organisationId: 'pse-lahore', password })).token;
    const ask = (url: string, token: string) => api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

    const allowed = await ask('/api/procurement-check?pse=pse-moitt&offering=off-new&dataClass=public&at=2025-05-01T00:00:00Z', own);
    expect(allowed.json()).toMatchObject({ decision: 'allowed-by-noc', detail: 'entity', noc: { nocId: 'NOC-1', validUntil: HISTORY.nocValidUntil } });
    expect(allowed.headers['cache-control']).toBe('private, no-store');
    const pending = await ask('/api/procurement-check?pse=pse-moitt&offering=off-new&dataClass=restricted&at=2025-05-01T00:00:00Z', own);
    expect(pending.json().reasons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'NOC_NOT_IN_FORCE', nocId: 'NOC-2' }),
        expect.objectContaining({ code: 'NOC_DATA_CLASS_TOO_LOW', nocId: 'NOC-1' }),
      ]),
    );

    const asStranger = await ask('/api/procurement-check?pse=pse-moitt&offering=off-new&dataClass=public&at=2025-05-01T00:00:00Z', stranger);
    expect(asStranger.json()).toMatchObject({ detail: 'public' });
    expect(asStranger.body).not.toContain('NOC-1');
  });

  it('sends every security header helmet sets, and no header beyond them but its own, on answers and refusals alike', async () => {
    // Written out rather than asked of helmet: the server sets them by a path of its own (api/http-security.ts).
    const security = {
      'content-security-policy': "default-src 'self';script-src 'self';style-src 'self';img-src 'self';form-action 'self';frame-ancestors 'none';base-uri 'none';object-src 'none'",
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'DENY',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
    };
    const transport = { 'content-type': 'application/json; charset=utf-8', date: expect.any(String), connection: 'keep-alive' };
    const answered = await get('/api/procurement-check?pse=pse-moitt&offering=off-gov&dataClass=restricted');
    expect(answered.statusCode).toBe(200);
    expect(answered.headers).toEqual({ ...security, ...transport, vary: 'authorization', 'content-length': String(answered.rawPayload.length) });
    const refused = await get('/api/procurement-check?pse=pse-moitt');
    expect(refused.statusCode).toBe(400);
    expect(refused.headers).toEqual({ ...security, ...transport, 'content-length': String(refused.rawPayload.length) });
  });

  it('refuses a token that does not work rather than quietly giving the public answer', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/procurement-check?pse=pse-moitt&offering=off-new&dataClass=public', headers: { authorization: 'Bearer nope' } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['', 'pse', 'is required'],
    ['pse=pse-moitt&dataClass=restricted', 'offering', 'is required'],
    ['pse=pse-moitt&offering=off-gov&dataClass=top-secret', 'dataClass', 'must be one of'],
    ['pse=pse-moitt&offering=off-gov&dataClass=open&at=yesterday', 'at', 'ISO-8601'],
    ['pse=pse%20moitt&offering=off-gov&dataClass=open', 'pse', 'must be letters'],
  ])('refuses ?%s, naming the field %s', async (qs, field, message) => {
    const res = await get(`/api/procurement-check?${qs}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'VALIDATION_FAILED', message: expect.stringContaining(message), field } });
  });
});

describe('the public endpoints without their read models', () => {
  it('answer 503 UNAVAILABLE rather than an empty list', async () => {
    const bare = await startPublicApi({ withPublic: false });
    try {
      for (const url of ['/api/accredited-list', '/api/accredited-list/changes', '/api/procurement-check?pse=p&offering=o&dataClass=open']) {
        const res = await bare.app.inject({ method: 'GET', url });
        expect(res.statusCode).toBe(503);
        expect(res.json().error.code).toBe('UNAVAILABLE');
      }
    } finally {
      await bare.close();
    }
  });
});
