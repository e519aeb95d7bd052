import { WorkflowNotFoundError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Workflow } from '@temporalio/common';
import type { engineParentWorkflow } from './test-workflows';

/**
 * Starts a process only the engine may start (it accepts the engine's first command only from a parent
 * process) as the child of the tests' parent workflow; answers its handle as if the test had started it.
 */
export async function startAsEngine<W extends Workflow>(
  env: TestWorkflowEnvironment,
  o: { workflowType: string; workflowId: string; taskQueue: string; args: Parameters<W> },
): Promise<WorkflowHandleWithFirstExecutionRunId<W>> {
  // Started, not awaited: awaiting a result on the time-skipping server moves its clock.
  await env.client.workflow.start<typeof engineParentWorkflow>('engineParentWorkflow', {
    workflowId: `engine-parent:${o.workflowId}`,
    taskQueue: o.taskQueue,
    args: [{ workflowType: o.workflowType, workflowId: o.workflowId, taskQueue: o.taskQueue, args: o.args }],
  });
  const handle = env.client.workflow.getHandle<W>(o.workflowId);
  let firstExecutionRunId: string | undefined;
  for (let attempt = 0; firstExecutionRunId === undefined; attempt += 1) {
    try {
      firstExecutionRunId = (await handle.describe()).runId;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) || attempt >= 100) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return Object.assign(handle, { firstExecutionRunId });
}
