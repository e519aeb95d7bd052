import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/**
 * Replay fixtures from real runs: with EXPORT_WORKFLOW_HISTORIES=1, each test's processes are saved as
 * test/fixtures/workflow-histories/<kind>-<test-name>-<n>.binpb (protobuf), which the replay gate
 * (test/workflows/replay.workflow.test.ts) replays against the current code.
 */
const started: WorkflowHandleWithFirstExecutionRunId[] = [];

export function trackForExport<H extends WorkflowHandleWithFirstExecutionRunId>(handle: H): H {
  started.push(handle);
  return handle;
}

export async function exportHistories(kind: string, testName: string): Promise<void> {
  const handles = started.splice(0);
  if (!process.env.EXPORT_WORKFLOW_HISTORIES) return;
  const dir = join(__dirname, '..', 'fixtures', 'workflow-histories');
  mkdirSync(dir, { recursive: true });
  const slug = testName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
  let n = 0;
  for (const handle of handles) {
    // Every run of the process, following continue-as-new from the first run on.
    let runId: string | undefined = handle.firstExecutionRunId;
    while (runId) {
      const history = await handle.client.getHandle(handle.workflowId, runId).fetchHistory();
      writeFileSync(join(dir, `${kind}-${slug}-${n++}.binpb`), temporal.api.history.v1.History.encode(history).finish());
      runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
  }
}
