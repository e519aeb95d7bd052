import { ApplicationFailure, condition, continueAsNew, getExternalWorkflowHandle, log, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { DEFAULT_COMPLIANCE_POLICY, type CompliancePolicy } from '../../domain/compliance/policy';
import { ReviewCommandPayloads, type ReviewCommand } from '../../domain/compliance/review-commands';
import { decideReview } from '../../domain/compliance/review-decide';
import type { ReviewEvent } from '../../domain/compliance/review-events';
import { evolveReview } from '../../domain/compliance/review-evolve';
import { REVIEW_FINAL, initialReviewState, type ReviewState } from '../../domain/compliance/review-state';
import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { verifyCommand } from '../../domain/shared/signed-command';
import { trustedCommandKeys } from '../shared/trusted-keys';
import { complianceActionSignal, accreditationWorkflowId, type ComplianceActionInput } from '../accreditation/messages';
import { CaseLedger, federalCaseAttributes, handleActions, historyIsLong, nowIso, parseAction } from '../shared/case-process';
import { reviewActionUpdate, reviewStateQuery, type ReviewActionInput, type ReviewActionType, type ReviewView, type ReviewWorkflowInput } from './messages';
import { nextReviewDeadline } from './timers';

const NOT_ACTIONS = new Set(['OpenReview', 'EvidenceOverdue', 'FindingOverdue']);

/**
 * Marks the runs of reviews pinned before deadline extensions were bounded that bound them anyway, by
 * the default maximum; runs recorded before it took any extension.
 */
export const REVIEW_EXTENSION_BOUND_PATCH = 'review-extension-bound';

function withExtensionBound(policy: CompliancePolicy): CompliancePolicy {
  if (policy.maxDeadlineExtensionDays !== undefined || !patched(REVIEW_EXTENSION_BOUND_PATCH)) return policy;
  return { ...policy, maxDeadlineExtensionDays: DEFAULT_COMPLIANCE_POLICY.maxDeadlineExtensionDays };
}

function toCommand(input: ReviewActionInput): ReviewCommand {
  return parseAction<ReviewCommand>(ReviewCommandPayloads, input, 'compliance review', NOT_ACTIONS);
}

/** The measure each of the director's decisions asks of the accreditation. */
const MEASURES: Partial<Record<ReviewActionType, ComplianceActionInput['type']>> = { DecideSuspend: 'Suspend', DecideRevoke: 'Revoke' };

/**
 * A director's suspension or revocation carries the director's own command to the accreditation,
 * sealed by the API for the accreditation's process: the same director, the same reasons. The review
 * refuses the decision without it, so the accreditation only ever takes a measure the API signed.
 */
function checkMeasure(action: ReviewActionInput, state: ReviewState): void {
  const wanted = MEASURES[action.type];
  if (wanted === undefined) return;
  const measure = action.measure;
  if (measure === undefined) throw new DomainError('COMMAND_SIGNATURE_INVALID', `Refused: ${action.type} comes with the director's signed ${wanted}`, 'measure');
  if (state.status === 'none') return;
  const caseId = accreditationWorkflowId(state.subject.applicationId);
  verifyCommand(measure, measure.seal, { caseId, now: Date.now(), keys: trustedCommandKeys() });
  const reasons = (action.data as { reasons?: unknown }).reasons;
  if (measure.type !== wanted || measure.actor.userId !== action.actor.userId || measure.data.reasons !== reasons) {
    throw new DomainError('COMMAND_SIGNATURE_INVALID', `Refused: the signed measure is not this ${action.type}`, 'measure');
  }
}

/**
 * The accreditation measure a director's decision on the review asks for, if any, as runs recorded
 * before signed measures sent it.
 */
function measureOf(event: ReviewEvent, commandId: string): ComplianceActionInput | undefined {
  if (event.type === 'ReviewSuspensionDecided') {
    const { decidedBy: userId, decidedByName: name, reasons } = event.data;
    return { type: 'Suspend', actor: directorOf(userId, name), data: { reasons }, commandId };
  }
  if (event.type === 'ReviewRevocationDecided') {
    const { decidedBy: userId, decidedByName: name, reasons } = event.data;
    return { type: 'Revoke', actor: directorOf(userId, name), data: { reasons }, commandId };
  }
  return undefined;
}

/** The deciding director as the accreditation's decider sees them: accreditation is federal (SPEC §3.1). */
function directorOf(userId: string, name: string): ComplianceActionInput['actor'] {
  return { userId, name, role: 'director', jurisdiction: 'federal' };
}

/**
 * One compliance review (SPEC §3.2): evidence requested and delivered, the assessment and its findings
 * under a corrective action plan, verification, and escalation when evidence or a finding falls overdue
 * (the engine's timers). The director's suspension or revocation is recorded on the review and then
 * sent to the accreditation process as its `complianceAction` signal, so the accreditation changes only
 * through its own process. After `ReviewReinstatementRecommended` the review ends; the director lifts
 * the suspension with the accreditation's own `Reinstate` action.
 */
export async function reviewWorkflow(input: ReviewWorkflowInput): Promise<ReviewView> {
  const policy: CompliancePolicy = withExtensionBound(input.policy);
  const info = workflowInfo();
  const ledger = new CaseLedger<ReviewState, ReviewEvent>(input.carried?.state ?? initialReviewState, input.carried?.revision ?? -1, {
    evolve: evolveReview,
    policyVersion: policy.version,
    taken: input.carried?.taken,
    onCommitted: federalCaseAttributes('review'),
  });
  const view = (): ReviewView => ({ state: ledger.state, revision: ledger.revision });
  const decide = (command: ReviewCommand, on: ReviewState = ledger.state): ReviewEvent[] => decideReview(command, on, { now: nowIso(), policy });
  const run = async (command: ReviewCommand, events: ReviewEvent[], causationId: string, action?: ReviewActionInput): Promise<void> => {
    const reviewId =
      ledger.state.status === 'none' ? (command as Extract<ReviewCommand, { type: 'OpenReview' }>).data.reviewId : ledger.state.subject.reviewId;
    await ledger.commit(`review-${reviewId}`, events, command.actor, causationId);
    for (const event of events) {
      if (event.type !== 'ReviewSuspensionDecided' && event.type !== 'ReviewRevocationDecided') continue;
      // The director's signed measure; runs recorded before signed measures rebuilt it from the event.
      const measure = action?.measure ?? measureOf(event, `${info.workflowId}:${event.type}:${ledger.revision}`);
      if (measure === undefined) continue;
      try {
        await getExternalWorkflowHandle(accreditationWorkflowId(ledger.state.status === 'none' ? '' : ledger.state.subject.applicationId)).signal(
          complianceActionSignal,
          measure,
        );
      } catch (err) {
        // The decision stands on the review's stream; an accreditation process that has gone cannot take it.
        log.warn('compliance measure not delivered', { reviewId, measure: measure.type, error: String(err) });
      }
    }
  };

  setHandler(reviewStateQuery, view);
  handleActions(reviewActionUpdate, ledger, { toCommand, decide, run, view, check: checkMeasure });

  if (ledger.state.status === 'none') {
    if (!input.open) throw ApplicationFailure.nonRetryable('A compliance review starts with its opening', 'VALIDATION_FAILED');
    await ledger.open(input.open, decide, run, input.requestId ?? info.workflowId, input.seal);
  }

  while (ledger.state.status === 'none' || !REVIEW_FINAL.includes(ledger.state.status)) {
    const seen = ledger.revision;
    const deadline = ledger.state.status === 'none' ? undefined : nextReviewDeadline(ledger.state);
    const moved = () => ledger.revision !== seen || historyIsLong(input.continueAfterEvents);
    if (deadline === undefined) {
      await condition(moved);
    } else if (!(await condition(moved, Math.max(1, Date.parse(deadline.at) - Date.now())))) {
      await ledger.exclusive(async () => {
        if (ledger.revision !== seen) return; // a person acted while we queued; re-plan
        const command = { ...deadline.command, actor: SYSTEM_ACTOR } as ReviewCommand;
        await run(command, decide(command), `timer:${deadline.command.type}:${deadline.at}`);
      });
    }
    if (historyIsLong(input.continueAfterEvents)) {
      await ledger.idle();
      await continueAsNew<typeof reviewWorkflow>({
        policy,
        continueAfterEvents: input.continueAfterEvents,
        carried: ledger.handOver(),
      });
    }
  }
  await ledger.idle();
  return view();
}
