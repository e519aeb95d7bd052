/**
 * The procurement check over HTTP (SPEC §3.4: the hottest read) beside a bare Fastify route in the
 * same run, both served from this process and loaded by autocannon: what the whole stack (routing, zod
 * validation of the query, the read-model lookups, the check, serialising the answer) costs over
 * Fastify answering a constant JSON body of about the same size. Servers and load generator share
 * this process (and its two cores), alike for both, so the ratio says more than the absolute figures.
 */
import { join } from 'node:path';
import autocannon from 'autocannon';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApi } from '../api/server';
import { loadConfig } from '../config/config';
import { DATA_CLASSES, JURISDICTIONS, type Baseline, type DataClass } from '../domain/shared/vocabulary';
import { eventId, streamName, type EventMetadata } from '../eventstore/envelope';
import type { EventToAppend } from '../eventstore/port';
import { openSqliteEventStore } from '../eventstore/sqlite/sqlite-event-store';
import { createIdentity } from '../identity';
import { DomainError } from '../domain/shared/errors';
import type { NocGateway } from '../api/noc-gateway';
import { allProjections } from '../projections';
import { openReadModelDb } from '../projections/db';
import { createNocQueries } from '../projections/noc/queries';
import { createPublicQueries } from '../projections/procurement/queries';
import { ProjectionRunner } from '../projections/runner';
import { fillStoreWithNocEvents } from './fixtures';
import { registerBench, type BenchContext } from './registry';

const CONNECTIONS = 50;

/** The bench runs no Temporal: the API it serves answers reads only. */
const refuse = async (): Promise<never> => {
  throw new DomainError('UNAVAILABLE', 'The procurement bench runs no process engine');
};
const NO_PROCESS_ENGINE: NocGateway = { request: refuse, act: refuse, state: refuse };
const EPOCH = '2024-01-01T00:00:00.000Z';
const BASELINES: Baseline[] = ['baseline', 'intermediate', 'enhanced', 'highest'];

function meta(at: string, stream: string): EventMetadata {
  return {
    schemaVersion: 1,
    actor: { userId: 'u-bench', name: 'Bench', role: 'director', jurisdiction: 'federal' },
    occurredAt: at,
    correlationId: stream,
    causationId: `bench-${stream}`,
    policyVersion: 'cloud-first-2022',
  };
}

/** One CSP with `offerings` offerings, each accredited; every fifth one is suspended. */
function cspHistory(offerings: number): { stream: string; events: EventToAppend[] }[] {
  const cspStream = streamName('csp', 'csp-bench');
  const cspEvents: EventToAppend[] = [
    {
      id: eventId(cspStream, 0),
      type: 'CspRegistered',
      data: {
        cspId: 'csp-bench',
        name: 'Bench Cloud Pvt Ltd',
        registrationNumber: 'SECP-1',
        contact: { name: 'Bench', email: 'bench@example.pk' },
        registeredBy: 'u-bench',
        registeredAt: EPOCH,
      },
      metadata: meta(EPOCH, cspStream),
    },
  ];
  const histories: { stream: string; events: EventToAppend[] }[] = [{ stream: cspStream, events: cspEvents }];
  for (let i = 0; i < offerings; i++) {
    const offering = {
      offeringId: `off-${i}`,
      name: `Offering ${i}`,
      serviceModels: ['IaaS'],
      deploymentModel: i % 3 === 0 ? 'public' : 'government',
      dataCentres: i % 4 === 0 ? [{ city: 'Dubai', country: 'AE' }] : [{ city: 'Islamabad', country: 'PK' }],
    };
    cspEvents.push({ id: eventId(cspStream, i + 1), type: 'OfferingAdded', data: { ...offering, addedBy: 'u-bench' }, metadata: meta(EPOCH, cspStream) });
    const stream = streamName('accreditation', `app-${i}`);
    const granted = '2024-03-01T00:00:00.000Z';
    const events: EventToAppend[] = [
      {
        id: eventId(stream, 0),
        type: 'AccreditationSubmitted',
        data: {
          applicationId: `app-${i}`,
          cspId: 'csp-bench',
          offering,
          requestedBaseline: 'intermediate',
          evidence: [{ kind: 'iso-27001', reference: 'Bench certificate' }],
          frameworkVersion: '1.0',
          submittedBy: 'u-bench',
          submittedAt: EPOCH,
          policyVersion: 'cloud-first-2022',
        },
        metadata: meta(EPOCH, stream),
      },
      {
        id: eventId(stream, 1),
        type: 'AccreditationGranted',
        data: {
          baseline: BASELINES[i % BASELINES.length],
          highestDataClass: DATA_CLASSES[1 + (i % 4)],
          conditions: i % 2 === 0 ? ['Quarterly report'] : [],
          reasons: 'Criteria met',
          validFrom: granted,
          validUntil: '2027-03-01T00:00:00.000Z',
          frameworkVersion: '1.0',
          summary: { total: 80, complete: true, highestBaselineMet: BASELINES[i % BASELINES.length] },
          decidedBy: 'u-bench',
          decidedByName: 'Bench',
        },
        metadata: meta(granted, stream),
      },
    ];
    if (i % 5 === 0) {
      const at = '2024-09-01T00:00:00.000Z';
      events.push({ id: eventId(stream, 2), type: 'AccreditationSuspended', data: { reasons: 'Breach', suspendedBy: 'u-bench' }, metadata: meta(at, stream) });
    }
    histories.push({ stream, events });
  }
  return histories;
}

