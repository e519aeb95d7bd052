import { decideNoc } from '../domain/noc/decide';
import { initialNocState } from '../domain/noc/state';
import { randomUUID } from 'node:crypto';
import {
  ApplicationFailure,
  isGrpcServiceError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { getGrpcStatusDetails } from '@temporalio/client/lib/helpers';
import type { z } from 'zod';
import type { AppConfig } from '../config/config';
import { UNREACHABLE_MARK } from '../config/temporal-connection';
import type { Actor } from '../domain/shared/actor';
import { DomainError, isErrorCode } from '../domain/shared/errors';
import { canSeeNoc, NOC_FINAL, type NocCommandOf } from '../domain/noc';
import type { nocWorkflow } from '../workflows/noc/noc.workflow';
import { nocActionUpdate, nocRequestedUpdate, nocStateQuery, nocWorkflowId, type NocActionInput, type NocView, type NocWorkflowInput } from '../workflows/noc/messages';
import { pseStateQuery, pseWorkflowId } from '../workflows/pse/messages';
import type { Jurisdiction as JurisdictionName } from '../domain/shared/vocabulary';
import { CaseKind, CaseStatus, Jurisdiction } from '../workflows/search-attributes';
import { nocIdFor } from './case-ids';
import { firstRecordedView, startAndAwaitFirstStep, updateMissedMovingRun } from './case-start';
import type { CommandSigning } from './command-signing';
import type { RequestNocBody } from './schemas/noc';

export type RequestNocPayload = z.output<typeof RequestNocBody>;

/** The API's way into the NOC processes. Every refusal comes back as a DomainError with a stable code. */
export interface NocGateway {
  /** Starts the NOC's process and resolves once the request is recorded (revision ≥ 0). */
  request(actor: Actor, payload: RequestNocPayload, commandId: string): Promise<NocView>;
  act(nocId: string, action: NocActionInput): Promise<NocView>;
  /** The process's current view, or undefined when there is no such NOC. */
  state(nocId: string): Promise<NocView | undefined>;
}

/** An entity as the PSE register holds it; undefined when it is not registered. */
export type RegisteredEntity = (pseId: string) => Promise<{ jurisdiction: JurisdictionName } | undefined>;

export interface TemporalNocGatewayOptions {
  /** Where a requesting entity's jurisdiction is read; by default its register entry (the PSE's process). */
  registeredEntity?: RegisteredEntity;
  /** How long `request` waits for the process to record the request. */
  startTimeoutMs?: number;
  now?: () => Date;
}


/**
 * gRPC status codes that mean "not now, try again", as opposed to "the call was wrong": the call ran out
 * of time or was cut (CANCELLED), the server is overloaded or unreachable, or it aborted the call on a
 * conflict of its own (a shard moving) that a retry clears.
 */
const TRANSIENT_GRPC_CODES = new Set([
  1 /* CANCELLED */,
  4 /* DEADLINE_EXCEEDED */,
  8 /* RESOURCE_EXHAUSTED */,
  10 /* ABORTED */,
  14 /* UNAVAILABLE */,
]);
const FAILED_PRECONDITION = 9;
/** The detail Temporal gives a FAILED_PRECONDITION that means "workflow not ready" (see engineNotReady). */
const WORKFLOW_NOT_READY = 'temporal.api.errordetails.v1.WorkflowNotReadyFailure';
/**
 * The failure Temporal gives an update it had accepted when the process closed or continued as new
 * before the update finished: the action's outcome is unknown to the caller, not refused.
 */
export const ACCEPTED_UPDATE_COMPLETED_WORKFLOW = 'AcceptedUpdateCompletedWorkflow';

/** The client sees the code and a plain message; the log keeps what really happened. */
export function withCause(error: DomainError, cause: unknown): DomainError {
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false });
  return error;
}

/** grpc-js's ServiceError, as the Temporal client hands it on. */
type GrpcServiceError = Parameters<typeof getGrpcStatusDetails>[0];

function grpcError(err: unknown): GrpcServiceError | undefined {
  const candidate = err instanceof ServiceError || err instanceof WorkflowUpdateRPCTimeoutOrCancelledError ? err.cause : err;
  return isGrpcServiceError(candidate) ? candidate : undefined;
}

/**
 * A FAILED_PRECONDITION that means "not now": Temporal's "workflow not ready" (a query before the
 * process's first task completed, an update whose workflow task failed or timed out on a lagging or
 * killed worker, as the crash tests meet at every worker kill), or no worker polling the task queue
 * yet ("no poller seen", a worker starting). Other FAILED_PRECONDITIONs refuse the call itself.
 */
