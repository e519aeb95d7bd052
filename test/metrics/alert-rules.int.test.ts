import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROMETHEUS_DIR, promtool } from '../support/prometheus-binaries';

/**
 * The alert rules are data (docker/prometheus/alerts.yml) with unit tests in promtool's format
 * (alerts.test.yml): this runs Prometheus's own checker and test runner over them, so a rule that does
 * not parse, or no longer fires (or fires) where its tests say, fails the suite.
 */
describe('the Prometheus alert rules', () => {
  it('pass promtool check rules and the scrape configuration that loads them passes promtool check config', () => {
    const rules = promtool('check', 'rules', 'alerts.yml');
    expect(rules.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(rules.status).toBe(0);
    const config = promtool('check', 'config', 'prometheus.yml');
    expect(config.output).toContain('SUCCESS');
    expect(config.status).toBe(0);
  });

  it('pass their unit tests under promtool test rules', () => {
    const run = promtool('test', 'rules', 'alerts.test.yml');
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('cover late timers, projection lag, the mail backlog, failing mail and targets down, each firing in a test', () => {
    const rules = readFileSync(join(PROMETHEUS_DIR, 'alerts.yml'), 'utf8');
    // The file's layout is fixed (alert, then its expression): enough to read without a YAML parser.
    const alerts = [...rules.matchAll(/- alert: (\S+)\n(?:\s*#.*\n)*\s*expr: ([^\n]*(?:\n {10,}[^\n]*)*)/g)].map((m) => ({ name: m[1]!, expr: m[2]! }));
    expect(alerts.length).toBe((rules.match(/- alert: /g) ?? []).length);
    const exprOf = (name: string) => alerts.find((a) => a.name === name)?.expr ?? '';
    expect(exprOf('CloudOfficeTimerLate')).toContain('cloud_office_timer_lateness_seconds');
    expect(exprOf('CloudOfficeProjectionLagging')).toContain('cloud_office_projection_lag_seconds');
    expect(exprOf('CloudOfficeMailBacklog')).toContain('cloud_office_mail_outbox_backlog');
    expect(exprOf('CloudOfficeMailFailing')).toContain('cloud_office_mail_delivery_failures_total');
    expect(exprOf('CloudOfficeTargetDown')).toContain('up{');
    // Each alert has a test case where it fires (exp_alerts not empty), not only ones where it is quiet.
    const tests = readFileSync(join(PROMETHEUS_DIR, 'alerts.test.yml'), 'utf8');
    const fired = new Set([...tests.matchAll(/alertname: (\S+)\n\s*exp_alerts:\n\s*- exp_labels/g)].map((m) => m[1]));
    expect(alerts.map((a) => a.name).filter((name) => !fired.has(name))).toEqual([]);
  });
});
