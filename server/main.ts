import { CheckpointIndex } from '../audit/checkpoint-index';
import { asOfSnapshotsPath, openAsOfSnapshots } from '../projections/as-of-snapshots';
import { openVerificationProgress, verificationProgressPath } from '../eventstore/integrity/verification-progress';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { loadConfig } from '../config/config';
import { apiTemporalConnectionOptions } from '../config/temporal-connection';
import { AsOfViews } from '../api/as-of-views';
import { createAuditThread } from '../api/audit-thread';
import { createStorageGuard } from '../api/storage-guard';
import { openIdempotencyStore } from '../api/idempotency-store';
import { loadCommandSigner } from '../config/command-keys';
import { onShutdown } from '../config/supervision';
import { createEventStore } from '../eventstore';
import { loadAuditSigner } from '../eventstore/integrity/signing';
import { positionToString, type EventStore } from '../eventstore/port';
import { createIdentity, loadMfaKey, openThrottleStore } from '../identity';
import { readCheckpoints } from '../projections/checkpoints';
import { openReadModelDb, type ReadModelDb } from '../projections/db';
import { eventsBehind } from '../projections/lag';
import { createNocQueries } from '../projections/noc/queries';
import { createInboxQueries } from '../projections/notices/inbox';
import { createInbox } from '../api/inbox';
import { createPublicQueries } from '../projections/procurement/queries';
import { createPseRegisterQueries } from '../projections/pse/entities';
import { createAdoptionQueries } from '../projections/adoption/queries';
import { createAccreditationQueueQueries } from '../projections/accreditation/queue';
import { createComplianceQueries } from '../projections/compliance/queries';
import { createHealthCheck, type ProjectionHealth } from '../api/health';
import { createFrameworkLibrary } from '../config/framework';
import { createTemporalAccreditationGateway } from '../api/accreditation-gateway';
import { createFrameworkRegister } from '../api/framework-register';
import { createTemporalComplianceGateway } from '../api/compliance-gateway';
import { createTemporalCspGateway } from '../api/csp-gateway';
import { createCspRegistrationDesk } from '../api/csp-registration-desk';
import { createCaseNotes } from '../api/case-notes';
import { createTemporalNocGateway } from '../api/noc-gateway';
import { registeredEntityFromStream } from '../api/pse-register-entry';
import { createTemporalPseGateway } from '../api/pse-gateway';
import { createCommandSigning } from '../api/command-signing';
import { composeOffice } from './compose';
import { taskHoldersFrom } from '../ui/tasklist-db';
import { openEvidenceStore } from '../evidence/open-store';
import { createEvidenceReferenceQueries } from '../projections/evidence/references';
import { MeasuredEventStore } from '../metrics/event-store';
import { createProcessRegistry } from '../metrics/registry';
import { serveMetricsIfConfigured } from '../metrics/serve';
import { TracedEventStore } from '../tracing/event-store';
import { startTracing } from '../tracing/setup';
import { clientTracing } from '../tracing/temporal';

/** `npm run api`: the HTTP API and the UI over Temporal, the event store and the read models. */

/** The projector creates the read-model file; started together, the API waits for it rather than dying. */
async function openReadModelWhenReady(path: string, timeoutMs: number): Promise<ReadModelDb> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`The read-model database ${path} does not exist; is the projector running?`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return openReadModelDb(path, { readonly: true });
}

