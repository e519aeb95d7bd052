import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * scripts/check-compose-security.py over docker-compose.yml as docker-compose resolves it, and over
 * variants of it that break one rule each: Grafana is the only service besides the API that may
 * publish a port, and only on 127.0.0.1, with anonymous access off and its admin password from a secret.
 */
const ROOT = join(__dirname, '..', '..');

function resolvedCompose(): string {
  const run = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: ROOT, encoding: 'utf8' });
  if (run.error || run.status !== 0) throw new Error(`docker-compose config failed (install docker-compose, as .ci/run does): ${run.error?.message ?? run.stderr}`);
  return run.stdout;
}

function check(resolved: string): { status: number | null; output: string } {
  const run = spawnSync('python3', ['scripts/check-compose-security.py'], { cwd: ROOT, input: resolved, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The resolved text with one exact fragment replaced; fails if the fragment is not there (the layout changed). */
function variant(resolved: string, from: string, to: string): string {
  expect(resolved).toContain(from);
  return resolved.replace(from, to);
}

describe('the compose security check', () => {
  const resolved = resolvedCompose();

  it('passes the repository compose file, with Grafana published on the loopback address only', () => {
    const result = check(resolved);
    expect(result.output).toContain('security properties hold');
    expect(result.status).toBe(0);
  });

  it('refuses Grafana published on every address', () => {
    const result = check(variant(resolved, '- 127.0.0.1:3001:3000/tcp', '- 3001:3000/tcp'));
    expect(result.output).toContain('grafana publishes');
    expect(result.output).toContain('loopback address only');
    expect(result.status).toBe(1);
  });

  it('refuses Grafana with anonymous access on', () => {
    const result = check(variant(resolved, 'GF_AUTH_ANONYMOUS_ENABLED: "false"', 'GF_AUTH_ANONYMOUS_ENABLED: "true"'));
    expect(result.output).toContain('grafana: GF_AUTH_ANONYMOUS_ENABLED must be false');
    expect(result.status).toBe(1);
  });

  it('refuses a Grafana admin password written in the file', () => {
    const result = check(variant(resolved, 'GF_SECURITY_ADMIN_PASSWORD__FILE: /run/secrets/grafana-admin-password', 'GF_SECURITY_ADMIN_PASSWORD: hunter2hunter2'));
    expect(result.output).toContain('GF_SECURITY_ADMIN_PASSWORD is written in the compose file');
    expect(result.status).toBe(1);
  });

  it('refuses Prometheus publishing its port', () => {
    const result = check(variant(resolved, '\n  prometheus:\n', '\n  prometheus:\n    ports:\n    - 9090:9090/tcp\n'));
    expect(result.output).toContain('prometheus publishes ports');
    expect(result.status).toBe(1);
  });
});
