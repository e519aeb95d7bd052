import { ensurePipTool, pipToolDir } from './pip-tool';

/**
 * moto's server, an S3-compatible endpoint the evidence store's contract tests run against (the S3
 * adapter is tested over HTTP, with the real client, not against a mock of it). Installed by
 * `npm run setup` into .tools/ (see pip-tool.ts) and run as `python3 -m moto.server`.
 */
export const MOTO = { pypi: 'moto', version: '5.2.6', extras: ['server'] } as const;

export const MOTO_DIR = pipToolDir(MOTO);

export interface MotoServerCommand {
  python: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** moto's server at the pinned version, installing it into .tools/ when it is not there yet. */
export function ensureMotoServer(): MotoServerCommand {
  const { python, env } = ensurePipTool(MOTO);
  return { python, args: ['-m', 'moto.server'], env };
}
