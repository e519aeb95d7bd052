import { DEFAULT_COMPLIANCE_POLICY } from '../../domain/compliance/policy';
import { monthlyReportReminderAt } from '../../domain/compliance/period';
import type { MonitoringRecord } from '../../domain/compliance/monitoring-state';
import { M, actors, at, givenMonitoring as given, mcmd, mev } from './compliance-fixtures';

/** February's report falls due at the end of 15 March; seven days before is the start of 9 March. */
const FEBRUARY_REMINDER = '2025-03-09T00:00:00.000Z';

describe('the reminder instant of a monthly report', () => {
  it("falls the policy's days before the report is due", () => {
    expect(monthlyReportReminderAt('2025-02', DEFAULT_COMPLIANCE_POLICY)).toBe(FEBRUARY_REMINDER);
    expect(monthlyReportReminderAt('2025-02', { monthlyReportDueDay: 15, monthlyReportReminderDays: 3 })).toBe('2025-03-13T00:00:00.000Z');
  });

  it('is seven days before on a policy pinned before reminders existed', () => {
    expect(monthlyReportReminderAt('2025-02', { monthlyReportDueDay: 15 })).toBe(FEBRUARY_REMINDER);
  });

  it('never falls before the month has ended, when no report could be made yet', () => {
    expect(monthlyReportReminderAt('2025-02', { monthlyReportDueDay: 5, monthlyReportReminderDays: 20 })).toBe(M.marchFirst);
  });
});

describe('reminding the provider that a report is due', () => {
  it('records the report due, with its deadline, at the reminder instant', () => {
    const { state } = given([mev.started()]).when(mcmd.due('2025-02'), at(FEBRUARY_REMINDER)).then([mev.due('2025-02', M.februaryDue, FEBRUARY_REMINDER)]);
    expect((state as MonitoringRecord).remindedPeriod).toBe('2025-02');
  });

  it('records it up to the last instant before the report is late', () => {
    given([mev.started()]).when(mcmd.due('2025-02'), at(M.beforeFebruaryDue)).then([mev.due('2025-02', M.februaryDue, FEBRUARY_REMINDER)]);
  });

  it('records nothing twice when the timer is retried', () => {
    given([mev.started(), mev.due('2025-02', M.februaryDue)]).when(mcmd.due('2025-02'), at('2025-03-10T00:00:00.000Z')).then([]);
  });

  it('still counts the reminded month as owed: the miss follows when no report comes', () => {
    given([mev.started(), mev.due('2025-02', M.februaryDue)]).when(mcmd.missed('2025-02'), at(M.februaryDue)).then([mev.missed('2025-02', M.februaryDue, 1)]);
  });

  it('refuses a reminder before the reminder instant', () => {
    given([mev.started()]).when(mcmd.due('2025-02'), at('2025-03-08T23:59:59.999Z')).thenRefuses('COMPLIANCE_NOT_YET_DUE');
  });

  it('refuses a reminder once the report is late', () => {
    given([mev.started()]).when(mcmd.due('2025-02'), at(M.februaryDue)).thenRefuses('MONITORING_REPORT_PAST_DUE', 'period');
    given([mev.started(), mev.missed('2025-02', M.februaryDue)]).when(mcmd.due('2025-02'), at(M.marchDue)).thenRefuses('MONITORING_REPORT_PAST_DUE', 'period');
  });

  it('refuses a reminder for a month already reported', () => {
    given([mev.started(), mev.submitted('2025-02', M.marchFirst)]).when(mcmd.due('2025-02'), at(FEBRUARY_REMINDER)).thenRefuses('MONITORING_REPORT_ALREADY_SUBMITTED', 'period');
  });

  it('refuses a reminder for a month before monitoring began', () => {
    given([mev.started()]).when(mcmd.due('2025-01'), at('2025-02-09T00:00:00.000Z')).thenRefuses('MONITORING_PERIOD_NOT_OPEN', 'period');
  });

  it('is given by the engine alone', () => {
    given([mev.started()]).when(mcmd.due('2025-02', actors.reviewer), at(FEBRUARY_REMINDER)).thenRefuses('ROLE_NOT_ALLOWED');
    given([mev.started()]).when(mcmd.due('2025-02', actors.csp), at(FEBRUARY_REMINDER)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('reminds of nothing once monitoring has ended', () => {
    given([mev.started(), mev.ended(M.marchFirst)]).when(mcmd.due('2025-02'), at(FEBRUARY_REMINDER)).thenRefuses('MONITORING_ENDED');
  });
});
