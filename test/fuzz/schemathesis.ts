import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSchemathesis } from '../../config/schemathesis';

export interface FuzzRun {
  /** The CLI's exit status: 0 when every check passed. */
  exitCode: number;
  /** What it printed: the failing operations, each with its check, response and a curl line to replay it. */
  output: string;
  /** The JSON run report, as Schemathesis wrote it. */
  report: unknown;
}

export interface FuzzOptions {
  /** The document's URL; the API is reached at its origin. */
  schemaUrl: string;
  token?: string;
  maxExamples: number;
  seed: number;
  /** Schemathesis phases: examples, coverage (boundary and malformed values, many per operation), fuzzing, stateful. */
  phases: readonly string[];
  checks: readonly string[];
  /** Operations left out, as `METHOD /path` of the document. */
  exclude: readonly string[];
}

/** Runs the pinned Schemathesis CLI once against the document, as one bearer (or none). */
export async function runSchemathesis(options: FuzzOptions): Promise<FuzzRun> {
  const { python, args, env } = ensureSchemathesis();
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-report-'));
  const reportPath = join(dir, 'report.json');
  const argv = [
    ...args,
    'run',
    options.schemaUrl,
    '--checks',
    options.checks.join(','),
    '--max-examples',
    String(options.maxExamples),
    '--seed',
    String(options.seed),
    '--phases',
    options.phases.join(','),
    '--workers',
    '1',
    '--continue-on-failure',
    '--suppress-health-check',
    'all',
    '--report',
    'json',
    '--report-json-path',
    reportPath,
    '--output-truncate',
    'false',
    '--no-color',
    // Nothing is remembered between runs: a run depends on its seed alone.
    '--generation-database',
    'none',
    ...(options.token ? ['--header', `Authorization: Bearer ${options.token}`] : []),
    ...options.exclude.flatMap((operation) => ['--exclude-name', operation]),
  ];
  // In a folder of its own: Schemathesis keeps a cache of past failures in its working directory and
  // replays them first, and a run must depend on its seed alone.
  const child = spawn(python, argv, { cwd: dir, env: { ...env, NO_COLOR: '1', COLUMNS: '160' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? -1));
  });
  let report: unknown;
  try {
    report = JSON.parse(readFileSync(reportPath, 'utf8'));
  } catch {
    report = undefined;
  }
  rmSync(dir, { recursive: true, force: true });
  return { exitCode, output, report };
}