function engineNotReady(grpc: GrpcServiceError): boolean {
  if (grpc.code !== FAILED_PRECONDITION) return false;
  if (/Workflow Task in failed state|no poller seen/i.test(grpc.details ?? '')) return true;
  try {
    return (getGrpcStatusDetails(grpc) ?? []).some((d) => typeof d.type_url === 'string' && d.type_url.endsWith(WORKFLOW_NOT_READY));
  } catch {
    return false;
  }
}

/** Whether an update failed because its process closed or continued as new before the update finished. */
export function updateOutlivedByProcess(err: unknown): boolean {
  return err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === ACCEPTED_UPDATE_COMPLETED_WORKFLOW;
}

/** The bound after which the API's connection gave up on an unreachable frontend, when that is what ended the call. */
export function unreachableAfterMs(err: unknown): number | undefined {
  const details = grpcError(err)?.details ?? '';
  const at = details.indexOf(UNREACHABLE_MARK);
  return at < 0 ? undefined : Number.parseInt(details.slice(at + UNREACHABLE_MARK.length), 10);
}

/** Names the case a process id is about (`noc:…`, `review:…`), for messages shared by every gateway. */
function caseOf(workflowId: string | undefined): string {
  const prefix = workflowId?.split(':')[0];
  switch (prefix) {
    case 'noc':
      return 'NOC';
    case 'review':
      return 'compliance review';
    case 'monitoring':
      return 'continuous-monitoring record';
    case 'change':
      return 'significant change request';
    case 'csp':
    case 'pse':
      return prefix.toUpperCase();
    case undefined:
    case '':
      return 'case';
    default:
      return prefix;
  }
}

/**
 * Turns what the Temporal client throws into a DomainError: the workflow raises refusals as
 * ApplicationFailures whose type is the error code and whose first detail may name the field;
 * validator rejections and failures of the update alike arrive wrapped in WorkflowUpdateFailedError.
 */
export function mapTemporalError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  if (updateOutlivedByProcess(err)) {
    return withCause(
      new DomainError('UNAVAILABLE', "The case's process moved on before this action finished, so its outcome is not known; try again with the same Idempotency-Key"),
      err,
    );
  }
  if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && isErrorCode(cause.type)) {
      const detail = cause.details?.[0] as { field?: unknown } | undefined;
      const field = typeof detail?.field === 'string' ? detail.field : undefined;
      return new DomainError(cause.type, cause.message, field);
    }
    return withCause(new DomainError('INTERNAL_ERROR', "The case's process failed unexpectedly; the error has been logged"), err);
  }
  if (err instanceof WorkflowNotFoundError) return new DomainError('NOT_FOUND', `No such ${caseOf(err.workflowId)}`);
  const grpc = grpcError(err);
  const code = grpc?.code;
  const gaveUpAfterMs = unreachableAfterMs(err);
  if (gaveUpAfterMs !== undefined) {
    return withCause(new DomainError('UNAVAILABLE', `The process engine could not be reached within ${gaveUpAfterMs / 1000} s; nothing was done; try again`), err);
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || (code !== undefined && TRANSIENT_GRPC_CODES.has(code)) || (grpc !== undefined && engineNotReady(grpc))) {
    return withCause(new DomainError('UNAVAILABLE', 'The process engine did not answer; try again'), err);
  }
  return withCause(new DomainError('INTERNAL_ERROR', 'Unexpected error from the process engine; the error has been logged'), err);
}

