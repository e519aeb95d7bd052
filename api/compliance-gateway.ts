import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition, SearchAttributePair } from '@temporalio/common';
import type { AppConfig } from '../config/config';
import { ACCREDITATION_HELD, type AccreditationCase } from '../domain/accreditation/state';
import type { ChangeCommandOf } from '../domain/compliance/change-commands';
import { decideChange } from '../domain/compliance/change-decide';
import { initialChangeState } from '../domain/compliance/change-state';
import type { ReviewCommandOf } from '../domain/compliance/review-commands';
import { decideReview } from '../domain/compliance/review-decide';
import { initialReviewState } from '../domain/compliance/review-state';
import type { Actor } from '../domain/shared/actor';
import { DomainError } from '../domain/shared/errors';
import { accreditationStateQuery, accreditationWorkflowId, type ComplianceActionInput } from '../workflows/accreditation/messages';
import {
  changeActionUpdate,
  changeStateQuery,
  changeWorkflowId,
  type ChangeActionInput,
  type ChangeView,
  type ChangeWorkflowInput,
} from '../workflows/compliance/change-messages';
import {
  monitoringActionUpdate,
  monitoringStateQuery,
  monitoringWorkflowId,
  reviewActionUpdate,
  reviewStateQuery,
  reviewWorkflowId,
  type MonitoringActionInput,
  type MonitoringView,
  type ReviewActionInput,
  type ReviewTriggerInput,
  type ReviewView,
  type ReviewWorkflowInput,
} from '../workflows/compliance/messages';
import { CaseKind, CaseStatus, Jurisdiction, OfferingId } from '../workflows/search-attributes';
import { canSeeApplication, offeringKey } from './accreditation-gateway';
import { changeIdFor, reviewIdFor } from './case-ids';
import { firstRecordedView, updateMissedMovingRun } from './case-start';
import type { CommandSigning } from './command-signing';
import type { TemporalGatewayOptions } from './csp-gateway';
import { mapTemporalError } from './noc-gateway';

/** What a reviewer gives to open a review by hand: only incidents and complaints are opened by people. */
export interface OpenReviewPayload {
  applicationId: string;
  trigger: Extract<ReviewTriggerInput, 'incident' | 'complaint'>;
  description: string;
}

/**
 * The API's and UI's way into the compliance processes (monitoring, reviews, significant changes).
 * Every refusal comes back as a DomainError with a stable code; a case the actor may not see is NOT_FOUND.
 */
export interface ComplianceGateway {
  /** A reviewer opens a review of an accreditation (incident or complaint); resolves once it is recorded. */
  openReview(actor: Actor, payload: OpenReviewPayload, commandId: string): Promise<ReviewView>;
  reviewAction(reviewId: string, action: ReviewActionInput): Promise<ReviewView>;
  /** undefined when there is no such review or the actor may not see it. */
  review(actor: Actor, reviewId: string): Promise<ReviewView | undefined>;
  /** The provider's monthly report on an accredited offering (application id). */
  submitReport(applicationId: string, action: MonitoringActionInput): Promise<MonitoringView>;
  monitoring(actor: Actor, applicationId: string): Promise<MonitoringView | undefined>;
  /** The provider notifies a significant change; the change id is chosen by the server. */
  requestChange(actor: Actor, payload: Omit<ChangeCommandOf<'RequestSignificantChange'>['data'], 'changeId' | 'cspId' | 'offeringId'>, commandId: string): Promise<ChangeView>;
  changeAction(changeId: string, action: ChangeActionInput): Promise<ChangeView>;
  change(actor: Actor, changeId: string): Promise<ChangeView | undefined>;
}


export interface ComplianceGatewayDeps {
  client: Client;
  config: Pick<AppConfig, 'temporal' | 'compliancePolicy'>;
  /** Seals every command sent to a process. */
  signing: CommandSigning;
}

type ChangeRequestPayload = Parameters<ComplianceGateway['requestChange']>[1];

