import {
  ApplicationFailure,
  isGrpcServiceError,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
  type WorkflowHandle,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { UpdateDefinition, Workflow } from '@temporalio/common';
import { DomainError, isErrorCode } from '../domain/shared/errors';
import { mapTemporalError, withCause } from './noc-gateway';

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

const ALREADY_EXISTS = 6;

/**
 * Whether a start was refused because a process with that id exists (or existed: the ids are never
 * reused). Update-with-start may report it as the gRPC status of its start operation rather than as
 * the SDK's WorkflowExecutionAlreadyStartedError.
 */
export function alreadyStarted(err: unknown): boolean {
  if (err instanceof WorkflowExecutionAlreadyStartedError) return true;
  const grpc = err instanceof Error && isGrpcServiceError(err.cause) ? err.cause : err;
  return isGrpcServiceError(grpc) && grpc.code === ALREADY_EXISTS;
}

/**
 * Starts a case process and answers its view once it has recorded its first step, in one call to the
 * engine: Temporal's update-with-start, the update (`recorded`) answering when the first events are
 * written. Duplicate starts are refused as before (conflict policy FAIL, ids never reused): the caller
 * gets WorkflowExecutionAlreadyStartedError and answers the resend. A process that ends before it
 * answers (its first step refused: the refusal is its failure), or a worker that does not know the
 * update yet (one built before it, during a rolling deploy), leaves the answer to `poll`. Held to
 * `timeoutMs`, after which the caller hears UNAVAILABLE and resends with the same key.
 */
export async function startAndAwaitFirstStep<W extends Workflow, V>(
  client: Client,
  workflowType: string,
  options: WorkflowStartOptions<W>,
  recorded: UpdateDefinition<V, []>,
  poll: (handle: WorkflowHandle<W>) => Promise<V>,
  { what, timeoutMs }: { what: string; timeoutMs: number },
): Promise<V> {
  const startWorkflowOperation = new WithStartWorkflowOperation<W>(workflowType, { ...options, workflowIdConflictPolicy: 'FAIL' });
  try {
    return await client.withDeadline(Date.now() + timeoutMs, () => client.workflow.executeUpdateWithStart(recorded, { startWorkflowOperation }));
  } catch (err) {
    if (alreadyStarted(err)) throw new WorkflowExecutionAlreadyStartedError('Workflow execution already started', options.workflowId, workflowType);
    // The process may have started: only the resend, with the same key, can tell.
    if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
      throw withCause(new DomainError('UNAVAILABLE', `The ${what} process has not recorded its first step yet; retry with the same Idempotency-Key`), err);
    }
    const refusal = err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && isErrorCode(err.cause.type);
    if (!(err instanceof WorkflowUpdateFailedError) || refusal) throw mapTemporalError(err);
    return poll(client.workflow.getHandle<W>(options.workflowId));
  }
}