async function projectionStatus(db: ReadModelDb, store: EventStore): Promise<ProjectionHealth[]> {
  const head = await store.headPosition();
  return Promise.all(
    readCheckpoints(db).map(async (checkpoint) => {
      const lag = await eventsBehind(store, checkpoint.position, head);
      const entry: ProjectionHealth = {
        name: checkpoint.name,
        lag: lag.events,
        position: checkpoint.position === null ? 'start' : positionToString(checkpoint.position),
      };
      if (checkpoint.error !== null) entry.error = checkpoint.error;
      return entry;
    }),
  );
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel });

  const metrics = createProcessRegistry('api');
  // Off (undefined, nothing registered) unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
  const tracing = startTracing('api', config.tracing);
  // The API appends too: accounts, case notes, registrations.
  const measured = new MeasuredEventStore(await createEventStore(config.eventStore), metrics);
  const eventStore: EventStore = tracing ? new TracedEventStore(measured, tracing.tracer) : measured;
  // Account changes are events in this store; the identity database follows them.
  const identity = createIdentity({ path: config.identityPath, sessionTtlHours: config.sessionTtlHours, oneTimePasswordTtlHours: config.oneTimePasswordTtlHours, store: eventStore, mfaKey: loadMfaKey(config.mfa) });
  // The sign-in throttle's counts, in the same file: shared by every API process, kept across restarts.
  const throttleStore = openThrottleStore(config.identityPath);
  // Resends with an Idempotency-Key get their first answer from here, however late (api/idempotency.ts).
  const idempotencyStore = openIdempotencyStore(config.idempotency.path, { retentionMs: config.idempotency.retentionDays * 24 * 60 * 60 * 1000 });
  const admin = await identity.ensureInitialAdmin();
  if (admin) {
    // Printed, not logged: logs are kept, and this password must appear exactly once.
    process.stdout.write(
      `\nFirst start: created the administrator account. Its password is shown only this once, and serves once, within\n` +
        `${config.oneTimePasswordTtlHours} hours, to enrol an authenticator and choose the administrator's own password:\n` +
        `  username: ${admin.username}   password: ${admin.password}\n\n`,
    );
  }

  const connection = await Connection.connect(apiTemporalConnectionOptions(config.temporal));
  // Traced, each start, update and signal carries the request's trace to the workflow in its headers.
  const client = new Client({ connection, namespace: config.temporal.namespace, ...(tracing ? { interceptors: { workflow: clientTracing(tracing) } } : {}) });
  const readModelDb = await openReadModelWhenReady(config.readModelPath, 60_000);

  const signer = loadAuditSigner({ pem: config.audit.signingKeyPem, file: config.audit.signingKeyFile });
  const verificationProgress = openVerificationProgress(verificationProgressPath(config.dataDir));
  const asOfSnapshots = openAsOfSnapshots(asOfSnapshotsPath(config.dataDir));
  const trustedKeys = { [signer.keyId]: signer.publicKeyPem };
  const checkpointIndex = new CheckpointIndex(eventStore);
  // Whole-log audit work runs off the event loop when the store is a file the audit thread can open;
  // over EventStoreDB it stays on this thread, sliced (api/shared-thread.ts).
  const auditThread =
    config.eventStore.kind === 'sqlite'
      ? createAuditThread({
          eventStorePath: config.eventStore.path,
          trustedKeys,
          progressPath: verificationProgressPath(config.dataDir),
          snapshotsPath: asOfSnapshotsPath(config.dataDir),
        })
      : undefined;
  // The audit thread keeps its own views; without it this thread runs the jobs, and keeps them here.
  const asOfViews = auditThread ? undefined : new AsOfViews();
  const frameworks = createFrameworkLibrary(config.framework);
  // Fail at start, not at the first application, when the current framework file is missing or invalid.
  const genesis = frameworks.load(frameworks.currentVersion);
  // FRAMEWORK_VERSION's file is the genesis version, in force until a version the directors approve takes effect.
  const frameworkRegister = createFrameworkRegister({ eventStore, genesis });
  // Only the API speaks for a person: every command to a process leaves here sealed with this key.
  const signing = createCommandSigning(loadCommandSigner(config.commandKeys, config.dataDir, (message) => logger.warn(message)));
  const cspGateway = createTemporalCspGateway(client, config, signing);
  // The projector commits from another process: seen from the next event-loop turn, which spares the
  // hottest read a read transaction per request (projections/procurement/check-index.ts).
  const publicQueries = createPublicQueries(readModelDb, { commitsSeen: 'every-turn' });
  // The UI's claims: a staff notice about a held case is in its holder's inbox, not everyone's.
  const taskHolders = taskHoldersFrom(join(config.dataDir, 'tasklist.db'));

  const storageGuard = createStorageGuard(eventStore, config.eventStoreReserveBytes);
  const app = composeOffice({
    config,
    identity,
    // A request reads the entity's register entry from its stream, not by querying its process: one round trip less.
    nocGateway: createTemporalNocGateway(client, config, signing, { registeredEntity: registeredEntityFromStream(eventStore) }),
    cspGateway,
    cspRegistrations: createCspRegistrationDesk({ eventStore: eventStore, identity, csps: cspGateway }),
    caseNotes: createCaseNotes({ eventStore }),
    accreditationGateway: createTemporalAccreditationGateway({ client, config, frameworks: frameworkRegister, csps: cspGateway, eventStore, signing }),
    frameworkRegister,
    nocQueries: createNocQueries(readModelDb),
    pseGateway: createTemporalPseGateway({ client, config, signing, procurementCheck: (query, now) => publicQueries.procurementCheck(query, now) }),
    publicQueries,
    adoptionQueries: createAdoptionQueries(readModelDb),
    pseRegister: createPseRegisterQueries(readModelDb),
    accreditationQueue: createAccreditationQueueQueries(readModelDb),
    complianceGateway: createTemporalComplianceGateway({ client, config, signing }),
    complianceQueries: createComplianceQueries(readModelDb),
    inbox: createInbox(createInboxQueries(readModelDb, taskHolders.holders), identity),
    evidence: {
      store: openEvidenceStore(config),
      references: createEvidenceReferenceQueries(readModelDb, eventStore),
      maxBytes: config.evidence.maxBytes,
    },
    eventStore,
    storageGuard,
    health: createHealthCheck({
      temporalConnection: connection,
      eventStore,
      storageGuard,
      projectionStatus: () => projectionStatus(readModelDb, eventStore),
    }),
    logger,
    metrics,
    ...(tracing ? { tracer: tracing.tracer } : {}),
    throttleStore,
    idempotencyStore,
    auditKey: signer,
    audit: {
      store: eventStore,
      trustedKeys,
      progress: verificationProgress,
      snapshots: asOfSnapshots,
      checkpoints: checkpointIndex,
      ...(auditThread ? { thread: auditThread } : {}),
      ...(asOfViews ? { views: asOfViews } : {}),
    },
  });

  // Its own listener, not a route of the public port: operators scrape it from METRICS_HOST's network.
  const metricsListener = await serveMetricsIfConfigured(metrics, { host: config.metrics.host, port: config.metrics.apiPort });
  onShutdown(async () => {
    logger.info('API stopping');
    await app.close();
    await auditThread?.close();
    asOfViews?.close();
    await metricsListener?.close();
    await eventStore.close();
    readModelDb.close();
    taskHolders.close();
    identity.close();
    throttleStore.close();
    idempotencyStore.close();
    verificationProgress.close();
    asOfSnapshots.close();
    await connection.close();
    await tracing?.shutdown();
  });

  await app.listen({ host: config.api.host, port: config.api.port });
  // The feed is read whole once, now, rather than by the first auditor's dossier; a failure here is retried by that dossier.
  checkpointIndex.catchUp().catch((err: unknown) => logger.warn({ err }, 'could not read the checkpoint feed for the dossier index yet'));
  if (metricsListener) logger.info({ host: config.metrics.host, port: metricsListener.port }, 'metrics served at /metrics');
}

main().catch((err: unknown) => {
  process.stderr.write(`API failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
