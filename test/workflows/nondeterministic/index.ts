import { sleep } from '@temporalio/workflow';
import { nocWorkflow as current } from '../../../workflows/noc/noc.workflow';
import type { NocView, NocWorkflowInput } from '../../../workflows/noc/messages';

/**
 * A deliberately nondeterministic change for the replay gate to catch: the same process with one
 * timer added before anything else, as a careless edit without `patched()` would do.
 */
export async function nocWorkflow(input: NocWorkflowInput): Promise<NocView> {
  await sleep('1 second');
  return current(input);
}
