import { createHealthCheck, type HealthCheckDeps } from '../../api/health';
import { HEALTHY, startTestApi, type TestApi } from './harness';

describe('GET /healthz', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('answers 200 with the report when everything is up, without a token', async () => {
    api.setHealth(HEALTHY);
    const res = await api.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(HEALTHY);
  });

  it('answers 503 with the same shape when something is down', async () => {
    const down = { ...HEALTHY, status: 'unavailable' as const, eventStore: { ok: false, error: 'disk I/O error' } };
    api.setHealth(down);
    const res = await api.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual(down);
  });

  it('answers 503 with every component unknown when the check itself throws', async () => {
    api.setHealth(new Error('boom'));
    const res = await api.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'unavailable', temporal: { ok: false }, eventStore: { ok: false }, projections: [] });
  });
});

describe('createHealthCheck', () => {
  const projections = [{ name: 'noc-register', lag: 3, position: '40/40' }];
  const deps = (overrides: Partial<HealthCheckDeps> = {}): HealthCheckDeps => ({
    temporalConnection: { healthService: { check: async () => ({ status: 1 }) } } as unknown as HealthCheckDeps['temporalConnection'],
    eventStore: { ping: async () => undefined },
    projectionStatus: async () => projections,
    timeoutMs: 50,
    ...overrides,
  });

  it('reports ok with the projections and their lag when all answer', async () => {
    expect(await createHealthCheck(deps())()).toEqual({
      status: 'ok',
      temporal: { ok: true },
      eventStore: { ok: true },
      projections,
    });
  });

  it('reports Temporal down when it is not serving', async () => {
    const report = await createHealthCheck(
      deps({ temporalConnection: { healthService: { check: async () => ({ status: 2 }) } } as unknown as HealthCheckDeps['temporalConnection'] }),
    )();
    expect(report).toMatchObject({ status: 'unavailable', temporal: { ok: false, error: expect.stringMatching(/status 2/) }, eventStore: { ok: true } });
  });

  it('reports the event store down when ping fails or hangs', async () => {
    const failing = await createHealthCheck(deps({ eventStore: { ping: async () => Promise.reject(new Error('SQLITE_BUSY')) } }))();
    expect(failing).toMatchObject({ status: 'unavailable', eventStore: { ok: false, error: 'SQLITE_BUSY' } });
    const hanging = await createHealthCheck(deps({ eventStore: { ping: () => new Promise(() => undefined) } }))();
    expect(hanging).toMatchObject({ status: 'unavailable', eventStore: { ok: false, error: expect.stringMatching(/within 50 ms/) } });
  });

  it('reports unavailable when a projection has stopped on an event', async () => {
    const stopped = [{ name: 'noc-register', lag: 7, position: '40/40', error: 'NocTeleported: unknown event type' }];
    const report = await createHealthCheck(deps({ projectionStatus: async () => stopped }))();
    expect(report).toEqual({ status: 'unavailable', temporal: { ok: true }, eventStore: { ok: true }, projections: stopped });
  });

  it('reports unavailable when the projections cannot say where they are', async () => {
    const report = await createHealthCheck(deps({ projectionStatus: async () => Promise.reject(new Error('no such table: checkpoints')) }))();
    expect(report).toEqual({
      status: 'unavailable',
      temporal: { ok: true },
      eventStore: { ok: true },
      projections: [],
      projectionsError: 'no such table: checkpoints',
    });
  });
});
