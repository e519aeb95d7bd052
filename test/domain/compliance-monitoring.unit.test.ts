import { DEFAULT_COMPLIANCE_POLICY } from '../../domain/compliance/policy';
import { monthlyReportDueAt, nextPeriod, periodOf, previousPeriod } from '../../domain/compliance/period';
import type { MonitoringRecord } from '../../domain/compliance/monitoring-state';
import { ACCREDITATION, M, VULNS, actors, at, givenMonitoring as given, mcmd, mev } from './compliance-fixtures';

describe('reporting periods', () => {
  it('steps across year ends in both directions', () => {
    expect(nextPeriod('2025-12')).toBe('2026-01');
    expect(previousPeriod('2026-01')).toBe('2025-12');
    expect(periodOf('2025-07-31T23:59:59.999Z')).toBe('2025-07');
  });

  it('makes a month late at the end of the policy due day of the following month', () => {
    expect(monthlyReportDueAt('2025-12', DEFAULT_COMPLIANCE_POLICY)).toBe('2026-01-16T00:00:00.000Z');
    expect(monthlyReportDueAt('2025-02', { monthlyReportDueDay: 5 })).toBe('2025-03-06T00:00:00.000Z');
  });
});

describe('starting continuous monitoring', () => {
  it('is done by the engine, for the accreditation and its first owed month', () => {
    const { state } = given([]).when(mcmd.start(), at(M.started)).then([mev.started()]);
    expect(state).toMatchObject({ status: 'monitoring', ...ACCREDITATION, consecutiveMisses: 0 });
  });

  it('refuses a person starting it', () => {
    given([]).when(mcmd.start(actors.reviewer), at(M.started)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('refuses starting it twice', () => {
    given([mev.started()]).when(mcmd.start(), at(M.started)).thenRefuses('MONITORING_ALREADY_STARTED');
  });

  it('refuses reports before monitoring has started', () => {
    given([]).when(mcmd.submit('2025-02'), at(M.marchFirst)).thenRefuses('MONITORING_NOT_STARTED');
  });
});

describe('submitting a monthly report', () => {
  it('records an on-time report by any representative of the provider', () => {
    given([mev.started()])
      .when(mcmd.submit('2025-02', actors.cspColleague), at(M.marchFirst))
      .then([mev.submitted('2025-02', M.marchFirst, false, actors.cspColleague)]);
  });

  it('accepts a report up to the last instant of the due day', () => {
    given([mev.started()]).when(mcmd.submit('2025-02'), at(M.beforeFebruaryDue)).then([mev.submitted('2025-02', M.beforeFebruaryDue)]);
  });

  it('marks a report late once the due day has passed, even before the miss is recorded', () => {
    given([mev.started()]).when(mcmd.submit('2025-02'), at(M.februaryDue)).then([mev.submitted('2025-02', M.februaryDue, true)]);
  });

  it('accepts a late report for a missed month without undoing the miss', () => {
    const history = [mev.started(), mev.missed('2025-02', M.februaryDue)];
    const { state } = given(history).when(mcmd.submit('2025-02'), at(M.marchDue)).then([mev.submitted('2025-02', M.marchDue, true)]);
    expect((state as MonitoringRecord).periods['2025-02']).toMatchObject({ outcome: 'late', missChain: 1 });
    expect((state as MonitoringRecord).consecutiveMisses).toBe(1);
  });

  it('resets the run of misses with an on-time report', () => {
    const history = [mev.started(), mev.missed('2025-02', M.februaryDue)];
    const { state } = given(history).when(mcmd.submit('2025-03'), at('2025-04-02T00:00:00.000Z')).then([mev.submitted('2025-03', '2025-04-02T00:00:00.000Z')]);
    expect((state as MonitoringRecord).consecutiveMisses).toBe(0);
  });

  it('refuses a second report for the same month', () => {
    given([mev.started(), mev.submitted('2025-02', M.marchFirst)])
      .when(mcmd.submit('2025-02'), at(M.marchFirst))
      .thenRefuses('MONITORING_REPORT_ALREADY_SUBMITTED', 'period');
  });

  it('refuses a report for a month that has not ended', () => {
    given([mev.started()]).when(mcmd.submit('2025-03'), at('2025-03-31T23:00:00.000Z')).thenRefuses('MONITORING_PERIOD_NOT_OPEN', 'period');
  });

  it('refuses a report for a month before monitoring began', () => {
    given([mev.started()]).when(mcmd.submit('2025-01'), at(M.marchFirst)).thenRefuses('MONITORING_PERIOD_NOT_OPEN', 'period');
  });

  it('refuses another provider', () => {
    given([mev.started()]).when(mcmd.submit('2025-02', actors.otherCsp), at(M.marchFirst)).thenRefuses('NOT_CASE_OWNER');
  });

  it.each([
    ['a reviewer', actors.reviewer],
    ['a PSE', actors.pse],
    ['the engine', actors.system],
  ])('refuses %s submitting a report', (_who, actor) => {
    given([mev.started()]).when(mcmd.submit('2025-02', actor), at(M.marchFirst)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('refuses reports once monitoring has ended', () => {
    given([mev.started(), mev.ended(M.marchFirst)]).when(mcmd.submit('2025-02'), at(M.marchFirst)).thenRefuses('MONITORING_ENDED');
  });
});

describe('recording a missed report', () => {
  it('records the first miss with a run of one', () => {
    given([mev.started()]).when(mcmd.missed('2025-02'), at(M.februaryDue)).then([mev.missed('2025-02', M.februaryDue, 1)]);
  });

  it('raises MonthlyReportsMissedTwice on the second consecutive miss', () => {
    given([mev.started(), mev.missed('2025-02', M.februaryDue)])
      .when(mcmd.missed('2025-03'), at(M.marchDue))
      .then([
        mev.missed('2025-03', M.marchDue, 2),
        { type: 'MonthlyReportsMissedTwice', data: { ...ACCREDITATION, periods: ['2025-02', '2025-03'] } },
      ]);
  });

  it('counts a missed month delivered late as part of the run', () => {
    given([mev.started(), mev.missed('2025-02', M.februaryDue), mev.submitted('2025-02', '2025-03-20T00:00:00.000Z', true)])
      .when(mcmd.missed('2025-03'), at(M.marchDue))
      .then([
        mev.missed('2025-03', M.marchDue, 2),
        { type: 'MonthlyReportsMissedTwice', data: { ...ACCREDITATION, periods: ['2025-02', '2025-03'] } },
      ]);
  });

  it('does not raise the trigger again on a third miss in a row', () => {
    given([mev.started(), mev.missed('2025-02', M.februaryDue), mev.missed('2025-03', M.marchDue, 2)])
      .when(mcmd.missed('2025-04'), at(M.aprilDue))
      .then([mev.missed('2025-04', M.aprilDue, 3)]);
  });

  it('starts a new run after a month reported in between', () => {
    given([mev.started(), mev.missed('2025-02', M.februaryDue), mev.submitted('2025-03', '2025-04-01T00:00:00.000Z')])
      .when(mcmd.missed('2025-04'), at(M.aprilDue))
      .then([mev.missed('2025-04', M.aprilDue, 1)]);
  });

  it('follows the pinned policy for the run that triggers a review', () => {
    given([mev.started()])
      .when(mcmd.missed('2025-02'), at(M.februaryDue, { ...DEFAULT_COMPLIANCE_POLICY, consecutiveMissesForReview: 1 }))
      .then([mev.missed('2025-02', M.februaryDue, 1), { type: 'MonthlyReportsMissedTwice', data: { ...ACCREDITATION, periods: ['2025-02'] } }]);
  });

  it('records nothing twice when the timer is retried', () => {
    given([mev.started(), mev.missed('2025-02', M.februaryDue)]).when(mcmd.missed('2025-02'), at(M.marchFirst)).then([]);
  });

  it('refuses before the due day has passed', () => {
    given([mev.started()]).when(mcmd.missed('2025-02'), at(M.beforeFebruaryDue)).thenRefuses('COMPLIANCE_NOT_YET_DUE');
  });

  it('follows the pinned due day', () => {
    given([mev.started()])
      .when(mcmd.missed('2025-02'), at('2025-03-06T00:00:00.000Z', { ...DEFAULT_COMPLIANCE_POLICY, monthlyReportDueDay: 5 }))
      .then([mev.missed('2025-02', '2025-03-06T00:00:00.000Z', 1)]);
  });

  it('refuses a month whose report was submitted', () => {
    given([mev.started(), mev.submitted('2025-02', M.marchFirst)])
      .when(mcmd.missed('2025-02'), at(M.februaryDue))
      .thenRefuses('MONITORING_REPORT_ALREADY_SUBMITTED', 'period');
  });

  it('refuses a month before monitoring began', () => {
    given([mev.started()]).when(mcmd.missed('2025-01'), at(M.februaryDue)).thenRefuses('MONITORING_PERIOD_NOT_OPEN', 'period');
  });

  it('refuses a person recording a miss', () => {
    given([mev.started()]).when(mcmd.missed('2025-02', actors.reviewer), at(M.februaryDue)).thenRefuses('ROLE_NOT_ALLOWED');
  });
});

describe('ending monitoring', () => {
  it('is done by the engine and stops the record', () => {
    const { state } = given([mev.started()]).when(mcmd.end(), at(M.marchFirst)).then([mev.ended(M.marchFirst)]);
    expect(state.status).toBe('ended');
  });

  it('refuses a person ending it', () => {
    given([mev.started()]).when(mcmd.end(actors.director), at(M.marchFirst)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('refuses ending it twice', () => {
    given([mev.started(), mev.ended(M.marchFirst)]).when(mcmd.end(), at(M.marchFirst)).thenRefuses('MONITORING_ENDED');
  });

  it('keeps the vulnerability counts of each report on the record', () => {
    const { state } = given([mev.started()]).when(mcmd.submit('2025-02'), at(M.marchFirst)).then([mev.submitted('2025-02', M.marchFirst)]);
    expect((state as MonitoringRecord).periods['2025-02']).toEqual({ outcome: 'submitted', submittedAt: M.marchFirst, vulnerabilities: VULNS });
  });
});
