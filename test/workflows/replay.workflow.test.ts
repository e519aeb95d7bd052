import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
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

/**
 * The id the process ran under, where its history can tell: a first command sealed by the API names it
 * (the seal's caseId), and the process refuses the command under any other id, on replay too.
 * Histories without a sealed start replay under their fixture's name.
 */
function recordedWorkflowId(history: temporal.api.history.v1.IHistory): string | undefined {
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) return undefined;
  const input = defaultPayloadConverter.fromPayload<{ seal?: { caseId?: unknown } } | null>(payload);
  return typeof input?.seal?.caseId === 'string' ? input.seal.caseId : undefined;
}

function fixtures(): { name: string; workflowId: string; history: temporal.api.history.v1.IHistory }[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.binpb'))
    .sort()
    .map((f) => {
      const history = temporal.api.history.v1.History.decode(readFileSync(join(DIR, f)));
      const name = f.replace(/\.binpb$/, '');
      return { name, workflowId: recordedWorkflowId(history) ?? name, history };
    });
}

async function replay(workflowsPath: string) {
  const recorded = fixtures();
  const results: { workflowId: string; error?: Error }[] = [];
  for await (const result of Worker.runReplayHistories(
    replayWorkerOptions(workflowsPath, 'replay-gate'),
    recorded.map(({ workflowId, history }) => ({ workflowId, history })),
  )) {
    // Replayed one by one, in order: each result is reported under its fixture's name.
    const fixture = recorded[results.length];
    if (fixture?.workflowId !== result.workflowId) throw new Error(`Replay result for ${result.workflowId} out of order`);
    results.push({ workflowId: fixture.name, error: result.error });
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
