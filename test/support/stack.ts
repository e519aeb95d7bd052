import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { ApiDeps } from '../../api/deps';
import type { HealthReport } from '../../api/health';
import { createTemporalAccreditationGateway } from '../../api/accreditation-gateway';
import { createFrameworkRegister } from '../../api/framework-register';
import { createTemporalComplianceGateway } from '../../api/compliance-gateway';
import { createTemporalCspGateway } from '../../api/csp-gateway';
import { createCaseNotes } from '../../api/case-notes';
import { createCspRegistrationDesk } from '../../api/csp-registration-desk';
import { createTemporalNocGateway } from '../../api/noc-gateway';
import { createTemporalPseGateway, type RegisterPsePayload } from '../../api/pse-gateway';
import type { Actor } from '../../domain/shared/actor';
import { createFrameworkLibrary } from '../../config/framework';
import { createPublicQueries } from '../../projections/procurement/queries';
import { createPseRegisterQueries } from '../../projections/pse/entities';
import { createAdoptionQueries } from '../../projections/adoption/queries';
import { createAccreditationQueueQueries } from '../../projections/accreditation/queue';
import { createComplianceQueries } from '../../projections/compliance/queries';
import { composeOffice } from '../../server/compose';
import { loadConfig, type AppConfig } from '../../config/config';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { loadAuditSigner, type AuditSigner } from '../../eventstore/integrity/signing';
import type { EventStore } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { type AccountInput, type Identity } from '../../identity';
import { createTestIdentity, seedEnrolledAccount } from './identity';
import { allProjections } from '../../projections';
import { openReadModelDb, type ReadModelDb } from '../../projections/db';
import { createNocQueries } from '../../projections/noc/queries';
import { createInboxQueries } from '../../projections/notices/inbox';
import { createInbox } from '../../api/inbox';
import { ProjectionRunner } from '../../projections/runner';
import { maildirChannel, smtpChannel } from '../../projections/mail/channels';
import { MailDispatcher } from '../../projections/mail/dispatcher';
import { taskHoldersFrom } from '../../ui/tasklist-db';
import { openEvidenceStore } from '../../evidence/open-store';
import { createEvidenceReferenceQueries } from '../../projections/evidence/references';
import { TEST_COMMAND_KEY_PEM, testSigning } from './command-keys';
import { testTotp, type TestTotp } from './mfa';
import { devServerEnv, startTestWorker } from './temporal';
import type { Registry } from 'prom-client';
import { MeasuredEventStore } from '../../metrics/event-store';
import { registerOpenCases } from '../../metrics/open-cases';
import { registerProjectorMetrics } from '../../metrics/projector';
import { createProcessRegistry } from '../../metrics/registry';
import { registerTimerLateness } from '../../metrics/timers';
import { latenessWindow, projectorSamples, startSampler, type Sampler } from '../../metrics/sampler';
import { openOperationsSamples, operationsSamplesPath } from '../../metrics/samples';
import { Client } from '@temporalio/client';
import { TracedEventStore } from '../../tracing/event-store';
import { startTracing, type ProcessTracing, type TracedProcess } from '../../tracing/setup';
import { clientTracing } from '../../tracing/temporal';

/**
 * The whole system in one test process, composed as in production: the Temporal dev server, a worker,
 * the hash-chained SQLite event store on a file, the projection runner, identity, and the API (every
 * gateway and read model server/main.ts wires) with its UI (server/compose.ts) listening on a free port.
 */
const REGISTRAR: Actor = { userId: 'test-registrar', name: 'Test registrar', role: 'admin', jurisdiction: 'federal' };

export interface Stack {
  env: TestWorkflowEnvironment;
  store: EventStore;
  readModels: ReadModelDb;
  runner: ProjectionRunner;
  identity: Identity;
  app: FastifyInstance;
  base: string;
  dir: string;
  config: AppConfig;
  signer: AuditSigner;
  /** Codes for the accounts the stack started with, which have enrolled an authenticator. */
  totp: TestTotp;
  /** Each process's registry, wired as its main.ts wires it, when the stack was started with `metrics: true`. */
  metrics?: { api: Registry; worker: Registry; projector: Registry };
  /** With `metrics: true`: the worker's and the projector's operations samplers take a sample now. */
  sampleOperations?: () => Promise<void>;
  /** Each process's tracing, wired as its main.ts wires it, when the stack was started with `tracing`. */
  tracing?: Record<TracedProcess, ProcessTracing>;
  close(): Promise<void>;
}

