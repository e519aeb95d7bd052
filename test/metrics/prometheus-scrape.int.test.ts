import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installTemporalRuntimeMetrics } from '../../metrics/temporal-runtime';
import { eventually, runNocLifecycle, startMetricsStack, type MetricsStack } from '../support/noc-lifecycle';
import { freePort } from '../support/ports';
import { PROMETHEUS_DIR, prometheusBinary } from '../support/prometheus-binaries';

/**
 * A real Prometheus (Debian's, on PATH) scrapes the running stack after the metrics tests' NOC
 * lifecycle, with the repository's alert rules loaded: every series name the alert rules and the
 * Grafana dashboard use is there, every dashboard expression runs without error, and every rule
 * evaluates. The worker's Temporal runtime exports its own SDK metrics, as TEMPORAL_METRICS_BIND makes it.
 */
const DASHBOARD = join(__dirname, '..', '..', 'docker', 'grafana', 'dashboards', 'cloud-office.json');
const JOBS = ['cloud-office-api', 'cloud-office-worker', 'cloud-office-projector', 'cloud-office-temporal-sdk'] as const;

let running: MetricsStack;
let prometheus: ChildProcess | undefined;
let prometheusLog = '';
let base = '';
let dir = '';

beforeAll(async () => {
  const bin = prometheusBinary('prometheus');
  const temporalPort = await freePort();
  // Before the stack's Temporal connection: the runtime is installed once, with its metrics exporter.
  installTemporalRuntimeMetrics(`127.0.0.1:${temporalPort}`);
  running = await startMetricsStack('prometheus-scrape');
  await runNocLifecycle(running.client);

  dir = mkdtempSync(join(tmpdir(), 'prometheus-scrape-'));
  const ports: Record<(typeof JOBS)[number], number> = {
    'cloud-office-api': running.listeners.api.port,
    'cloud-office-worker': running.listeners.worker.port,
    'cloud-office-projector': running.listeners.projector.port,
    'cloud-office-temporal-sdk': temporalPort,
  };
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: [join(PROMETHEUS_DIR, 'alerts.yml')],
    scrape_configs: JOBS.map((job) => ({ job_name: job, static_configs: [{ targets: [`127.0.0.1:${ports[job]}`] }] })),
  };
  // JSON is YAML: Prometheus reads it as its configuration.
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  prometheus = spawn(bin, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  prometheus.stdout!.on('data', (chunk: Buffer) => (prometheusLog += chunk.toString()));
  prometheus.stderr!.on('data', (chunk: Buffer) => (prometheusLog += chunk.toString()));
  // Every target scraped once (up), or the log says why not.
  await eventually(async () => {
    const targets = (await api('/api/v1/targets')) as { activeTargets: { labels: { job: string }; health: string; lastError: string }[] };
    expect(targets.activeTargets.map((t) => `${t.labels.job} ${t.health} ${t.lastError}`).sort()).toEqual(JOBS.map((job) => `${job} up `).sort());
  }, 30_000).catch((err: unknown) => {
    throw new Error(`Prometheus did not scrape every target: ${String(err)}\n${prometheusLog.slice(-2000)}`);
  });
});

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await running?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** GET on Prometheus's HTTP API; answers `data`, or fails with Prometheus's error. */
async function api(path: string): Promise<unknown> {
  const res = await fetch(`${base}${path}`);
  const body = (await res.json()) as { status: string; data?: unknown; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? res.status}`);
  return body.data;
}

function dashboardExprs(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((t) => t.expr));
}

interface LoadedRule {
  name: string;
  query: string;
  health: string;
  lastError?: string;
}

async function loadedRules(): Promise<LoadedRule[]> {
  const data = (await api('/api/v1/rules')) as { groups: { rules: LoadedRule[] }[] };
  return data.groups.flatMap((g) => g.rules);
}

/** Series names in an expression: the metric names this project exports, and `up`. */
function seriesNames(expr: string): string[] {
  return expr.match(/\b(cloud_office_[a-z0-9_]+|up)\b/g) ?? [];
}

describe('a real Prometheus scraping the running stack', () => {
  it('finds every series the alert rules and the Grafana dashboard use', async () => {
    const rules = await loadedRules();
    expect(rules.map((r) => r.name)).toEqual(expect.arrayContaining(['CloudOfficeTargetDown', 'CloudOfficeTimerLate', 'CloudOfficeProjectionLagging', 'CloudOfficeMailBacklog', 'CloudOfficeMailFailing']));
    const wanted = new Set([...rules.flatMap((r) => seriesNames(r.query)), ...dashboardExprs().flatMap(seriesNames)]);
    expect(wanted.size).toBeGreaterThan(10);
    const present = new Set((await api('/api/v1/label/__name__/values')) as string[]);
    expect([...wanted].filter((name) => !present.has(name)).sort()).toEqual([]);
    // The worker's Temporal runtime is scraped too: its SDK metrics keep Temporal's own names.
    expect([...present].some((name) => name.startsWith('temporal_'))).toBe(true);
  });

  it('answers every expression of the dashboard without error', async () => {
    const exprs = dashboardExprs();
    expect(exprs.length).toBeGreaterThan(10);
    const failures: string[] = [];
    for (const expr of exprs) {
      await api(`/api/v1/query?query=${encodeURIComponent(expr)}`).catch((err: unknown) => failures.push(`${expr}: ${String(err)}`));
    }
    expect(failures).toEqual([]);
    // An instant read of a scraped gauge has the lifecycle's figures: one NOC under review.
    const open = (await api(`/api/v1/query?query=${encodeURIComponent('sum by (kind, status) (cloud_office_open_cases)')}`)) as { result: { metric: Record<string, string>; value: [number, string] }[] };
    expect(open.result).toContainEqual({ metric: { kind: 'noc', status: 'under-review' }, value: [expect.any(Number), '1'] });
  });

  it('evaluates every alert rule without error, and none fires on a healthy stack', async () => {
    const rules = await eventually(async () => {
      const loaded = await loadedRules();
      expect(loaded.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`)).toEqual([]);
      return loaded;
    }, 10_000);
    expect(rules.length).toBeGreaterThan(0);
    const alerts = (await api('/api/v1/alerts')) as { alerts: { labels: { alertname: string }; state: string }[] };
    expect(alerts.alerts.map((a) => `${a.labels.alertname} ${a.state}`)).toEqual([]);
  });
});
