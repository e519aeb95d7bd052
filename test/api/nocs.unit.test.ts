import type { NocActionInput } from '../../workflows/noc/messages';
import { NOC_REQUEST, startTestApi, type TestApi } from './harness';
import { registerRow } from './fakes';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

async function requestNoc(headers: Record<string, string> = {}): Promise<string> {
  const res = await api.app.inject({ method: 'POST', url: '/api/nocs', headers: { ...api.as('pse'), ...headers }, payload: NOC_REQUEST });
  expect(res.statusCode).toBe(201);
  return res.json().state.request.nocId as string;
}

function lastAct(): [string, NocActionInput] {
  return api.gateway.callsOf('act').at(-1) as [string, NocActionInput];
}

describe('requesting a NOC', () => {
  it('answers 201 with the view, having passed the authenticated PSE and the parsed body to the gateway', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/api/nocs', headers: api.as('pse'), payload: NOC_REQUEST });
    expect(res.statusCode).toBe(201);
    const view = res.json();
    expect(view.revision).toBe(0);
    expect(view.state).toMatchObject({ status: 'requested', request: { pseId: 'pse-moitt', jurisdiction: 'federal', dataClass: 'restricted' } });
    const [actor, payload, commandId] = api.gateway.callsOf('request').at(-1) as [unknown, unknown, string];
    expect(actor).toEqual(api.actors.pse);
    expect(payload).toEqual(NOC_REQUEST);
    expect(commandId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('uses the Idempotency-Key as the command id', async () => {
    await requestNoc({ 'idempotency-key': 'req-2026-001' });
    expect(api.gateway.callsOf('request').at(-1)?.[2]).toBe('req-2026-001');
  });

  it('ignores fields the PSE may not set, such as the NOC id and another entity', async () => {
    await api.app.inject({
      method: 'POST',
      url: '/api/nocs',
      headers: api.as('pse'),
      payload: { ...NOC_REQUEST, nocId: 'MINE', pseId: 'someone-else', jurisdiction: 'sindh' },
    });
    expect(api.gateway.callsOf('request').at(-1)?.[1]).toEqual(NOC_REQUEST);
  });
});

describe('acting on a NOC', () => {
  it('runs a NOC from request to approval through one POST per action', async () => {
    const nocId = await requestNoc();
    const step = async (who: 'reviewer' | 'director', action: string, payload?: object) => {
      const res = await api.app.inject({ method: 'POST', url: `/api/nocs/${nocId}/${action}`, headers: api.as(who), payload });
      expect(res.statusCode).toBe(200);
      return res.json();
    };
    expect((await step('reviewer', 'start-review')).state.status).toBe('under-review');
    expect((await step('reviewer', 'recommend', { recommendation: 'approve', reasons: 'Justified' })).state.status).toBe('awaiting-decision');
    const approved = await step('director', 'decide', { decision: 'approve', reasons: 'Agreed', conditions: ['Migrate by year end'] });
    expect(approved.state).toMatchObject({ status: 'active', conditions: ['Migrate by year end'] });
    expect(approved.revision).toBe(3);
  });

  it('sends the command type, the actor, the parsed data (defaults applied) and the Idempotency-Key', async () => {
    const nocId = await requestNoc();
    await api.app.inject({ method: 'POST', url: `/api/nocs/${nocId}/start-review`, headers: api.as('reviewer') });
    await api.app.inject({
      method: 'POST',
      url: `/api/nocs/${nocId}/recommend`,
      headers: { ...api.as('reviewer'), 'idempotency-key': 'rec-1' },
      payload: { recommendation: 'reject', reasons: '  Not justified  ' },
    });
    const [calledFor, action] = lastAct();
    expect(calledFor).toBe(nocId);
    expect(action).toEqual({
      type: 'Recommend',
      actor: api.actors.reviewer,
      data: { recommendation: 'reject', reasons: 'Not justified', conditions: [] },
      commandId: 'rec-1',
    });
  });

  it.each([
    ['start-review', 'StartReview', 'reviewer', undefined],
    ['request-information', 'RequestInformation', 'reviewer', { questions: 'Which region?' }],
    ['provide-information', 'ProvideInformation', 'pse', { answer: 'Lahore' }],
    ['recommend', 'Recommend', 'reviewer', { recommendation: 'approve', reasons: 'ok' }],
    ['decide', 'Decide', 'director', { decision: 'approve', reasons: 'ok' }],
    ['request-extension', 'RequestExtension', 'pse', { months: 3, justification: 'Migration slipped' }],
    ['decide-extension', 'DecideExtension', 'director', { decision: 'approve', reasons: 'ok' }],
    ['revoke', 'Revoke', 'director', { reasons: 'Misuse' }],
    ['withdraw', 'Withdraw', 'pse', { reason: 'No longer needed' }],
  ] as const)('routes POST /api/nocs/:id/%s to the %s command', async (path, command, who, payload) => {
    const nocId = await requestNoc();
    await api.app.inject({ method: 'POST', url: `/api/nocs/${nocId}/${path}`, headers: api.as(who), payload });
    const [calledFor, action] = lastAct();
    expect(calledFor).toBe(nocId);
    expect(action.type).toBe(command);
    expect(action.actor).toEqual(api.actors[who]);
  });

  it("refuses, with 403 and without calling the process, an action outside the caller's role", async () => {
    const nocId = await requestNoc();
    const before = api.gateway.calls.length;
    for (const [who, path] of [['auditor', 'start-review'], ['pse', 'decide'], ['reviewer', 'withdraw'], ['admin', 'revoke']] as const) {
      const res = await api.app.inject({ method: 'POST', url: `/api/nocs/${nocId}/${path}`, headers: api.as(who), payload: {} });
      expect(res.statusCode).toBe(403);
    }
    expect(api.gateway.calls.length).toBe(before);
  });
});

describe('reading NOCs', () => {
  it('lists the register with the filters parsed from the query string', async () => {
    api.queries.rows.set('NOC-A', registerRow({ nocId: 'NOC-A', pseId: 'pse-moitt', status: 'active' }));
    api.queries.rows.set('NOC-B', registerRow({ nocId: 'NOC-B', pseId: 'pse-lahore', jurisdiction: 'punjab', status: 'active' }));
    const res = await api.app.inject({
      method: 'GET',
      url: '/api/nocs?status=active,extension-requested&dataClass=restricted&expiringBefore=2027-01-01T00:00:00Z&limit=10',
      headers: api.as('pse'),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [expect.objectContaining({ nocId: 'NOC-A' })], limit: 10, offset: 0 });
    expect(api.queries.lastFilter).toEqual({
      status: ['active', 'extension-requested'],
      dataClass: 'restricted',
      expiringBefore: '2027-01-01T00:00:00Z',
      limit: 10,
      offset: 0,
    });
  });

  it('shows a projected NOC with its decoded event history', async () => {
    api.queries.rows.set('NOC-H', registerRow({ nocId: 'NOC-H', pseId: 'pse-moitt' }));
    api.eventStore.add('noc-NOC-H', 'NocRequested', {
      ...NOC_REQUEST,
      nocId: 'NOC-H',
      pseId: 'pse-moitt',
      jurisdiction: 'federal',
      requestedBy: api.actors.pse.userId,
      requestedAt: '2026-01-05T10:00:00.000Z',
    }, api.actors.pse);
    api.eventStore.add('noc-NOC-H', 'NocReviewStarted', { reviewerId: 'u-rev', reviewerName: 'Rania Reviewer' }, api.actors.reviewer);
    const timeline = [
      { nocId: 'NOC-H', revision: 0, from: null, to: 'requested', at: '2026-01-05T10:00:00.000Z', byUserId: 'u-pse', byRole: 'pse', byName: 'Parveen PSE', eventType: 'NocRequested' },
      { nocId: 'NOC-H', revision: 1, from: 'requested', to: 'under-review', at: '2026-01-06T10:00:00.000Z', byUserId: 'u-rev', byRole: 'reviewer', byName: 'Rania Reviewer', eventType: 'NocReviewStarted' },
    ] as const;
    api.queries.timelines.set('NOC-H', [...timeline]);
    const res = await api.app.inject({ method: 'GET', url: '/api/nocs/NOC-H', headers: api.as('auditor') });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.register.nocId).toBe('NOC-H');
    expect(body.live).toBeNull();
    expect(body.timeline).toEqual(timeline);
    expect(body.history.map((e: { type: string; revision: number }) => [e.type, e.revision])).toEqual([
      ['NocRequested', 0],
      ['NocReviewStarted', 1],
    ]);
    expect(body.history[1]).toMatchObject({
      actor: { userId: api.actors.reviewer.userId, role: 'reviewer' },
      data: { reviewerName: 'Rania Reviewer' },
      metadata: { schemaVersion: 1, causationId: 'cmd-1' },
      position: expect.stringMatching(/^\d+\/\d+$/),
    });
    expect(api.gateway.callsOf('state')).not.toContainEqual(['NOC-H']);
  });

  it('shows an event that no longer decodes as stored, with the reason', async () => {
    api.queries.rows.set('NOC-X', registerRow({ nocId: 'NOC-X', pseId: 'pse-moitt' }));
    api.eventStore.add('noc-NOC-X', 'NocTeleported', { to: 'mars' }, api.actors.pse);
    const res = await api.app.inject({ method: 'GET', url: '/api/nocs/NOC-X', headers: api.as('auditor') });
    expect(res.statusCode).toBe(200);
    expect(res.json().history[0]).toMatchObject({ type: 'NocTeleported', data: { to: 'mars' }, decodeError: expect.stringMatching(/unknown event type/) });
  });

  it('falls back to the process view for a NOC the register has not caught up with', async () => {
    const nocId = await requestNoc();
    const res = await api.app.inject({ method: 'GET', url: `/api/nocs/${nocId}`, headers: api.as('pse') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ register: null, live: { revision: 0, state: { status: 'requested' } }, timeline: [], history: [] });
  });

  it('answers 404 for a NOC the caller may not see, whether projected or not', async () => {
    const nocId = await requestNoc();
    const unprojected = await api.app.inject({ method: 'GET', url: `/api/nocs/${nocId}`, headers: api.as('otherPse') });
    expect(unprojected.statusCode).toBe(404);
    api.queries.rows.set('NOC-P', registerRow({ nocId: 'NOC-P', pseId: 'pse-lahore', jurisdiction: 'punjab' }));
    const projected = await api.app.inject({ method: 'GET', url: '/api/nocs/NOC-P', headers: api.as('csp') });
    expect(projected.statusCode).toBe(404);
  });

  it("serves the caller's queue and notifications", async () => {
    api.queries.tasks.push({
      taskId: 't1',
      nocId: 'NOC-A',
      kind: 'review',
      jurisdiction: 'federal',
      role: 'reviewer',
      pseId: null,
      excludedUserIds: [],
      createdAt: '2026-01-05T10:00:00.000Z',
      dueAt: null,
      claimedBy: null,
      claimedAt: null,
    });
    api.queries.notes.push({
      id: 'n1',
      nocId: 'NOC-A',
      pseId: 'pse-moitt',
      kind: 'expiry-reminder',
      message: 'NOC-A expires in 30 days',
      createdAt: '2026-01-05T10:00:00.000Z',
      deliveredAt: null,
    });
    const queue = await api.app.inject({ method: 'GET', url: '/api/queue', headers: api.as('reviewer') });
    expect(queue.json()).toEqual({ items: [expect.objectContaining({ taskId: 't1' })] });
    const none = await api.app.inject({ method: 'GET', url: '/api/queue', headers: api.as('director') });
    expect(none.json()).toEqual({ items: [] });
    const notes = await api.app.inject({ method: 'GET', url: '/api/notifications', headers: api.as('pse') });
    expect(notes.json()).toEqual({ items: [expect.objectContaining({ id: 'n1' })] });
  });
});