export function createTemporalComplianceGateway(deps: ComplianceGatewayDeps, options: TemporalGatewayOptions = {}): ComplianceGateway {
  const { client, config, signing } = deps;
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const now = options.now ?? (() => new Date());
  const reviewHandle = (reviewId: string): WorkflowHandle => client.workflow.getHandle(reviewWorkflowId(reviewId));
  const monitoringHandle = (applicationId: string): WorkflowHandle => client.workflow.getHandle(monitoringWorkflowId(applicationId));
  const changeHandle = (changeId: string): WorkflowHandle => client.workflow.getHandle(changeWorkflowId(changeId));

  /** A process's current view, or undefined when there is no such process. */
  async function queryOrUndefined<V>(handle: WorkflowHandle, query: QueryDefinition<V>): Promise<V | undefined> {
    try {
      return await handle.query(query);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw mapTemporalError(err);
    }
  }

  /**
   * The view when the case exists and the actor may see it: the Cloud Office's staff see every
   * compliance case, a provider those about its own offerings (the accreditation's rule).
   */
  function visible<V>(actor: Actor, view: V | undefined, cspOf: (view: V) => string | undefined): V | undefined {
    const cspId = view === undefined ? undefined : cspOf(view);
    return cspId !== undefined && canSeeApplication(actor, cspId) ? view : undefined;
  }

  /**
   * The accreditation a compliance case is about, as its own process sees it. An application the actor
   * may not see is answered as one that does not exist.
   */
  async function heldAccreditation(actor: Actor, applicationId: string): Promise<AccreditationCase> {
    const view = await queryOrUndefined(client.workflow.getHandle(accreditationWorkflowId(applicationId)), accreditationStateQuery);
    if (view === undefined || view.state.status === 'none' || !canSeeApplication(actor, view.state.application.cspId)) {
      throw new DomainError('NOT_FOUND', `No application ${applicationId}`, 'applicationId');
    }
    if (!ACCREDITATION_HELD.includes(view.state.status)) {
      throw new DomainError(
        'ACCREDITATION_WRONG_STATE',
        `Application ${applicationId} is ${view.state.status}; compliance cases are about an accreditation that is held (accredited or suspended)`,
        'applicationId',
      );
    }
    return view.state;
  }

  /**
   * Runs an update on a case process. A finished process takes no more actions (wrong state); a case
   * that does not exist, or that the actor may not see, is NOT_FOUND.
   */
  async function act<V extends { state: { status: string } }>(
    what: { name: string; id: string; wrongState: 'REVIEW_WRONG_STATE' | 'MONITORING_ENDED' | 'CHANGE_WRONG_STATE'; handle: WorkflowHandle },
    actor: Actor,
    update: () => Promise<V>,
    view: () => Promise<V | undefined>,
    cspOf: (view: V) => string | undefined,
  ): Promise<V> {
    const notFound = new DomainError('NOT_FOUND', `No ${what.name} ${what.id}`);
    // A provider learns nothing about another provider's cases, not even that they exist.
    if (actor.role === 'csp' && visible(actor, await view(), cspOf) === undefined) throw notFound;
    try {
      return await update();
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw mapTemporalError(err);
    }
    const moved = await updateMissedMovingRun(what.handle);
    if (moved !== undefined) throw moved;
    const current = visible(actor, await view(), cspOf);
    if (current === undefined) throw notFound;
    throw new DomainError(what.wrongState, `The ${what.name} ${what.id} is ${current.state.status}; it takes no more actions`);
  }

  /**
   * A director's suspension or revocation carries the director's own Suspend or Revoke, sealed for the
   * accreditation the review is about: the review forwards it, and the accreditation takes nothing else.
   */
  async function measureFor(reviewId: string, action: ReviewActionInput): Promise<ComplianceActionInput | undefined> {
    const type: ComplianceActionInput['type'] | undefined =
      action.type === 'DecideSuspend' ? 'Suspend' : action.type === 'DecideRevoke' ? 'Revoke' : undefined;
    if (type === undefined) return undefined;
    const view = await queryOrUndefined(reviewHandle(reviewId), reviewStateQuery);
    // No such review: the update itself answers that.
    if (view === undefined || view.state.status === 'none') return undefined;
    const { reasons } = action.data as { reasons: string };
    return signing.action(accreditationWorkflowId(view.state.subject.applicationId), {
      type,
      actor: action.actor,
      data: { reasons },
      commandId: `${action.commandId}:measure`,
    });
  }

  const reviewCsp = (view: ReviewView): string | undefined => (view.state.status === 'none' ? undefined : view.state.subject.cspId);
  const monitoringCsp = (view: MonitoringView): string | undefined => (view.state.status === 'none' ? undefined : view.state.cspId);
  const changeCsp = (view: ChangeView): string | undefined => (view.state.status === 'none' ? undefined : view.state.change.cspId);

  /** Starts a case process; a retry of the same command (same user, same command id) answers as the first time. */
  async function startCase<V extends { revision: number }>(spec: {
    what: string;
    workflowType: string;
    workflowId: string;
    input: unknown;
    searchAttributes: SearchAttributePair[];
    query: QueryDefinition<V>;
    isRetryBy: (view: V) => boolean;
    alreadyExists: DomainError;
  }): Promise<V> {
    const first = (handle: WorkflowHandle): Promise<V> => firstRecordedView(handle, () => handle.query(spec.query), spec.what, startTimeoutMs);
    let handle: WorkflowHandle;
    try {
      handle = await client.workflow.start(spec.workflowType, {
        workflowId: spec.workflowId,
        taskQueue: config.temporal.taskQueue,
        args: [spec.input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: spec.searchAttributes,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw mapTemporalError(err);
      const existing = await first(client.workflow.getHandle(spec.workflowId));
      if (spec.isRetryBy(existing)) return existing;
      throw spec.alreadyExists;
    }
    return first(handle);
  }

  const gateway: ComplianceGateway = {
    async openReview(actor, payload, commandId) {
      if (actor.role !== 'reviewer') throw new DomainError('ROLE_NOT_ALLOWED', 'Only a reviewer opens a compliance review');
      const accreditation = await heldAccreditation(actor, payload.applicationId);
      const reviewId = reviewIdFor(actor.userId, commandId, now());
      const open: ReviewCommandOf<'OpenReview'> = {
        type: 'OpenReview',
        actor,
        data: {
          reviewId,
          applicationId: payload.applicationId,
          offeringId: accreditation.application.offering.offeringId,
          cspId: accreditation.application.cspId,
          trigger: payload.trigger,
          description: payload.description,
        },
      };
      const policy = config.compliancePolicy;
      // The decider is pure: an opening it refuses is refused here, before a process exists for it.
      decideReview(open, initialReviewState, { now: now().toISOString(), policy });
      const signed = signing.start(reviewWorkflowId(reviewId), open, commandId);
      const input: ReviewWorkflowInput = { open: signed.command, requestId: commandId, seal: signed.seal, policy };
      return startCase<ReviewView>({
        what: 'compliance review',
        workflowType: 'reviewWorkflow',
        workflowId: reviewWorkflowId(reviewId),
        input,
        searchAttributes: [
          { key: CaseKind, value: 'review' },
          { key: CaseStatus, value: 'opened' },
          { key: Jurisdiction, value: 'federal' },
          { key: OfferingId, value: offeringKey(open.data.cspId, open.data.offeringId) },
        ],
        query: reviewStateQuery,
        isRetryBy: (view) => view.state.status !== 'none' && view.state.openedBy === actor.userId,
        alreadyExists: new DomainError('REVIEW_ALREADY_EXISTS', `Review ${reviewId} already exists`, 'reviewId'),
      });
    },

    reviewAction(reviewId, action) {
      return act<ReviewView>(
        { name: 'review', id: reviewId, wrongState: 'REVIEW_WRONG_STATE', handle: reviewHandle(reviewId) },
        action.actor,
        async () => {
          const measure = await measureFor(reviewId, action);
          const sealed = { ...signing.action(reviewWorkflowId(reviewId), action), ...(measure === undefined ? {} : { measure }) };
          return reviewHandle(reviewId).executeUpdate(reviewActionUpdate, { args: [sealed], updateId: `${action.actor.userId}:${action.commandId}` });
        },
        () => queryOrUndefined(reviewHandle(reviewId), reviewStateQuery),
        reviewCsp,
      );
    },

    async review(actor, reviewId) {
      return visible(actor, await queryOrUndefined(reviewHandle(reviewId), reviewStateQuery), reviewCsp);
    },

    submitReport(applicationId, action) {
      return act<MonitoringView>(
        { name: 'monitoring of application', id: applicationId, wrongState: 'MONITORING_ENDED', handle: monitoringHandle(applicationId) },
        action.actor,
        () =>
          monitoringHandle(applicationId).executeUpdate(monitoringActionUpdate, {
            args: [signing.action(monitoringWorkflowId(applicationId), action)],
            updateId: `${action.actor.userId}:${action.commandId}`,
          }),
        () => queryOrUndefined(monitoringHandle(applicationId), monitoringStateQuery),
        monitoringCsp,
      );
    },

    async monitoring(actor, applicationId) {
      return visible(actor, await queryOrUndefined(monitoringHandle(applicationId), monitoringStateQuery), monitoringCsp);
    },

    async requestChange(actor, payload: ChangeRequestPayload, commandId) {
      if (actor.role !== 'csp' || actor.organisationId === undefined) {
        throw new DomainError('ROLE_NOT_ALLOWED', 'Only the provider notifies a significant change');
      }
      const accreditation = await heldAccreditation(actor, payload.applicationId);
      const changeId = changeIdFor(actor.userId, commandId, now());
      const request: ChangeCommandOf<'RequestSignificantChange'> = {
        type: 'RequestSignificantChange',
        actor,
        data: {
          ...payload,
          changeId,
          offeringId: accreditation.application.offering.offeringId,
          cspId: accreditation.application.cspId,
        },
      };
      const policy = config.compliancePolicy;
      decideChange(request, initialChangeState, { now: now().toISOString(), policy });
      const signed = signing.start(changeWorkflowId(changeId), request, commandId);
      const input: ChangeWorkflowInput = { request: signed.command, requestId: commandId, seal: signed.seal, policy };
      return startCase<ChangeView>({
        what: 'significant change',
        // Started by name: the process lives in workflows/compliance and is registered with the worker's bundle.
        workflowType: 'changeWorkflow',
        workflowId: changeWorkflowId(changeId),
        input,
        searchAttributes: [
          { key: CaseKind, value: 'change' },
          { key: CaseStatus, value: 'requested' },
          { key: Jurisdiction, value: 'federal' },
          { key: OfferingId, value: offeringKey(request.data.cspId, request.data.offeringId) },
        ],
        query: changeStateQuery,
        isRetryBy: (view) => view.state.status !== 'none' && view.state.requestedBy === actor.userId,
        alreadyExists: new DomainError('CHANGE_ALREADY_EXISTS', `Change ${changeId} already exists`, 'changeId'),
      });
    },

    changeAction(changeId, action) {
      return act<ChangeView>(
        { name: 'significant change', id: changeId, wrongState: 'CHANGE_WRONG_STATE', handle: changeHandle(changeId) },
        action.actor,
        () => changeHandle(changeId).executeUpdate(changeActionUpdate, { args: [signing.action(changeWorkflowId(changeId), action)], updateId: `${action.actor.userId}:${action.commandId}` }),
        () => queryOrUndefined(changeHandle(changeId), changeStateQuery),
        changeCsp,
      );
    },

    async change(actor, changeId) {
      return visible(actor, await queryOrUndefined(changeHandle(changeId), changeStateQuery), changeCsp);
    },
  };
  return gateway;
}
