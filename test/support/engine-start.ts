import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
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
  const firstExecutionRunId = await env.client.workflow.execute<typeof engineParentWorkflow>('engineParentWorkflow', {
    workflowId: `engine-parent:${o.workflowId}`,
    taskQueue: o.taskQueue,
    args: [{ workflowType: o.workflowType, workflowId: o.workflowId, taskQueue: o.taskQueue, args: o.args }],
  });
  return Object.assign(env.client.workflow.getHandle<W>(o.workflowId), { firstExecutionRunId });
}
