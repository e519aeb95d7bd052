import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startModuleThread } from '../config/module-thread';
import { DomainError, isErrorCode } from '../domain/shared/errors';
import type { AuditAnswer, AuditJob } from './audit-jobs';
import type { AuditThreadFiles, AuditThreadReply } from './audit-thread-messages';

/**
 * The auditors' whole-log work (as-of replays, verifications) on a thread of its own, so that the API's
 * event loop only waits for a message while it runs. One thread, one job at a time, a bounded queue:
 * beyond it a job is refused with AUDIT_THREAD_BUSY (503, Retry-After) rather than piling up. The thread
 * starts at the first job and opens its own connections to the files it is given.
 */
export interface AuditThread {
  run<J extends AuditJob>(job: J): Promise<AuditAnswer<J>>;
  /** Refuses what is queued and stops the thread. */
  close(): Promise<void>;
}

export const AUDIT_QUEUE_LIMIT = 4;

interface Pending {
  id: number;
  job: AuditJob;
  /** An as-of view's rows as their pages arrive. */
  tables: Record<string, Record<string, unknown>[]>;
  resolve: (answer: unknown) => void;
  reject: (err: unknown) => void;
}

function startWorker(files: AuditThreadFiles): Worker {
  return startModuleThread(join(__dirname, 'audit-worker'), __filename, files);
}

function failure(error: { code?: string; message: string }): Error {
  return error.code && isErrorCode(error.code) ? new DomainError(error.code, error.message) : new Error(error.message);
}

export function createAuditThread(
  files: AuditThreadFiles,
  options: { queueLimit?: number; onStarted?: (job: AuditJob) => void } = {},
): AuditThread {
  const queueLimit = options.queueLimit ?? AUDIT_QUEUE_LIMIT;
  const waiting: Pending[] = [];
  let running: Pending | undefined;
  let worker: Worker | undefined;
  let nextId = 1;
  let closed = false;

  function settle(reply: AuditThreadReply): void {
    if (!running || reply.id !== running.id) return;
    if (reply.type === 'started') {
      options.onStarted?.(running.job);
      return;
    }
    if (reply.type === 'rows') {
      const into = (running.tables[reply.table] ??= []);
      for (const row of reply.rows) into.push(row);
      // The next page once the loop has served what waited behind this one.
      const id = running.id;
      setImmediate(() => worker?.postMessage({ id, more: true }));
      return;
    }
    const done = running;
    running = undefined;
    if (reply.type === 'done') done.resolve('tables' in reply.answer ? { ...reply.answer, tables: done.tables } : reply.answer);
    else done.reject(failure(reply.error));
    pump();
  }

  function spawn(): Worker {
    const w = startWorker(files);
    w.on('message', (reply: AuditThreadReply) => settle(reply));
    w.on('error', (err) => {
      // The thread died with the job: that job fails, the next one starts a new thread.
      const lost = running;
      running = undefined;
      lost?.reject(err);
    });
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      const lost = running;
      running = undefined;
      lost?.reject(new DomainError('UNAVAILABLE', 'The audit thread stopped before the job ended'));
      if (!closed) pump();
    });
    return w;
  }

  function pump(): void {
    if (running || closed) return;
    const next = waiting.shift();
    if (!next) {
      // Idle, the thread does not keep a process alive (a CLI, a test) that has nothing else to do.
      worker?.unref();
      return;
    }
    running = next;
    worker ??= spawn();
    worker.ref();
    worker.postMessage({ id: next.id, job: next.job });
  }

  return {
    run<J extends AuditJob>(job: J): Promise<AuditAnswer<J>> {
      if (closed) return Promise.reject(new DomainError('UNAVAILABLE', 'The API is stopping'));
      if (waiting.length >= queueLimit) {
        return Promise.reject(new DomainError('AUDIT_THREAD_BUSY', `${waiting.length + 1} auditors' whole-log requests are already running or waiting; try again shortly`));
      }
      return new Promise<AuditAnswer<J>>((resolve, reject) => {
        waiting.push({ id: nextId++, job, tables: {}, resolve: resolve as (answer: unknown) => void, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const p of waiting.splice(0)) p.reject(new DomainError('UNAVAILABLE', 'The API is stopping'));
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  };
}