export function createTemporalNocGateway(
  client: Client,
  config: Pick<AppConfig, 'temporal' | 'nocPolicy'>,
  signing: CommandSigning,
  options: TemporalNocGatewayOptions = {},
): NocGateway {
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const now = options.now ?? (() => new Date());
  const handleOf = (nocId: string): WorkflowHandle<typeof nocWorkflow> => client.workflow.getHandle<typeof nocWorkflow>(nocWorkflowId(nocId));
  const registeredEntity: RegisteredEntity =
    options.registeredEntity ??
    (async (pseId) => {
      try {
        const view = await client.workflow.getHandle(pseWorkflowId(pseId)).query(pseStateQuery);
        return view.state.status === 'registered' ? { jurisdiction: view.state.jurisdiction } : undefined;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw mapTemporalError(err);
      }
    });

  /** The request's view once recorded, or its refusal, read from the process: for a resend, or a worker that cannot answer the start's update. */
  const firstState = (handle: WorkflowHandle<typeof nocWorkflow>): Promise<NocView> =>
    firstRecordedView(handle, () => handle.query(nocStateQuery), 'NOC', startTimeoutMs);

  const gateway: NocGateway = {
    async request(actor, payload, commandId) {
      if (actor.role !== 'pse' || actor.organisationId === undefined) {
        throw new DomainError('ROLE_NOT_ALLOWED', 'Only a public service entity requests a NOC');
      }
      // The NOC belongs to the jurisdiction the register gives the entity, never to one the account claims.
      const entity = await registeredEntity(actor.organisationId);
      if (entity === undefined) {
        throw new DomainError('PSE_NOT_REGISTERED', `Entity ${actor.organisationId} is not on the PSE register; it must be registered before it requests a NOC`, 'pseId');
      }
      const { jurisdiction } = entity;
      if (actor.jurisdiction !== jurisdiction) {
        // The account disagrees with the register: the register wins, and the account must be corrected first.
        throw new DomainError(
          'OUTSIDE_JURISDICTION',
          `Entity ${actor.organisationId} is registered in the ${jurisdiction} jurisdiction but your account says ${actor.jurisdiction}; an administrator must correct the account`,
          'jurisdiction',
        );
      }
      const nocId = nocIdFor(actor.userId, commandId, now());
      const command: NocCommandOf<'RequestNoc'> = {
        type: 'RequestNoc',
        actor,
        data: { ...payload, nocId, pseId: actor.organisationId, jurisdiction },
      };
      // The decider is pure: a request it refuses is refused here, before a process exists for it.
      decideNoc(command, initialNocState, { now: now().toISOString(), policy: config.nocPolicy });
      const signed = signing.start(nocWorkflowId(nocId), command, commandId);
      const input: NocWorkflowInput = { request: signed.command, requestId: commandId, seal: signed.seal, policy: config.nocPolicy };
      try {
        return await startAndAwaitFirstStep<typeof nocWorkflow, NocView>(
          client,
          'nocWorkflow',
          {
            workflowId: nocWorkflowId(nocId),
            taskQueue: config.temporal.taskQueue,
            args: [input],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            typedSearchAttributes: [
              { key: CaseKind, value: 'noc' },
              { key: CaseStatus, value: 'requested' },
              { key: Jurisdiction, value: jurisdiction },
            ],
          },
          nocRequestedUpdate,
          firstState,
          { what: 'NOC', timeoutMs: startTimeoutMs },
        );
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw mapTemporalError(err);
        // Same user, same command id: a retry of a request that was already started. Answer as the first time.
        const existing = await firstState(handleOf(nocId));
        if (existing.state.status !== 'none' && existing.state.requestedBy === actor.userId) return existing;
        throw new DomainError('NOC_ALREADY_EXISTS', `NOC ${nocId} already exists`, 'nocId');
      }
    },

    async act(nocId, action) {
      const handle = handleOf(nocId);
      let outlived: unknown;
      try {
        // The update id makes a retried command (same Idempotency-Key) return the first outcome instead of acting twice.
        return await handle.executeUpdate(nocActionUpdate, {
          args: [signing.action(nocWorkflowId(nocId), action)],
          updateId: `${action.actor.userId}:${action.commandId}`,
        });
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError) && !updateOutlivedByProcess(err)) throw mapTemporalError(err);
        outlived = updateOutlivedByProcess(err) ? err : undefined;
        const moved = err instanceof WorkflowNotFoundError ? await updateMissedMovingRun(handle) : undefined;
        if (moved !== undefined) throw moved;
      }
      // Either there is no such NOC, or its process has finished (or, for an update it outlived, moved
      // on to a new run) and takes no more actions in the run that was asked.
      const view = await gateway.state(nocId);
      if (view === undefined || view.state.status === 'none' || !canSeeNoc(action.actor, view.state.request)) {
        throw new DomainError('NOT_FOUND', `No NOC ${nocId}`);
      }
      // A process that continued as new still takes actions: the caller's retry reaches its new run.
      if (outlived !== undefined && !NOC_FINAL.includes(view.state.status)) throw mapTemporalError(outlived);
      throw new DomainError('NOC_WRONG_STATE', `NOC ${nocId} is ${view.state.status}; it takes no more actions`);
    },

    async state(nocId) {
      try {
        return await handleOf(nocId).query(nocStateQuery);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw mapTemporalError(err);
      }
    },
  };
  return gateway;
}

/** A fresh command id for callers that send no Idempotency-Key. */
export const newCommandId = (): string => randomUUID();
