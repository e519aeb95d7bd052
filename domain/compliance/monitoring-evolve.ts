import { assertNever } from '../shared/errors';
import type { MonitoringEvent } from './monitoring-events';
import { initialMonitoringState, type MonitoringRecord, type MonitoringState } from './monitoring-state';

/** Pure: the monitoring record after one event. */
export function evolveMonitoring(state: MonitoringState, event: MonitoringEvent): MonitoringState {
  if (event.type === 'MonitoringStarted') {
    const { startedAt: _startedAt, ...data } = event.data;
    return { status: 'monitoring', ...data, periods: {}, consecutiveMisses: 0 };
  }
  if (state.status === 'none') return state;
  const record: MonitoringRecord = state;
  switch (event.type) {
    case 'MonthlyReportSubmitted': {
      const { period, submittedAt, vulnerabilities } = event.data;
      const known = record.periods[period];
      if (known?.outcome === 'missed') {
        return { ...record, periods: { ...record.periods, [period]: { outcome: 'late', missChain: known.missChain, submittedAt, vulnerabilities } } };
      }
      return {
        ...record,
        periods: { ...record.periods, [period]: { outcome: 'submitted', submittedAt, vulnerabilities } },
        consecutiveMisses: 0,
      };
    }
    case 'MonthlyReportDue':
      return { ...record, remindedPeriod: event.data.period };
    case 'MonthlyReportMissed':
      return {
        ...record,
        periods: { ...record.periods, [event.data.period]: { outcome: 'missed', missChain: event.data.consecutiveMisses } },
        consecutiveMisses: event.data.consecutiveMisses,
      };
    case 'MonthlyReportsMissedTwice':
      return record;
    case 'MonitoringEnded':
      return { ...record, status: 'ended' };
    default:
      return assertNever(event, 'monitoring event');
  }
}

export function foldMonitoring(events: readonly MonitoringEvent[], from: MonitoringState = initialMonitoringState): MonitoringState {
  return events.reduce(evolveMonitoring, from);
}
