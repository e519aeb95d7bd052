import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { startModuleThread } from '../config/module-thread';
import type { SnapshotRound, SnapshotRoundReply } from './as-of-snapshot-thread';

/**
 * Keeps the auditors' as-of views of recent instants from replaying the whole log: every `checkMs` the
 * projector starts a thread that snapshots each read model whose log has grown by `every` events since
 * its latest snapshot (what `npm run snapshot:as-of` does by hand). A thread, so the replays never hold
 * up the projector's own event loop; one at a time, a round still running when the next is due is let
 * finish. Its failures are logged and the next round tries again: snapshots only shorten replays.
 */
export interface AsOfSnapshotter {
  /** Runs a round now (unless one runs), resolved with what it saved. */
  runOnce(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export function startAsOfSnapshotter(options: { round: SnapshotRound; checkMs: number; logger: Logger }): AsOfSnapshotter {
  const { round, checkMs, logger } = options;
  let running: Promise<Record<string, number>> | undefined;
  let thread: Worker | undefined;
  let stopped = false;

  function runOnce(): Promise<Record<string, number>> {
    if (running) return running;
    const started = performance.now();
    running = new Promise<Record<string, number>>((resolve, reject) => {
      const w = startModuleThread(join(__dirname, 'as-of-snapshot-thread'), __filename, round);
      thread = w;
      let reply: SnapshotRoundReply | undefined;
      w.on('message', (message: SnapshotRoundReply) => (reply = message));
      w.on('error', reject);
      w.on('exit', (code) => {
        thread = undefined;
        if (reply && 'saved' in reply) resolve(reply.saved);
        else if (reply) reject(new Error(reply.error));
        else reject(new Error(stopped ? 'the projector stopped during the round' : `the snapshot thread ended (${code}) without an answer`));
      });
    })
      .then((saved) => {
        const models = Object.entries(saved).filter(([, n]) => n > 0);
        if (models.length > 0) logger.info({ saved: Object.fromEntries(models), seconds: Math.round(performance.now() - started) / 1000 }, 'as-of snapshots taken');
        return saved;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  const timer = setInterval(() => {
    if (stopped || running) return;
    runOnce().catch((err: unknown) => logger.warn({ err }, 'as-of snapshots not taken this round; the next round tries again'));
  }, checkMs);
  timer.unref();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      // A snapshot is saved in one statement: ending the thread midway loses only the round's progress.
      await thread?.terminate();
      await running?.catch(() => undefined);
    },
  };
}
