import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { replayWorkerOptions } from '../support/replay-options';

/**
 * The replay gate: histories of every branch of the NOC, accreditation (alone and with its compliance regime), CSP, PSE, monitoring
 * and review processes (offering: CSP registers reserving ids, approved changes taking effect), exported from real runs (see
 * docs/changing-workflows.md), are replayed against the current workflow code. A change that would
 * break a process in flight fails here, before it reaches a server.
 */
const DIR = join(__dirname, '..', 'fixtures', 'workflow-histories');

function fixtures(): { workflowId: string; history: temporal.api.history.v1.IHistory }[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.binpb'))
    .sort()
    .map((f) => ({ workflowId: f.replace(/\.binpb$/, ''), history: temporal.api.history.v1.History.decode(readFileSync(join(DIR, f))) }));
}

async function replay(workflowsPath: string) {
  const results: { workflowId: string; error?: Error }[] = [];
  for await (const result of Worker.runReplayHistories(replayWorkerOptions(workflowsPath, 'replay-gate'), fixtures())) {
    results.push({ workflowId: result.workflowId, error: result.error });
  }
  return results;
}

describe('the workflow replay gate', () => {
  it('replays the recorded history of every branch of every process type against the current code', async () => {
    const results = await replay(require.resolve('../../workflows'));
    const branches = new Set(results.map((r) => r.workflowId.replace(/-\d+$/, '')));
    // compliance: the accreditation with its compliance regime (monitoring, reviews, transition as children).
    const least: Record<string, number> = { noc: 7, accreditation: 7, csp: 2, pse: 2, monitoring: 1, review: 3, compliance: 2, transition: 2, change: 2, offering: 2 };
    for (const [kind, n] of Object.entries(least)) {
      expect([...branches].filter((b) => b.startsWith(`${kind}-`)).length).toBeGreaterThanOrEqual(n);
    }
    expect(results.filter((r) => r.error).map((r) => `${r.workflowId}: ${r.error?.message}`)).toEqual([]);
  });

  it('fails a deliberately nondeterministic change on every recorded history', async () => {
    const results = await replay(require.resolve('./nondeterministic'));
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((r) => !(r.error instanceof DeterminismViolationError)).map((r) => r.workflowId)).toEqual([]);
  });
});
