import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { openVerificationProgress } from '../eventstore/integrity/verification-progress';
import { SqliteEventStore } from '../eventstore/sqlite/sqlite-event-store';
import { DomainError } from '../domain/shared/errors';
import { openAsOfSnapshots } from '../projections/as-of-snapshots';
import { runAuditJob, type AuditJob, type AuditSources } from './audit-jobs';
import { AuditThreadFiles, type AuditThreadReply } from './audit-thread-messages';

/**
 * The audit thread's entry (started by api/audit-thread.ts): its own connections to the event store
 * (read-only), the snapshots and the verification progress, opened at its first job and kept; one job
 * at a time, each answered by one message.
 */
const files = AuditThreadFiles.parse(workerData);
const port = parentPort;
if (!port) throw new Error('api/audit-worker.ts runs only as a worker thread');

let sources: AuditSources | undefined;
function open(): AuditSources {
  if (sources) return sources;
  const db = new Database(files.eventStorePath, { readonly: true, fileMustExist: true });
  // The API and the workers append while a job reads: wait for their locks as the store's own connection does.
  db.pragma('busy_timeout = 5000');
  sources = {
    store: new SqliteEventStore(db),
    trustedKeys: files.trustedKeys,
    ...(files.progressPath ? { progress: openVerificationProgress(files.progressPath) } : {}),
    ...(files.snapshotsPath ? { snapshots: openAsOfSnapshots(files.snapshotsPath) } : {}),
  };
  return sources;
}

const Request = z.object({ id: z.number().int(), job: z.custom<AuditJob>((v) => typeof v === 'object' && v !== null && 'kind' in v) });

port.on('message', (message: unknown) => {
  const { id, job } = Request.parse(message);
  port.postMessage({ id, type: 'started' } satisfies AuditThreadReply);
  // A store that cannot be opened fails this job, not the thread.
  Promise.resolve()
    .then(() => runAuditJob(open(), job))
    .then(
    (answer) => port.postMessage({ id, type: 'done', answer } satisfies AuditThreadReply),
    (err: unknown) => {
      const error = err instanceof DomainError ? { code: err.code, message: err.message } : { message: err instanceof Error ? err.message : String(err) };
      port.postMessage({ id, type: 'failed', error } satisfies AuditThreadReply);
    },
  );
});
