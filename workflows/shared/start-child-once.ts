import { log } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';

/**
 * Starts a child process named by its cause; a retried or replayed start finds it already running and
 * goes on. Resolves to the child's handle, or undefined when it was already running.
 */
export async function startChildOnce<T>(what: string, workflowId: string, start: () => Promise<T>): Promise<T | undefined> {
  try {
    return await start();
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    log.info(`${what} already started`, { workflowId });
    return undefined;
  }
}
