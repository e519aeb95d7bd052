import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../../domain/shared/actor';
import type { CommandSeal, TakenCommand } from '../../domain/shared/signed-command';
import type { MonitoringCommandOf } from '../../domain/compliance/monitoring-commands';
import type { MonitoringState } from '../../domain/compliance/monitoring-state';
import type { CompliancePolicy } from '../../domain/compliance/policy';
import type { ReviewCommand, ReviewCommandOf, ReviewCommandType } from '../../domain/compliance/review-commands';
import type { ReviewState } from '../../domain/compliance/review-state';
import type { ComplianceActionInput } from '../accreditation/messages';

/** Workflow id of an accredited offering's monthly monitoring process (one per application). */
export const monitoringWorkflowId = (applicationId: string): string => `monitoring:${applicationId}`;
/** Workflow id of one compliance review. */
export const reviewWorkflowId = (reviewId: string): string => `review:${reviewId}`;
/** The review a run of missed reports opens: named by the periods, so the same run never opens two. */
export const missedReportsReviewId = (applicationId: string, periods: readonly string[]): string =>
  `${applicationId}-missed-${periods.join('_')}`;

export interface MonitoringWorkflowInput {
  /** The StartMonitoring command (actor: the engine), on first start. */
  start?: MonitoringCommandOf<'StartMonitoring'>;
  /** Pinned when monitoring starts: a later policy change never alters a stream in flight. */
  policy: CompliancePolicy;
  /** Continue-as-new once the history holds this many events, besides the monthly hand-over. */
  continueAfterEvents?: number;
  /** Carried over by continue-as-new. */
  carried?: { state: MonitoringState; revision: number; taken?: TakenCommand[] };
  /** An endMonitoring signal that arrived while the run was handing over: the fresh run ends monitoring. */
  ending?: EndMonitoringInput;
}

/** The provider's monthly report; the engine's own steps (missed report, end) are not for people. */
export interface MonitoringActionInput {
  type: 'SubmitMonthlyReport';
  actor: Actor;
  data: MonitoringCommandOf<'SubmitMonthlyReport'>['data'];
  /** Idempotency/causation: the caller's command id. */
  commandId: string;
  /** The API's seal: the process takes no person's command without it. */
  seal?: CommandSeal;
}

export interface MonitoringView {
  state: MonitoringState;
  /** Revision of the stream `monitoring-<applicationId>` after its last event (-1 before any). */
  revision: number;
}

/** Sent when the accreditation ends (revoked, expired, withdrawn): monitoring records its end and stops. */
export interface EndMonitoringInput {
  reason: string;
  commandId: string;
}

export const monitoringActionUpdate = defineUpdate<MonitoringView, [MonitoringActionInput]>('monitoringAction');
export const monitoringStateQuery = defineQuery<MonitoringView>('monitoringState');
export const endMonitoringSignal = defineSignal<[EndMonitoringInput]>('endMonitoring');

export interface ReviewWorkflowInput {
  /** The OpenReview command (the engine, or a reviewer for an incident or complaint), on first start. */
  open?: ReviewCommandOf<'OpenReview'>;
  /** The id of the open command (causation id of the first event). */
  requestId?: string;
  /** The API's seal over the first command (its command id: requestId) and this process. */
  seal?: CommandSeal;
  /** Pinned when the review opens. */
  policy: CompliancePolicy;
  continueAfterEvents?: number;
  /** Carried over by continue-as-new. */
  carried?: { state: ReviewState; revision: number; taken?: TakenCommand[] };
}

/** What people do on a review; opening starts the process, and the overdue steps come from its timers. */
export type ReviewActionType = Exclude<ReviewCommandType, 'OpenReview' | 'EvidenceOverdue' | 'FindingOverdue'>;

export interface ReviewActionInput<K extends ReviewActionType = ReviewActionType> {
  type: K;
  actor: Actor;
  data: Extract<ReviewCommand, { type: K }>['data'];
  /** Idempotency/causation: the caller's command id. */
  commandId: string;
  /** The API's seal: the process takes no person's command without it. */
  seal?: CommandSeal;
  /**
   * With DecideSuspend and DecideRevoke: the director's own command to the accreditation (Suspend or
   * Revoke), sealed by the API for the accreditation's process; the review forwards it once decided.
   */
  measure?: ComplianceActionInput;
}

export interface ReviewView {
  state: ReviewState;
  /** Revision of the stream `review-<reviewId>` after its last event (-1 before any). */
  revision: number;
}

export const reviewActionUpdate = defineUpdate<ReviewView, [ReviewActionInput]>('reviewAction');
export const reviewStateQuery = defineQuery<ReviewView>('reviewState');

/** Why a review is opened, as given when it is opened. */
export type ReviewTriggerInput = ReviewCommandOf<'OpenReview'>['data']['trigger'];
