import { ApplicationFailure, condition, continueAsNew, getExternalWorkflowHandle, log, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { ChangeCommandPayloads, type ChangeCommand } from '../../domain/compliance/change-commands';
import { decideChange } from '../../domain/compliance/change-decide';
import type { ChangeEvent, ChangeEventOf } from '../../domain/compliance/change-events';
import { evolveChange } from '../../domain/compliance/change-evolve';
import { initialChangeState, type ChangeCase, type ChangeState } from '../../domain/compliance/change-state';
import type { CompliancePolicy } from '../../domain/compliance/policy';
import { CaseLedger, federalCaseAttributes, handleActions, historyIsLong, nowIso, parseAction } from '../shared/case-process';
import { changeActionUpdate, changeStateQuery, type ChangeActionInput, type ChangeView, type ChangeWorkflowInput } from './change-messages';
import { openEngineReview } from './engine-review';
import { approvedChangeSignal, cspWorkflowId } from '../csp/messages';

/** Changes approved before approved changes took effect on the register replay without telling it. */
export const APPROVED_CHANGE_TAKES_EFFECT_PATCH = 'approved-change-takes-effect';

const NOT_ACTIONS = new Set(['RequestSignificantChange']);
const FINAL: readonly ChangeState['status'][] = ['approved', 'rejected'];

function toCommand(input: ChangeActionInput): ChangeCommand {
  return parseAction<ChangeCommand>(ChangeCommandPayloads, input, 'significant change', NOT_ACTIONS);
}

/** The review a late notice opens: named by the change, so a retry opens nothing twice. */
export const lateChangeReviewId = (applicationId: string, changeId: string): string => `${applicationId}-change-${changeId}`;

/**
 * A provider's significant change request (SPEC §3.2): due at least the policy's notice period before
 * the change; a reviewer recommends, a director other than the requester and the recommender decides.
 * A request made late opens a compliance review (trigger `significant-change`, abandoned on close so
 * it outlives this process), so the lateness is assessed as a finding like any other.
 */
export async function changeWorkflow(input: ChangeWorkflowInput): Promise<ChangeView> {
  const policy: CompliancePolicy = input.policy;
  const info = workflowInfo();
  const ledger = new CaseLedger<ChangeState, ChangeEvent>(input.carried?.state ?? initialChangeState, input.carried?.revision ?? -1, {
    evolve: evolveChange,
    policyVersion: policy.version,
    taken: input.carried?.taken,
    onCommitted: federalCaseAttributes('change'),
  });
  const view = (): ChangeView => ({ state: ledger.state, revision: ledger.revision });
  const decide = (command: ChangeCommand, on: ChangeState = ledger.state): ChangeEvent[] => decideChange(command, on, { now: nowIso(), policy });
  const run = async (command: ChangeCommand, events: ChangeEvent[], causationId: string): Promise<void> => {
    const changeId =
      ledger.state.status === 'none' ? (command as Extract<ChangeCommand, { type: 'RequestSignificantChange' }>).data.changeId : ledger.state.change.changeId;
    await ledger.commit(`change-${changeId}`, events, command.actor, causationId);
    for (const event of events) if (event.type === 'SignificantChangeNotifiedLate') await openReview(event, causationId);
    if (events.some((e) => e.type === 'SignificantChangeApproved')) await takeEffect();
  };
  setHandler(changeStateQuery, view);
  handleActions(changeActionUpdate, ledger, { toCommand, decide, run, view });

  if (ledger.state.status === 'none') {
    if (!input.request) throw ApplicationFailure.nonRetryable('A significant change process starts with its request', 'VALIDATION_FAILED');
    await ledger.open(input.request, decide, run, input.requestId ?? info.workflowId, input.seal);
  }

  // No timer: the request waits for people; the planned date passing changes nothing by itself.
  while (ledger.state.status === 'none' || !FINAL.includes(ledger.state.status)) {
    const seen = ledger.revision;
    await condition(() => ledger.revision !== seen || historyIsLong(input.continueAfterEvents));
    if (historyIsLong(input.continueAfterEvents)) {
      await ledger.idle();
      await continueAsNew<typeof changeWorkflow>({
        policy,
        continueAfterEvents: input.continueAfterEvents,
        carried: ledger.handOver(),
      });
    }
  }
  await ledger.idle();
  return view();

  /**
   * An approved change that alters the offering's register entry takes effect there: the provider's
   * register process is told the change id and reads the approval from this process's stream itself.
   * A rejected change tells it nothing, so the offering stays as it was.
   */
  async function takeEffect(): Promise<void> {
    const change = (ledger.state as ChangeCase).change;
    if (change.offeringChanges === undefined || !patched(APPROVED_CHANGE_TAKES_EFFECT_PATCH)) return;
    try {
      await getExternalWorkflowHandle(cspWorkflowId(change.cspId)).signal(approvedChangeSignal, { changeId: change.changeId });
    } catch (err) {
      // The decision stands whatever happens to the message; the register's absence is an operator's matter.
      log.error('approved significant change could not reach the CSP register', { changeId: change.changeId, cspId: change.cspId, error: String(err) });
    }
  }

  async function openReview(event: ChangeEventOf<'SignificantChangeNotifiedLate'>, causationId: string): Promise<void> {
    const change = (ledger.state as ChangeCase).change;
    const reviewId = lateChangeReviewId(change.applicationId, change.changeId);
    const { noticeDays, requiredDays } = event.data;
    await openEngineReview({
      subject: { reviewId, applicationId: change.applicationId, offeringId: change.offeringId, cspId: change.cspId },
      trigger: 'significant-change',
      description: `Significant change ${change.changeId} (${change.kind}) planned for ${change.plannedFor.slice(0, 10)} was notified ${noticeDays} days ahead; ${requiredDays} days are required.`,
      requestId: causationId,
      policy,
    });
  }
}
