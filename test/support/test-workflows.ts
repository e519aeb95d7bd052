import { ParentClosePolicy, startChild } from '@temporalio/workflow';

/** The tests' workflow bundle: every process of the app, and a parent that starts one as the engine would. */
export * from '../../workflows';

/**
 * Starts a process as its child and stays with it until it ends: how a test starts a process only the
 * engine may start (monitoring, an engine-opened review, the revocation transition). (A parent that
 * closed at once left the time-skipping server's clock stuck for the rest of the file.)
 */
export async function engineParentWorkflow(o: { workflowType: string; workflowId: string; taskQueue: string; args: unknown[] }): Promise<void> {
  const child = await startChild(o.workflowType, {
    workflowId: o.workflowId,
    taskQueue: o.taskQueue,
    args: o.args,
    parentClosePolicy: ParentClosePolicy.ABANDON,
  });
  await child.result().catch(() => undefined);
}
