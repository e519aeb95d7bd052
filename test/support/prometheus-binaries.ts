import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The repository's Prometheus configuration: scrape config, alert rules and their unit tests. */
export const PROMETHEUS_DIR = join(__dirname, '..', '..', 'docker', 'prometheus');

/**
 * Debian's `prometheus` package puts both binaries on PATH (.ci/run installs it); PROMETHEUS_BIN and
 * PROMTOOL_BIN name others. A missing binary fails the test with what to install, never skips it.
 */
export function prometheusBinary(name: 'prometheus' | 'promtool'): string {
  const bin = process.env[`${name.toUpperCase()}_BIN`] ?? name;
  const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `${bin} is not installed or does not run (${probe.error?.message ?? probe.stderr.trim()}): install Debian's prometheus package (apt-get install prometheus) or set ${name.toUpperCase()}_BIN`,
    );
  }
  return bin;
}

/** Runs promtool with the arguments; its output (both streams) comes back with the exit status. */
export function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(prometheusBinary('promtool'), args, { encoding: 'utf8', cwd: PROMETHEUS_DIR });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