export async function startStack(options: {
  taskQueue: string;
  accounts: Record<string, Omit<AccountInput, 'password'>>;
  password: string;
  env?: Promise<TestWorkflowEnvironment>;
  /**
   * Adjusts what the API is built with, e.g. a gateway over a client adapted to the time-skipping
   * test server, which has no visibility store.
   */
  apiDeps?: (deps: ApiDeps, env: TestWorkflowEnvironment) => ApiDeps;
  /**
   * The entities put on the PSE register before the API opens. By default, the organisation of every
   * seeded PSE account, in that account's jurisdiction: a NOC is only requested by a registered entity.
   */
  entities?: RegisterPsePayload[];
  /**
   * Environment variables the configuration is loaded from, as the processes read theirs: e.g.
   * SMTP_URL for a test's own mail server, or NOC_REMINDER_DAYS.
   */
  configEnv?: Record<string, string>;
  /** Wire the processes' metrics as server/main.ts, worker/main.ts and projections/main.ts do. */
  metrics?: boolean;
  /** Trace the processes as their main.ts do with OTEL_EXPORTER_OTLP_ENDPOINT set, one service each. */
  tracing?: { otlpEndpoint: string };
}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), `${options.taskQueue}-`));
  const env = await (options.env ?? devServerEnv());
  const store = new HashChainedEventStore(await openSqliteEventStore({ path: join(dir, 'events.db'), pollMs: 20 }));
  const readModels = openReadModelDb(join(dir, 'readmodels.db'));
  const tracing = options.tracing && tracingOf(options.tracing);
  const runner = new ProjectionRunner({
    store,
    db: readModels,
    projections: allProjections(),
    logger: pino({ level: 'silent' }),
    ...(tracing ? { tracer: tracing.projector.tracer } : {}),
  });
  await runner.start();
  // One Node process holds the three here: only the API's registry takes the process-wide defaults.
  const metrics = options.metrics
    ? { api: createProcessRegistry('api'), worker: createProcessRegistry('worker', { defaults: false }), projector: createProcessRegistry('projector', { defaults: false }) }
    : undefined;
  const lateness = latenessWindow();
  const workerTracing = tracing ? { tracing: tracing.worker } : {};
  const { worker, run } = metrics
    ? await startTestWorker(env, new MeasuredEventStore(store, metrics.worker), options.taskQueue, { timerLateness: registerTimerLateness(metrics.worker, lateness.observe), ...workerTracing })
    : await startTestWorker(env, store, options.taskQueue, workerTracing);
  // As server/main.ts: the API's client and store traced when tracing is on.
  const client = tracing ? new Client({ connection: env.connection, namespace: env.namespace ?? 'default', interceptors: { workflow: clientTracing(tracing.api) } }) : env.client;
  const apiStore = tracing ? new TracedEventStore(store, tracing.api.tracer) : store;
  const totp = testTotp;
  const identity = await createTestIdentity({ store });
  for (const account of Object.values(options.accounts)) await seedEnrolledAccount(identity, { ...account, password: options.password } as AccountInput);
  const base0 = loadConfig(options.configEnv ?? {});
  const config: AppConfig = {
    ...base0,
    dataDir: dir,
    temporal: { ...base0.temporal, taskQueue: options.taskQueue },
    commandKeys: { signingKeyPem: TEST_COMMAND_KEY_PEM, signingKeyFile: join(dir, 'unused-command-key.pem') },
  };
  const signing = testSigning();
  const signer = loadAuditSigner({ file: join(dir, 'audit-key.pem') });
  const frameworks = createFrameworkLibrary(config.framework);
  const frameworkRegister = createFrameworkRegister({ eventStore: apiStore, genesis: frameworks.load(frameworks.currentVersion) });
  const cspGateway = createTemporalCspGateway(client, config, signing);
  const publicQueries = createPublicQueries(readModels);
  const healthy: HealthReport = { status: 'ok', temporal: { ok: true }, eventStore: { ok: true }, projections: [] };
  // As server/main.ts and projections/main.ts: the UI's claims route staff notices to a task's holder.
  const taskHolders = taskHoldersFrom(join(dir, 'tasklist.db'));
  const deps: ApiDeps = {
    config,
    identity,
    nocGateway: createTemporalNocGateway(client, config, signing),
    cspGateway,
    cspRegistrations: createCspRegistrationDesk({ eventStore: apiStore, identity, csps: cspGateway }),
    caseNotes: createCaseNotes({ eventStore: apiStore }),
    accreditationGateway: createTemporalAccreditationGateway({ client, config, frameworks: frameworkRegister, csps: cspGateway, eventStore: apiStore, signing }),
    frameworkRegister,
    nocQueries: createNocQueries(readModels),
    pseGateway: createTemporalPseGateway({ client, config, signing, procurementCheck: (query, now) => publicQueries.procurementCheck(query, now) }),
    publicQueries,
    adoptionQueries: createAdoptionQueries(readModels),
    pseRegister: createPseRegisterQueries(readModels),
    accreditationQueue: createAccreditationQueueQueries(readModels),
    complianceGateway: createTemporalComplianceGateway({ client, config, signing }),
    complianceQueries: createComplianceQueries(readModels),
    inbox: createInbox(createInboxQueries(readModels, taskHolders.holders), identity),
    evidence: { store: openEvidenceStore({ dataDir: dir, evidence: config.evidence }), references: createEvidenceReferenceQueries(readModels, store), maxBytes: config.evidence.maxBytes },
    eventStore: apiStore,
    health: async () => healthy,
    logger: pino({ level: 'silent' }),
    ...(metrics ? { metrics: metrics.api } : {}),
    ...(tracing ? { tracer: tracing.api.tracer } : {}),
    auditKey: signer,
    audit: { store, trustedKeys: { [signer.keyId]: signer.publicKeyPem } },
  };
  const entities =
    options.entities ??
    Object.values(options.accounts)
      .filter((a) => a.role === 'pse' && a.organisationId !== undefined)
      .map((a) => ({ pseId: a.organisationId as string, name: a.organisationId as string, ministry: 'Test ministry', jurisdiction: a.jurisdiction }));
  for (const entity of new Map(entities.map((e) => [e.pseId, e])).values()) {
    await deps.pseGateway?.register(REGISTRAR, entity, `register-${entity.pseId}`);
  }
  // The projector process's mail dispatcher (projections/main.ts): SMTP_URL, else the maildir under the data folder.
  const { smtpUrl, from } = config.mail;
  let pendingMail = (): number => 0;
  const projectorMetrics = metrics && registerProjectorMetrics({ registry: metrics.projector, store, db: readModels, outboxBacklog: () => pendingMail() });
  if (metrics) registerOpenCases(metrics.projector, readModels);
  const mail = new MailDispatcher({
    db: readModels,
    channel: smtpUrl ? smtpChannel(smtpUrl) : maildirChannel(join(dir, 'maildir')),
    from,
    logger: pino({ level: 'silent' }),
    fromFirstStart: true,
    pollMs: 100,
    holders: taskHolders.holders,
    ...(projectorMetrics ? { onPass: projectorMetrics.mailPass } : {}),
  });
  pendingMail = () => mail.pendingCount();
  mail.start();
  // The worker's and the projector's samplers for the operators' page, as their main.ts start them.
  const operations = metrics && openOperationsSamples(operationsSamplesPath(dir));
  const samplers: Sampler[] = operations
    ? [
        startSampler({ samples: operations, collect: () => lateness.drain(), intervalMs: config.operations.sampleSeconds * 1000 }),
        startSampler({ samples: operations, collect: projectorSamples(metrics.projector), intervalMs: config.operations.sampleSeconds * 1000 }),
      ]
    : [];
  const app = composeOffice(options.apiDeps ? options.apiDeps(deps, env) : deps);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    env,
    store,
    readModels,
    runner,
    identity,
    app,
    base,
    dir,
    config,
    signer,
    totp,
    ...(metrics ? { metrics, sampleOperations: async () => void (await Promise.all(samplers.map((s) => s.sampleNow()))) } : {}),
    ...(tracing ? { tracing } : {}),
    async close() {
      await app.close();
      stopWorker(worker);
      await run;
      await mail.stop();
      for (const sampler of samplers) await sampler.stop();
      operations?.close();
      await runner.stop();
      readModels.close();
      taskHolders.close();
      await store.close();
      identity.close();
      await env.teardown();
      for (const t of Object.values(tracing ?? {})) await t.shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One provider per process, as each main.ts starts its own: spans say which process they come from. */
function tracingOf(settings: { otlpEndpoint: string }): Record<TracedProcess, ProcessTracing> {
  const start = (name: TracedProcess): ProcessTracing => {
    const started = startTracing(name, settings);
    if (started === undefined) throw new Error('tracing did not start with an OTLP endpoint');
    return started;
  };
  return { api: start('api'), worker: start('worker'), projector: start('projector') };
}

function stopWorker(worker: Worker): void {
  if (worker.getState() === 'RUNNING') worker.shutdown();
}
