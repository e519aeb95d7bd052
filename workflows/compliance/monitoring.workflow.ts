import { ApplicationFailure, condition, continueAsNew, log, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { RegisterActivities } from '../../activities/register-activities';
import { ACCREDITATION_FINAL } from '../../domain/accreditation/state';
import { MonitoringCommandPayloads, type MonitoringCommand } from '../../domain/compliance/monitoring-commands';
import { decideMonitoring } from '../../domain/compliance/monitoring-decide';
import type { MonitoringEvent, MonitoringEventOf } from '../../domain/compliance/monitoring-events';
import { evolveMonitoring } from '../../domain/compliance/monitoring-evolve';
import { initialMonitoringState, type MonitoringState } from '../../domain/compliance/monitoring-state';
import type { CompliancePolicy } from '../../domain/compliance/policy';
import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import { CaseLedger, federalCaseAttributes, handleActions, historyIsLong, nowIso, parseAction } from '../shared/case-process';
import {
  endMonitoringSignal,
  missedReportsReviewId,
  monitoringActionUpdate,
  monitoringStateQuery,
  type EndMonitoringInput,
  type MonitoringActionInput,
  type MonitoringView,
  type MonitoringWorkflowInput,
} from './messages';
import { openEngineReview } from './engine-review';
import { nextOwedReport, reminderOwed } from './timers';

const NOT_ACTIONS = new Set(['StartMonitoring', 'RecordReportDue', 'RecordMissedReport', 'EndMonitoring']);

const { readAccreditationStanding } = proxyActivities<RegisterActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['EVENT_SCHEMA_INVALID', 'EVENT_SCHEMA_UNKNOWN'] },
});

/**
 * Marks the runs that take the endMonitoring signal as a nudge: they end only when the accreditation's
 * own stream says it has ended. Runs recorded before it ended on the signal's word.
 */
export const MONITORING_END_FROM_STREAM_PATCH = 'monitoring-end-from-stream';

/**
 * Marks the runs that remind the provider of each month's report before it falls due (MonthlyReportDue
 * at the policy's reminder instant). Runs recorded before it only recorded the miss; they take up
 * reminders at their next monthly hand-over.
 */
export const MONITORING_REPORT_DUE_PATCH = 'monitoring-report-due-reminder';

/**
 * The end the accreditation application's own stream shows (revoked, expired, withdrawn, …), or
 * undefined while it has not ended: whoever sends the signal, only the stream ends monitoring.
 */
async function endingOnStream(applicationId: string): Promise<EndMonitoringInput | undefined> {
  const read = await readAccreditationStanding(applicationId);
  if (read === undefined || !(ACCREDITATION_FINAL as readonly string[]).includes(read.data.status)) return undefined;
  return { reason: `The accreditation was ${read.data.status}`, commandId: read.causationId };
}

function toCommand(input: MonitoringActionInput): MonitoringCommand {
  return parseAction<MonitoringCommand>(MonitoringCommandPayloads, input, 'monitoring record', NOT_ACTIONS);
}

/**
 * An accredited offering's continuous monitoring (SPEC §3.1 "while accredited"): the provider submits
 * each month's report through the `monitoringAction` update; a timer at each month's due instant records
 * the miss, and the run of misses that reaches the policy's threshold opens a compliance review as a
 * child process (`review:<applicationId>-missed-<periods>`, abandoned on close so it outlives the run).
 * Each month the process hands its state to a fresh run, so its history stays short. The accreditation's
 * end sends the `endMonitoring` signal; the signal only says "look": monitoring reads the application's
 * stream and ends only if that stream shows the accreditation ended, so nobody who reaches the Temporal
 * frontend can end it by sending the signal.
 */
