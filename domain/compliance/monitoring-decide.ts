import { DomainError, assertNever } from '../shared/errors';
import { isBefore } from '../shared/time';
import type { MonitoringCommand } from './monitoring-commands';
import type { MonitoringEvent } from './monitoring-events';
import { missChainAt, type MonitoringRecord, type MonitoringState } from './monitoring-state';
import { isPeriodBefore, monthlyReportDueAt, monthlyReportReminderAt, periodEnd, previousPeriod } from './period';
import type { ComplianceDecideContext } from './policy';
import { requireProvider, requireSystem } from './rules';

/** Pure: given the monitoring record and a command, the events that happen, or a DomainError thrown. */
export function decideMonitoring(command: MonitoringCommand, state: MonitoringState, ctx: ComplianceDecideContext): MonitoringEvent[] {
  const { actor } = command;
  if (command.type === 'StartMonitoring') {
    requireSystem(actor, 'Starting monitoring');
    if (state.status !== 'none') {
      throw new DomainError('MONITORING_ALREADY_STARTED', `Monitoring of ${command.data.applicationId} has already started`);
    }
    return [{ type: 'MonitoringStarted', data: { ...command.data, startedAt: ctx.now } }];
  }
  if (state.status === 'none') throw new DomainError('MONITORING_NOT_STARTED', 'Monitoring of this accreditation has not started');
  const record = state;
  if (record.status === 'ended') {
    throw new DomainError('MONITORING_ENDED', `Monitoring of ${record.applicationId} has ended`);
  }

  switch (command.type) {
    case 'SubmitMonthlyReport': {
      requireProvider(actor, record.cspId, 'submit its monthly report');
      const { period } = command.data;
      requirePeriodOpen(record, period, ctx.now);
      const known = record.periods[period];
      if (known !== undefined && known.outcome !== 'missed') {
        throw new DomainError('MONITORING_REPORT_ALREADY_SUBMITTED', `The report for ${period} was already submitted`, 'period');
      }
      return [
        {
          type: 'MonthlyReportSubmitted',
          data: {
            ...command.data,
            submittedBy: actor.userId,
            submittedAt: ctx.now,
            late: !isBefore(ctx.now, monthlyReportDueAt(period, ctx.policy)),
          },
        },
      ];
    }

    case 'RecordReportDue': {
      requireSystem(actor, 'Reminding of a report due');
      const { period } = command.data;
      requirePeriodOpen(record, period, ctx.now);
      // A retried timer reminds nobody twice.
      if (record.remindedPeriod === period) return [];
      const known = record.periods[period];
      if (known !== undefined && known.outcome !== 'missed') {
        throw new DomainError('MONITORING_REPORT_ALREADY_SUBMITTED', `The report for ${period} was submitted`, 'period');
      }
      const dueAt = monthlyReportDueAt(period, ctx.policy);
      if (known !== undefined || !isBefore(ctx.now, dueAt)) {
        throw new DomainError('MONITORING_REPORT_PAST_DUE', `The report for ${period} was due by ${dueAt}`, 'period');
      }
      const remindAt = monthlyReportReminderAt(period, ctx.policy);
      if (isBefore(ctx.now, remindAt)) {
        throw new DomainError('COMPLIANCE_NOT_YET_DUE', `The reminder for ${period} is not due before ${remindAt}`);
      }
      return [{ type: 'MonthlyReportDue', data: { period, dueAt, remindAt } }];
    }

    case 'RecordMissedReport': {
      requireSystem(actor, 'Recording a missed report');
      const { period } = command.data;
      requirePeriodOpen(record, period, ctx.now);
      const known = record.periods[period];
      // A retried timer records nothing twice.
      if (known?.outcome === 'missed') return [];
      if (known !== undefined) {
        throw new DomainError('MONITORING_REPORT_ALREADY_SUBMITTED', `The report for ${period} was submitted`, 'period');
      }
      const dueAt = monthlyReportDueAt(period, ctx.policy);
      if (isBefore(ctx.now, dueAt)) {
        throw new DomainError('COMPLIANCE_NOT_YET_DUE', `The report for ${period} is not due before ${dueAt}`);
      }
      const consecutiveMisses = missChainAt(record, previousPeriod(period)) + 1;
      const events: MonitoringEvent[] = [{ type: 'MonthlyReportMissed', data: { period, dueAt, consecutiveMisses } }];
      // Exactly at the threshold: a longer run is the same trigger, already raised.
      if (consecutiveMisses === ctx.policy.consecutiveMissesForReview) {
        const periods: string[] = [period];
        while (periods.length < consecutiveMisses) periods.unshift(previousPeriod(periods[0] as string));
        events.push({
          type: 'MonthlyReportsMissedTwice',
          data: { applicationId: record.applicationId, offeringId: record.offeringId, cspId: record.cspId, periods },
        });
      }
      return events;
    }

    case 'EndMonitoring':
      requireSystem(actor, 'Ending monitoring');
      return [{ type: 'MonitoringEnded', data: { reason: command.data.reason, endedAt: ctx.now } }];

    default:
      return assertNever(command, 'monitoring command');
  }
}

/** A report is owed for every month from the first period on, once the month has ended. */
function requirePeriodOpen(record: MonitoringRecord, period: string, now: string): void {
  if (isPeriodBefore(period, record.firstPeriod)) {
    throw new DomainError('MONITORING_PERIOD_NOT_OPEN', `Monitoring began with ${record.firstPeriod}`, 'period');
  }
  if (isBefore(now, periodEnd(period))) {
    throw new DomainError('MONITORING_PERIOD_NOT_OPEN', `The period ${period} has not ended yet`, 'period');
  }
}
