import { Counter, Gauge } from 'prom-client';
import { createProcessRegistry, METRIC_PREFIX } from '../../metrics/registry';
import { latenessWindow, projectorSamples, startSampler } from '../../metrics/sampler';
import { openOperationsSamples, SERIES, type OperationsSamples } from '../../metrics/samples';
import { registerTimerLateness } from '../../metrics/timers';

/** The samplers: what the worker and the projector write for the operators' page, and when. */
let samples: OperationsSamples;
beforeEach(() => {
  samples = openOperationsSamples(':memory:');
});
afterEach(() => samples.close());

describe('the timer lateness window', () => {
  it('gives per kind the timers fired, the greatest lateness and the p99 of one interval, then starts afresh', () => {
    const window = latenessWindow();
    for (let i = 1; i <= 200; i++) window.observe('noc.expiry', i / 10);
    window.observe('noc.information-lapse', 4);
    const drained = window.drain();
    expect(drained).toEqual([
      { series: SERIES.timersFired, labels: { kind: 'noc.expiry' }, value: 200 },
      { series: SERIES.timerLatenessMax, labels: { kind: 'noc.expiry' }, value: 20 },
      { series: SERIES.timerLatenessP99, labels: { kind: 'noc.expiry' }, value: 19.8 },
      { series: SERIES.timersFired, labels: { kind: 'noc.information-lapse' }, value: 1 },
      { series: SERIES.timerLatenessMax, labels: { kind: 'noc.information-lapse' }, value: 4 },
      { series: SERIES.timerLatenessP99, labels: { kind: 'noc.information-lapse' }, value: 4 },
      { series: SERIES.timersFired, labels: {}, value: 201 },
    ]);
    expect(window.drain()).toEqual([{ series: SERIES.timersFired, labels: {}, value: 0 }]);
  });

  it('keeps the count and the maximum exact past its bound, and a p99 among the values seen', () => {
    const window = latenessWindow(() => 0.5);
    for (let i = 0; i < 5000; i++) window.observe('noc.expiry', i === 4321 ? 900 : 1);
    const byseries = Object.fromEntries(window.drain().filter((s) => s.labels.kind).map((s) => [s.series, s.value]));
    expect(byseries[SERIES.timersFired]).toBe(5000);
    expect(byseries[SERIES.timerLatenessMax]).toBe(900);
    expect([1, 900]).toContain(byseries[SERIES.timerLatenessP99]);
  });

  it('is fed by the worker’s lateness observer, beside the histogram /metrics serves', async () => {
    const registry = createProcessRegistry('worker', { defaults: false });
    const window = latenessWindow();
    const observe = registerTimerLateness(registry, window.observe);
    observe([{ type: 'NocExpired', data: { validUntil: '2026-12-06T10:00:00.000Z' } }, { type: 'NocRequested', data: {} }], Date.parse('2026-12-06T10:00:02.500Z'));
    expect(window.drain()).toContainEqual({ series: SERIES.timerLatenessMax, labels: { kind: 'noc.expiry' }, value: 2.5 });
    expect(await registry.metrics()).toContain('cloud_office_timer_lateness_seconds_count{process="worker",kind="noc.expiry"} 1');
  });
});

describe("the projector's samples", () => {
  it('read lag, backlog, failures in the interval and open cases per kind and jurisdiction from its registry', async () => {
    const registry = createProcessRegistry('projector', { defaults: false });
    const lag = new Gauge({ name: `${METRIC_PREFIX}projection_lag_seconds`, help: 'h', labelNames: ['model'], registers: [registry] });
    const behind = new Gauge({ name: `${METRIC_PREFIX}projection_lag_events`, help: 'h', labelNames: ['model'], registers: [registry] });
    const backlog = new Gauge({ name: `${METRIC_PREFIX}mail_outbox_backlog`, help: 'h', registers: [registry] });
    const failures = new Counter({ name: `${METRIC_PREFIX}mail_delivery_failures_total`, help: 'h', registers: [registry] });
    const open = new Gauge({ name: `${METRIC_PREFIX}open_cases`, help: 'h', labelNames: ['kind', 'status', 'jurisdiction'], registers: [registry] });
    lag.set({ model: 'noc_register' }, 1.5);
    behind.set({ model: 'noc_register' }, 4);
    backlog.set(7);
    failures.inc(2);
    open.set({ kind: 'noc', status: 'submitted', jurisdiction: 'punjab' }, 2);
    open.set({ kind: 'noc', status: 'under-review', jurisdiction: 'punjab' }, 3);
    open.set({ kind: 'noc', status: 'submitted', jurisdiction: 'sindh' }, 1);
    const collect = projectorSamples(registry);
    expect(await collect()).toEqual([
      { series: SERIES.projectionLagSeconds, labels: { model: 'noc_register' }, value: 1.5 },
      { series: SERIES.projectionLagEvents, labels: { model: 'noc_register' }, value: 4 },
      { series: SERIES.mailOutboxBacklog, labels: {}, value: 7 },
      { series: SERIES.mailDeliveryFailures, labels: {}, value: 2 },
      { series: SERIES.openCases, labels: { kind: 'noc', jurisdiction: 'punjab' }, value: 5 },
      { series: SERIES.openCases, labels: { kind: 'noc', jurisdiction: 'sindh' }, value: 1 },
    ]);
    failures.inc(1);
    expect(await collect()).toContainEqual({ series: SERIES.mailDeliveryFailures, labels: {}, value: 1 });
    expect(await collect()).toContainEqual({ series: SERIES.mailDeliveryFailures, labels: {}, value: 0 });
  });
});

describe('the sampler', () => {
  it('writes what it collects at the instant of its clock, and a last sample when it stops', async () => {
    let clock = Date.parse('2026-12-06T10:00:00.000Z');
    let backlog = 3;
    const sampler = startSampler({ samples, collect: () => [{ series: SERIES.mailOutboxBacklog, labels: {}, value: backlog }], intervalMs: 3_600_000, now: () => clock });
    await sampler.sampleNow();
    clock += 60_000;
    backlog = 0;
    await sampler.stop();
    expect(samples.read(SERIES.mailOutboxBacklog, '2026-12-06T00:00:00.000Z')).toEqual([
      { at: '2026-12-06T10:00:00.000Z', series: SERIES.mailOutboxBacklog, labels: {}, value: 3 },
      { at: '2026-12-06T10:01:00.000Z', series: SERIES.mailOutboxBacklog, labels: {}, value: 0 },
    ]);
  });

  it('samples on its own every interval', async () => {
    const sampler = startSampler({ samples, collect: () => [{ series: SERIES.timersFired, labels: {}, value: 0 }], intervalMs: 20 });
    const since = new Date(Date.now() - 1000).toISOString();
    while (samples.read(SERIES.timersFired, since).length < 2) await new Promise((r) => setTimeout(r, 10));
    await sampler.stop();
    expect(samples.read(SERIES.timersFired, since).length).toBeGreaterThanOrEqual(3);
  });

  it('reports a failed sampling, writes nothing for it, and goes on with the next', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const sampler = startSampler({
      samples,
      collect: () => {
        if (fail) throw new Error('registry unreadable');
        return [{ series: SERIES.mailOutboxBacklog, labels: {}, value: 1 }];
      },
      intervalMs: 3_600_000,
      onError: (err) => errors.push(err),
    });
    await sampler.sampleNow();
    fail = false;
    await sampler.stop();
    expect(errors).toEqual([new Error('registry unreadable')]);
    expect(samples.read(SERIES.mailOutboxBacklog, '2000-01-01T00:00:00.000Z')).toHaveLength(1);
  });
});
