import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs the command-line tools as `npm run` does: through tsx, in a child process, from the project root. */
export const ROOT = join(__dirname, '..', '..');
export const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** The environment of a tool run against the data in `dataDir` (the embedded store, its signing key file). */
export function toolEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, EVENTSTORE: 'sqlite', AUDIT_SIGNING_KEY_FILE: auditKeyFileFor(dataDir) };
  for (const name of ['EVENTSTORE_URL', 'AUDIT_SIGNING_KEY']) delete env[name];
  return env;
}

/** The audit key of a test's data folder lives beside it, never inside it (the tools refuse that). */
export const auditKeyFileFor = (dataDir: string): string => `${dataDir}-audit-key.pem`;

export interface ToolRun {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs a tool with its standard output a pipe (read by this process as it comes) or, given `file`, the
 * file opened for writing, as a shell redirection would.
 */
export function runTool(script: string, args: readonly string[], env: NodeJS.ProcessEnv, file?: string): Promise<ToolRun> {
  const fd = file === undefined ? undefined : openSync(file, 'w');
  const child = spawn(TSX, [script, ...args], { cwd: ROOT, env, stdio: ['ignore', fd ?? 'pipe', 'pipe'] });
  if (fd !== undefined) closeSync(fd);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout: file === undefined ? Buffer.concat(out) : readFileSync(file), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}
