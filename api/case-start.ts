import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { DomainError } from '../domain/shared/errors';
import { mapTemporalError } from './noc-gateway';

const FINISHED_BADLY = new Set(['FAILED', 'TERMINATED', 'CANCELLED', 'TIMED_OUT']);

/**
 * What an update's NotFound means while the case process still runs: the update reached a run just as
 * it continued as new (Temporal resolved the current run, then found it closed), which the crash tests
 * meet when a worker dies around a hand-over. The action's outcome is not known, and it is not refused:
 * the caller's resend with the same Idempotency-Key reaches the new run, which answers it as the first
 * send was answered. Undefined when the process is gone or has finished, so NotFound stands.
 */
export async function updateMissedMovingRun(handle: WorkflowHandle): Promise<DomainError | undefined> {
  try {
    if ((await handle.describe()).status.name !== 'RUNNING') return undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw mapTemporalError(err);
  }
  return new DomainError('UNAVAILABLE', "The case's process was moving on to a new run as this action reached it, so its outcome is not known; try again with the same Idempotency-Key");
}
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A just-started case process records its first command in its first workflow task, or fails fast
 * with the decider's refusal; this polls for whichever happens. A query issued before that first task
 * completes fails, which here only means "not yet".
 */
export async function firstRecordedView<V extends { revision: number }>(
  handle: WorkflowHandle,
  query: () => Promise<V>,
  what: string,
  timeoutMs: number,
): Promise<V> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 250)) {
    try {
      const view = await query();
      if (view.revision >= 0) return view;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw mapTemporalError(err);
    }
    const { status } = await handle.describe().catch((err: unknown) => {
      throw mapTemporalError(err);
    });
    if (FINISHED_BADLY.has(status.name)) {
      try {
        await handle.result();
      } catch (err) {
        throw mapTemporalError(err);
      }
      throw new DomainError('INTERNAL_ERROR', `The ${what} process ended (${status.name}) without recording its first step`);
    }
    if (Date.now() + delay > deadline) {
      throw new DomainError('UNAVAILABLE', `The ${what} process has not recorded its first step yet; retry with the same Idempotency-Key`);
    }
    await sleep(delay);
  }
}
