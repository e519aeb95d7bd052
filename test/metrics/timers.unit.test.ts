import { registerTimerLateness, timerDueOf } from '../../metrics/timers';
import { createProcessRegistry } from '../../metrics/registry';
import { findSamples, parseExposition, valueOf } from '../support/prometheus';

const VALID_UNTIL = '2026-07-01T00:00:00.000Z';

describe('timer lateness', () => {
  it('reads the instant each timer-driven event was due from the event itself', () => {
    expect(timerDueOf({ type: 'NocExpired', data: { validUntil: VALID_UNTIL } })).toEqual({ kind: 'noc.expiry', dueAtMs: Date.parse(VALID_UNTIL) });
    expect(timerDueOf({ type: 'NocExpiryReminderDue', data: { daysBefore: 7, validUntil: VALID_UNTIL, pseId: 'p' } })).toEqual({
      kind: 'noc.expiry-reminder',
      dueAtMs: Date.parse('2026-06-24T00:00:00.000Z'),
    });
    expect(timerDueOf({ type: 'MonthlyReportMissed', data: { period: '2026-05', dueAt: '2026-06-15T23:59:59.999Z', consecutiveMisses: 1 } })?.kind).toBe('compliance.report-missed');
    expect(timerDueOf({ type: 'NocRequested', data: { nocId: 'N1' } })).toBeUndefined();
  });

  it('reads the renewal window and the report reminder instants their events record', () => {
    expect(timerDueOf({ type: 'AccreditationRenewalWindowOpened', data: { validUntil: VALID_UNTIL, opensAt: '2026-03-01T00:00:00.000Z' } })).toEqual({
      kind: 'accreditation.renewal-window',
      dueAtMs: Date.parse('2026-03-01T00:00:00.000Z'),
    });
    expect(timerDueOf({ type: 'MonthlyReportDue', data: { period: '2026-05', dueAt: '2026-06-15T23:59:59.999Z', remindAt: '2026-06-08T23:59:59.999Z' } })).toEqual({
      kind: 'compliance.report-reminder',
      dueAtMs: Date.parse('2026-06-08T23:59:59.999Z'),
    });
  });

  it('leaves out renewal windows and report reminders recorded before their events carried the instant, rather than guessing it from today’s policy', () => {
    expect(timerDueOf({ type: 'AccreditationRenewalWindowOpened', data: { validUntil: VALID_UNTIL } })).toBeUndefined();
    expect(timerDueOf({ type: 'MonthlyReportDue', data: { period: '2026-05', dueAt: '2026-06-15T23:59:59.999Z' } })).toBeUndefined();
  });

  it('observes recorded minus due seconds per timer kind and nothing for other events', async () => {
    const registry = createProcessRegistry('worker', { defaults: false });
    const observe = registerTimerLateness(registry);
    const due = Date.parse(VALID_UNTIL);
    observe([{ type: 'NocExpired', data: { validUntil: VALID_UNTIL } }], due + 1500);
    observe([{ type: 'NocLapsed', data: { reason: 'r', dueBy: VALID_UNTIL } }, { type: 'NocApproved', data: {} }], due + 90_000);

    const samples = parseExposition(await registry.metrics());
    expect(valueOf(samples, 'cloud_office_timer_lateness_seconds_sum', { kind: 'noc.expiry' })).toBe(1.5);
    expect(valueOf(samples, 'cloud_office_timer_lateness_seconds_bucket', { kind: 'noc.expiry', le: '1' })).toBe(0);
    expect(valueOf(samples, 'cloud_office_timer_lateness_seconds_bucket', { kind: 'noc.expiry', le: '2.5' })).toBe(1);
    expect(valueOf(samples, 'cloud_office_timer_lateness_seconds_sum', { kind: 'noc.information-lapse' })).toBe(90);
    expect(findSamples(samples, 'cloud_office_timer_lateness_seconds_count')).toHaveLength(2);
  });
});
