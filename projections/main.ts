import { join } from 'node:path';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { onShutdown } from '../config/supervision';
import { createEventStore } from '../eventstore';
import { asOfSnapshotsPath } from './as-of-snapshots';
import { startAsOfSnapshotter } from './as-of-snapshotter';
import { crashHookFromEnv } from './crash-hook';
import { openReadModelDb } from './db';
import { allProjections } from './index';
import { maildirChannel, smtpChannel } from './mail/channels';
import { MailDispatcher } from './mail/dispatcher';
import { ProjectionRunner } from './runner';
import { taskHoldersFrom } from '../ui/tasklist-db';
import { registerOpenCases } from '../metrics/open-cases';
import { registerProjectorMetrics } from '../metrics/projector';
import { createProcessRegistry } from '../metrics/registry';
import { serveMetricsIfConfigured } from '../metrics/serve';
import { projectorSamples, startSampler } from '../metrics/sampler';
import { openOperationsSamples, operationsSamplesPath } from '../metrics/samples';
import { startTracing } from '../tracing/setup';

/**
 * The projector process: follows the event store into the read models and mails the notices
 * (SMTP_URL, or the local maildir folder). A projection that stops on an event (an unknown type, a failing apply) stays stopped with
 * its error in projection_checkpoints, where the API's health check reads it; the process stays up
 * and tries again with a growing pause, which heals passing faults and keeps a broken event from
 * spinning the supervisor's restarts.
 */
const LAG_LOG_MS = 30_000;
const RETRY_MIN_MS = 5_000;
const RETRY_MAX_MS = 5 * 60_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('projector', config.logLevel);
  const store = await createEventStore(config.eventStore, { pollMs: config.projectionPollMs });
  const db = openReadModelDb(config.readModelPath);
  // Off (undefined, nothing registered) unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
  const tracing = startTracing('projector', config.tracing);
  // New notices are mailed as soon as their batch is committed, not at the dispatcher's next poll.
  let mailMayBeDue = (): void => undefined;
  const runner = new ProjectionRunner({
    store,
    db,
    projections: allProjections(),
    logger,
    betweenStatements: crashHookFromEnv(process.env),
    ...(tracing ? { tracer: tracing.tracer } : {}),
    onCommitted: () => mailMayBeDue(),
  });
  const { smtpUrl, from, maildir } = config.mail;
  // The UI's claims (its tasklist file): a staff notice about a held case is mailed to its holder.
  const taskHolders = taskHoldersFrom(join(config.dataDir, 'tasklist.db'));
  const registry = createProcessRegistry('projector');
  // The outbox is made after its counters, which it reports to; the backlog gauge asks it at scrape time.
  let pendingMail = (): number => 0;
  const projectorMetrics = registerProjectorMetrics({ registry, store, db, outboxBacklog: () => pendingMail() });
  registerOpenCases(registry, db);
  const outbox = new MailDispatcher({
    db,
    channel: smtpUrl ? smtpChannel(smtpUrl) : maildirChannel(maildir),
    from,
    logger,
    fromFirstStart: true,
    holders: taskHolders.holders,
    onPass: projectorMetrics.mailPass,
  });
  pendingMail = () => outbox.pendingCount();
  mailMayBeDue = () => outbox.wake();
  const metricsListener = await serveMetricsIfConfigured(registry, { host: config.metrics.host, port: config.metrics.projectorPort });
  // The operators' page's last day of the same figures, kept without Prometheus.
  const samples = openOperationsSamples(operationsSamplesPath(config.dataDir));
  const sampler = startSampler({
    samples,
    collect: projectorSamples(registry),
    intervalMs: config.operations.sampleSeconds * 1000,
    onError: (err) => logger.warn({ err }, 'could not record the operations sample'),
  });
  if (smtpUrl) logger.info({ smtp: new URL(smtpUrl).host, from }, 'notices are mailed through SMTP');
  else logger.warn({ maildir, from }, 'SMTP_URL is not set: notices are kept as mail files in the local maildir folder, not sent');

  let retryMs = RETRY_MIN_MS;
  let retryTimer: NodeJS.Timeout | undefined;
  const watch = setInterval(() => {
    const health = runner.health();
    if (health.state === 'running' && health.caughtUp) retryMs = RETRY_MIN_MS;
    if (health.state !== 'failed' || retryTimer !== undefined) return;
    logger.warn({ error: health.error, retryInMs: retryMs }, 'projections stopped; retrying later');
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
      runner.start().catch((err: unknown) => logger.error({ err }, 'projections did not restart'));
    }, retryMs);
  }, 1000);
  const lagLog = setInterval(() => {
    runner
      .status()
      .then((status) => {
        const behind = status.filter((s) => s.lag > 0 || s.error);
        if (behind.length > 0) logger.info({ projections: behind }, 'projection lag');
      })
      .catch((err: unknown) => logger.warn({ err }, 'could not read projection lag'));
  }, LAG_LOG_MS);

  const { everyEvents, checkSeconds } = config.asOfSnapshots;
  const snapshotter =
    everyEvents > 0
      ? startAsOfSnapshotter({ round: { eventStore: config.eventStore, snapshotsPath: asOfSnapshotsPath(config.dataDir), every: everyEvents }, checkMs: checkSeconds * 1000, logger })
      : undefined;

  onShutdown(async () => {
    logger.info('projector stopping');
    clearInterval(watch);
    clearInterval(lagLog);
    await snapshotter?.stop();
    await metricsListener?.close();
    await sampler.stop();
    samples.close();
    if (retryTimer) clearTimeout(retryTimer);
    await outbox.stop();
    taskHolders.close();
    await runner.stop();
    await store.close();
    db.close();
    await tracing?.shutdown();
    logger.info('projector stopped');
  });

  await runner.start();
  outbox.start();
  logger.info(
    { readModels: config.readModelPath, store: config.eventStore.kind, outbox: outbox.pendingCount(), metricsPort: metricsListener?.port ?? 'off' },
    'projector started',
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