export async function monitoringWorkflow(input: MonitoringWorkflowInput): Promise<MonitoringView> {
  const policy: CompliancePolicy = input.policy;
  const info = workflowInfo();
  const ledger = new CaseLedger<MonitoringState, MonitoringEvent>(input.carried?.state ?? initialMonitoringState, input.carried?.revision ?? -1, {
    evolve: evolveMonitoring,
    policyVersion: policy.version,
    taken: input.carried?.taken,
    onCommitted: federalCaseAttributes('monitoring'),
  });
  const view = (): MonitoringView => ({ state: ledger.state, revision: ledger.revision });
  const decide = (command: MonitoringCommand, on: MonitoringState = ledger.state): MonitoringEvent[] =>
    decideMonitoring(command, on, { now: nowIso(), policy });
  const run = async (command: MonitoringCommand, events: MonitoringEvent[], causationId: string): Promise<void> => {
    const applicationId =
      ledger.state.status === 'none' ? (command as Extract<MonitoringCommand, { type: 'StartMonitoring' }>).data.applicationId : ledger.state.applicationId;
    await ledger.commit(`monitoring-${applicationId}`, events, command.actor, causationId);
    for (const event of events) if (event.type === 'MonthlyReportsMissedTwice') await openReview(event, causationId);
  };
  const endsOnStream = patched(MONITORING_END_FROM_STREAM_PATCH);
  const reminds = patched(MONITORING_REPORT_DUE_PATCH);
  /** The end to record, once known (runs before the patch: the signal's word). */
  let ending: EndMonitoringInput | undefined = endsOnStream ? undefined : input.ending;
  /** A signal (or one handed over by the previous run) not yet checked against the accreditation's stream. */
  let nudge: EndMonitoringInput | undefined = endsOnStream ? input.ending : undefined;

  setHandler(monitoringStateQuery, view);
  setHandler(endMonitoringSignal, (signal) => {
    if (endsOnStream) nudge ??= signal;
    else ending ??= signal;
  });
  handleActions(monitoringActionUpdate, ledger, { toCommand, decide, run, view });

  if (ledger.state.status === 'none') {
    if (!input.start) throw ApplicationFailure.nonRetryable('A monitoring process starts with StartMonitoring', 'VALIDATION_FAILED');
    await ledger.open(input.start, decide, run, info.workflowId);
  }

  while (ledger.state.status === 'monitoring') {
    const seen = ledger.revision;
    const owed = nextOwedReport(ledger.state, policy);
    const moved = () => ledger.revision !== seen || ending !== undefined || nudge !== undefined || historyIsLong(input.continueAfterEvents);
    const reminder = reminds ? reminderOwed(ledger.state, owed, policy, nowIso()) : undefined;
    if (reminder !== undefined) {
      if (!(await condition(moved, Math.max(1, Date.parse(reminder.at) - Date.now())))) {
        await ledger.exclusive(async () => {
          if (ledger.revision !== seen) return; // a report arrived while we queued; re-plan
          const command: MonitoringCommand = { type: 'RecordReportDue', actor: SYSTEM_ACTOR, data: { period: owed.period } };
          await run(command, decide(command), `timer:RecordReportDue:${owed.period}`);
        });
        continue;
      }
    } else if (!(await condition(moved, Math.max(1, Date.parse(owed.dueAt) - Date.now())))) {
      await ledger.exclusive(async () => {
        if (ledger.revision !== seen) return; // a report arrived while we queued; re-plan
        const command: MonitoringCommand = { type: 'RecordMissedReport', actor: SYSTEM_ACTOR, data: { period: owed.period } };
        await run(command, decide(command), `timer:RecordMissedReport:${owed.period}`);
      });
    }
    if (nudge !== undefined && ledger.state.status === 'monitoring') {
      nudge = undefined;
      ending = await endingOnStream(ledger.state.applicationId);
      if (ending === undefined) log.info('endMonitoring ignored: the accreditation has not ended', { workflowId: info.workflowId });
    }
    if (ending !== undefined) {
      const { reason, commandId } = ending;
      await ledger.exclusive(async () => {
        if (ledger.state.status !== 'monitoring') return;
        const command: MonitoringCommand = { type: 'EndMonitoring', actor: SYSTEM_ACTOR, data: { reason } };
        await run(command, decide(command), commandId);
      });
      break;
    }
    // A month is done once its report or its miss is recorded, whichever came.
    const monthDone = ledger.state.status === 'monitoring' && nextOwedReport(ledger.state, policy).period !== owed.period;
    if (monthDone || historyIsLong(input.continueAfterEvents)) {
      // Monthly hand-over: the history of one run holds about one month.
      await ledger.idle();
      await continueAsNew<typeof monitoringWorkflow>({
        policy,
        continueAfterEvents: input.continueAfterEvents,
        carried: ledger.handOver(),
        // The signal may arrive while the run waits to hand over; it must not be lost with the run.
        ...(ending === undefined && nudge === undefined ? {} : { ending: ending ?? nudge }),
      });
    }
  }
  await ledger.idle();
  return view();

  /** The compliance review a run of missed reports opens, named by the run so a retry opens nothing twice. */
  async function openReview(event: MonitoringEventOf<'MonthlyReportsMissedTwice'>, causationId: string): Promise<void> {
    const { applicationId, offeringId, cspId, periods } = event.data;
    await openEngineReview({
      subject: { reviewId: missedReportsReviewId(applicationId, periods), applicationId, offeringId, cspId },
      trigger: 'missed-reports',
      description: `Monthly reports missed for ${periods.join(', ')}`,
      requestId: causationId,
      policy,
    });
  }
}