interface Load {
  requestsPerSecond: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(url: string, paths: string[], seconds: number): Promise<Load> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, requests: paths.map((path) => ({ method: 'GET', path })) });
  return { requestsPerSecond: result.requests.average, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('Fastify did not listen on a TCP port');
  return `http://127.0.0.1:${address.port}`;
}

registerBench('procurement: GET /api/procurement-check vs a bare Fastify route (autocannon)', async (ctx: BenchContext) => {
  const offerings = Math.max(50, Math.round(500 * ctx.scale));
  const nocEvents = Math.max(2_000, Math.round(50_000 * ctx.scale));
  const seconds = Math.max(2, Math.round(10 * Math.min(ctx.scale, 1)));

  const store = await openSqliteEventStore({ path: join(ctx.tmpDir, 'procurement-events.db'), synchronous: 'OFF' });
  const readModelPath = join(ctx.tmpDir, 'procurement-read-models.db');
  const writer = openReadModelDb(readModelPath);
  const reader = openReadModelDb(readModelPath, { readonly: true });
  const identity = createIdentity({ path: ':memory:', sessionTtlHours: 1, store });
  const api = buildApi({
    config: loadConfig({}),
    identity,
    nocGateway: NO_PROCESS_ENGINE,
    nocQueries: createNocQueries(reader),
    eventStore: { readStream: async () => [] },
    health: async () => ({ status: 'ok', temporal: { ok: true }, eventStore: { ok: true }, projections: [] }),
    logger: pino({ level: 'silent' }),
    publicQueries: createPublicQueries(reader),
  });
  const bare = Fastify({ logger: false });
  try {
    await fillStoreWithNocEvents(store, nocEvents);
    for (const h of cspHistory(offerings)) await store.append(h.stream, h.events, 'no-stream');
    const head = await store.headPosition();
    // Every read model, as the projector keeps them, so the check reads a database of realistic size.
    const runner = new ProjectionRunner({ store, db: writer, projections: allProjections(), logger: pino({ level: 'silent' }) });
    await runner.start();
    await runner.waitFor(head, 0);
    await runner.stop();
    ctx.log(`   read model: ${offerings} accredited offerings, ${Number(head.commit).toLocaleString('en-US')} events (NOCs of ${JURISDICTIONS.length * 8} entities)`);

    // A spread of questions: entities with and without NOCs, offerings of every kind, every data class.
    const paths: string[] = [];
    for (let i = 0; i < 64; i++) {
      const pse = `pse-${JURISDICTIONS[i % JURISDICTIONS.length]}-${i % 8}`;
      const dataClass: DataClass = DATA_CLASSES[i % DATA_CLASSES.length] as DataClass;
      paths.push(`/api/procurement-check?pse=${pse}&offering=off-${(i * 37) % offerings}&dataClass=${dataClass}`);
    }
    const apiUrl = await listen(api);
    // The bare route answers with a real answer of median size, so both serialise and ship alike.
    const answers: string[] = [];
    for (const url of paths) {
      const res = await api.inject({ method: 'GET', url });
      if (res.statusCode !== 200) throw new Error(`The check answered ${res.statusCode} to ${url}: ${res.body}`);
      answers.push(res.body);
    }
    answers.sort((a, b) => a.length - b.length);
    const median = answers[Math.floor(answers.length / 2)] as string;
    const body = JSON.parse(median) as unknown;
    bare.get('/check', async () => body);
    const bareUrl = await listen(bare);
    const bytes = answers.reduce((n, a) => n + a.length, 0);

    // Warm both up (JIT, statement caches) before anything is measured.
    await load(apiUrl, paths, 1);
    await load(bareUrl, ['/check'], 1);
    const check = await load(apiUrl, paths, seconds);
    const baseline = await load(bareUrl, ['/check'], seconds);
    const line = (name: string, l: Load): string =>
      `   ${name.padEnd(24)} ${Math.round(l.requestsPerSecond).toLocaleString('en-US').padStart(8)} req/s  p99 ${String(l.p99).padStart(4)} ms  errors ${l.errors + l.non2xx}`;
    ctx.log(`   ${CONNECTIONS} connections, ${seconds} s each; answers ${answers[0]?.length}–${median.length}–${answers[answers.length - 1]?.length} bytes (min–median–max), mean ${Math.round(bytes / answers.length)}`);
    ctx.log(line('procurement check', check));
    ctx.log(line('bare Fastify route', baseline));
    ctx.log(`   check/bare ${(check.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)}`);
  } finally {
    await api.close();
    await bare.close();
    identity.close();
    reader.close();
    writer.close();
    await store.close();
  }
});
