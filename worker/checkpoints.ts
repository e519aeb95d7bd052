import type { Logger } from 'pino';
import type { AppConfig } from '../config/config';
import { Checkpointer } from '../eventstore/integrity/checkpoint';
import { loadAuditSigner } from '../eventstore/integrity/signing';
import type { EventStore } from '../eventstore/port';

/** Signs a checkpoint of the log at the configured interval, beside the worker that writes the events. */
export function scheduleCheckpoints(config: AppConfig, store: EventStore, logger: Logger): () => void {
  if (config.audit.checkpointMinutes === 0) return () => undefined;
  const checkpointer = new Checkpointer(store, loadAuditSigner({ pem: config.audit.signingKeyPem, file: config.audit.signingKeyFile, warn: (message) => logger.warn(message) }));
  const timer = setInterval(() => {
    checkpointer
      .checkpoint(new Date().toISOString())
      .then((c) => logger.info({ sequence: c.sequence, events: c.events, streams: c.streams, root: c.root }, 'audit checkpoint signed'))
      .catch((err: unknown) => logger.error({ err }, 'audit checkpoint failed'));
  }, config.audit.checkpointMinutes * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
