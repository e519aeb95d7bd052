import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { openVerificationProgress } from '../eventstore/integrity/verification-progress';
import { SqliteEventStore } from '../eventstore/sqlite/sqlite-event-store';
import { DomainError } from '../domain/shared/errors';
import { openAsOfSnapshots } from '../projections/as-of-snapshots';
import { AsOfViews } from './as-of-views';
import { runAuditJob, type AuditJob, type AuditSources } from './audit-jobs';
import { AuditThreadFiles, ROWS_PER_MESSAGE, type AuditThreadReply } from './audit-thread-messages';

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
    views: new AsOfViews(),
  };
  return sources;
}

const Request = z.union([
  z.object({ id: z.number().int(), job: z.custom<AuditJob>((v) => typeof v === 'object' && v !== null && 'kind' in v) }),
  z.object({ id: z.number().int(), more: z.literal(true) }),
]);

/** Resolved when the API's thread has taken the last page and asks for the next. */
let wantMore: (() => void) | undefined;

function send(reply: AuditThreadReply): void {
  port?.postMessage(reply);
}

async function sendRows(id: number, tables: Record<string, Record<string, unknown>[]>): Promise<void> {
  for (const [table, rows] of Object.entries(tables)) {
    for (let at = 0; at === 0 || at < rows.length; at += ROWS_PER_MESSAGE) {
      const asked = new Promise<void>((resolve) => {
        wantMore = resolve;
      });
      send({ id, type: 'rows', table, rows: rows.slice(at, at + ROWS_PER_MESSAGE) });
      await asked;
    }
  }
}

async function answer(id: number, job: AuditJob): Promise<AuditThreadReply> {
  const result = await runAuditJob(open(), job);
  if (!('tables' in result)) return { id, type: 'done', answer: result };
  await sendRows(id, result.tables);
  return { id, type: 'done', answer: { ...result, tables: {} } };
}

port.on('message', (message: unknown) => {
  const request = Request.parse(message);
  if ('more' in request) {
    const next = wantMore;
    wantMore = undefined;
    next?.();
    return;
  }
  const { id, job } = request;
  send({ id, type: 'started' });
  // A store that cannot be opened fails this job, not the thread.
  Promise.resolve()
    .then(() => answer(id, job))
    .then(send, (err: unknown) => {
      const error = err instanceof DomainError ? { code: err.code, message: err.message } : { message: err instanceof Error ? err.message : String(err) };
      send({ id, type: 'failed', error });
    });
});
