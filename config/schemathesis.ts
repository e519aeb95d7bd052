import { ensurePipTool, pipToolDir } from './pip-tool';

/**
 * Schemathesis, the OpenAPI fuzzer the API tests run (test/fuzz), installed by `npm run setup` into
 * .tools/ (see pip-tool.ts) and run as `python3 -m schemathesis.cli`.
 */
export const SCHEMATHESIS = { pypi: 'schemathesis', version: '4.32.5' } as const;

export const SCHEMATHESIS_DIR = pipToolDir(SCHEMATHESIS);

/** The interpreter and environment a child process runs Schemathesis with. */
export interface SchemathesisCommand {
  python: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** Schemathesis at the pinned version, installing it into .tools/ when it is not there yet. */
export function ensureSchemathesis(): SchemathesisCommand {
  const { python, env } = ensurePipTool(SCHEMATHESIS);
  return { python, args: ['-m', 'schemathesis.cli'], env };
}
