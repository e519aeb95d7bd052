import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createCaseNotes } from '../../api/case-notes';
import { generateNocHistories } from '../../bench/fixtures';
import { Checkpointer } from '../../eventstore/integrity/checkpoint';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { loadAuditSigner } from '../../eventstore/integrity/signing';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { auditKeyFileFor, ROOT, runTool, toolEnv, TSX, type ToolRun } from './run-tool';

/**
 * The auditors' tools give a pipe every byte they give a file. The store is made to yield several
 * megabytes from each: thousands of NOC histories for the replay, every NOC's last event removed after
 * dozens of signed checkpoints, so that verify names every NOC under every checkpoint, and one case with
 * hundreds of long internal notes, which its dossier (reading only that case's streams) prints whole.
 */
const EVENTS = 7_000;
const CHECKPOINTS = 40;
const NOTES = 600;
const MEGABYTE = 1024 * 1024;

let dir: string;
let env: NodeJS.ProcessEnv;
let someCase: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-output-'));
  const data = join(dir, 'data');
  env = toolEnv(data);
  const store = new HashChainedEventStore(await openSqliteEventStore({ path: join(data, 'events.db'), synchronous: 'OFF' }));
  for (const history of generateNocHistories(EVENTS, { seed: 11 })) {
    await store.append(history.stream, history.events, 'no-stream');
    someCase ??= history.stream;
  }
  const notes = createCaseNotes({ eventStore: store, now: () => new Date('2030-01-01T00:00:00.000Z') });
  const reviewer = { userId: 'u-rev', name: 'Rania Reviewer', role: 'reviewer', jurisdiction: 'federal' } as const;
  for (let i = 0; i < NOTES; i++) await notes.add(reviewer, 'noc', someCase.slice('noc-'.length), `Note ${i}: ${'site visit findings, '.repeat(190)}`);
  const checkpointer = new Checkpointer(store, loadAuditSigner({ file: auditKeyFileFor(data) }));
  for (let i = 0; i < CHECKPOINTS; i++) await checkpointer.checkpoint(new Date(Date.UTC(2030, 0, 1, 0, i)).toISOString());
  await store.close();
  const raw = new Database(join(data, 'events.db'));
  raw.exec("DELETE FROM events WHERE stream LIKE 'noc-%' AND (stream, revision) IN (SELECT stream, MAX(revision) FROM events GROUP BY stream)");
  raw.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the tool twice, stdout a pipe then a file, and returns both outputs with the exit codes. */
async function pipedAndFiled(script: string, args: string[]) {
  const piped = await runTool(script, args, env);
  const filed = await runTool(script, args, env, join(dir, `${script.replace(/\W/g, '-')}.out`));
  return { piped, filed };
}

const REPLAY = ['--as-of', 'now', '--model', 'noc-register'];
let replayFiled: Promise<ToolRun> | undefined;
/** The replay written to a file, run once for the tests that compare a pipe's bytes with it. */
const replayedToFile = (): Promise<ToolRun> => (replayFiled ??= runTool('cli/replay.ts', REPLAY, env, join(dir, 'replay.json')));

describe('the auditors’ tools with their output piped', () => {
  it('replay gives a pipe the whole read model, byte for byte as a file gets it', async () => {
    const piped = await runTool('cli/replay.ts', REPLAY, env);
    const filed = await replayedToFile();
    expect(filed.code).toBe(0);
    expect(filed.stdout.length).toBeGreaterThan(2 * MEGABYTE);
    expect(piped.code).toBe(0);
    expect(piped.stdout.length).toBe(filed.stdout.length);
    expect(piped.stdout.equals(filed.stdout)).toBe(true);
    expect(JSON.parse(piped.stdout.toString('utf8'))).toMatchObject({ model: 'noc-register' });
  });

  it('verify gives a pipe every finding, and exits 1 for the broken history', async () => {
    const { piped, filed } = await pipedAndFiled('cli/verify.ts', []);
    expect(filed.code).toBe(1);
    expect(filed.stdout.length).toBeGreaterThan(2 * MEGABYTE);
    expect(filed.stdout.toString('utf8')).toMatch(/truncated \(checkpoint recorded revision \d+, found \d+\)\n\d+ signed commands verified(; \d+ events people caused recorded before commands were signed \(before their stream's first signed command\))?\n\d+ events decoded under the current schemas and upcasters\n\d+ evidence files checked against their hashes\n$/);
    expect(piped.code).toBe(1);
    expect(piped.stdout.equals(filed.stdout)).toBe(true);
  });

  it('dossier gives a pipe the whole dossier of a case, and exits 1 for a case that does not verify', async () => {
    const { piped, filed } = await pipedAndFiled('cli/dossier.ts', [someCase]);
    expect(filed.code).toBe(1);
    expect(filed.stdout.length).toBeGreaterThan(2 * MEGABYTE);
    expect(piped.code).toBe(1);
    // The two runs differ only in the instant each dossier says it was generated at (as long in both).
    const generatedAt = (out: Buffer) => out.toString('utf8').replace(/"generatedAt": "[^"]+"/, '"generatedAt": "…"');
    expect(piped.stdout.length).toBe(filed.stdout.length);
    expect(generatedAt(piped.stdout) === generatedAt(filed.stdout)).toBe(true);
    expect(JSON.parse(piped.stdout.toString('utf8'))).toMatchObject({ case: someCase, verification: { intact: false } });
  });

  it('checkpoint gives a pipe its line as a file gets it, run on two copies of the same store', async () => {
    // Signing a checkpoint appends to the log: each run gets its own copy, so both sign the same one.
    const [first, second] = ['copy-1', 'copy-2'].map((name) => {
      cpSync(join(dir, 'data'), join(dir, name), { recursive: true });
      cpSync(auditKeyFileFor(join(dir, 'data')), auditKeyFileFor(join(dir, name)));
      return toolEnv(join(dir, name));
    });
    const piped = await runTool('cli/checkpoint.ts', [], first as NodeJS.ProcessEnv);
    const filed = await runTool('cli/checkpoint.ts', [], second as NodeJS.ProcessEnv, join(dir, 'checkpoint.out'));
    expect(filed.code).toBe(0);
    expect(filed.stdout.toString('utf8')).toMatch(new RegExp(`^checkpoint ${CHECKPOINTS} signed by key \\S+: \\d+ events in \\d+ streams`));
    expect(piped.code).toBe(0);
    expect(piped.stdout.equals(filed.stdout)).toBe(true);
  });

  /** Runs a shell pipeline as an auditor types it; pipefail keeps the tool's exit status. */
  function shell(pipeline: string): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['-c', `set -o pipefail; ${pipeline}`], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
  }

  it('replay piped into a consumer that reads slowly delivers every byte a file gets', async () => {
    const filed = await replayedToFile();
    const received = join(dir, 'slowly-read.json');
    const { code } = await shell(`"${TSX}" cli/replay.ts ${REPLAY.join(' ')} | node test/cli/slow-reader.mjs "${received}"`);
    expect(filed.code).toBe(0);
    expect(code).toBe(0);
    expect(readFileSync(received).equals(filed.stdout)).toBe(true);
  });

  it('verify stops quietly, with the status of a broken pipe, when its reader stops reading early', async () => {
    const { code, stderr } = await shell(`"${TSX}" cli/verify.ts | head -c 100`);
    expect(code).toBe(141);
    expect(stderr).toBe('');
  });
});
