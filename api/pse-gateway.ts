import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { z } from 'zod';
import type { AppConfig } from '../config/config';
import type { ProcurementAnswer } from '../domain/procurement/answer';
import type { ProcurementQuery } from '../domain/procurement/facts';
import { decidePse, initialPseState, type PseCommandOf } from '../domain/pse';
import type { Actor } from '../domain/shared/actor';
import { DomainError } from '../domain/shared/errors';
import type { pseWorkflow } from '../workflows/pse/pse.workflow';
import { pseActionUpdate, pseStateQuery, pseWorkflowId, type PseActionInput, type PseView, type PseWorkflowInput } from '../workflows/pse/messages';
import { CaseKind, CaseStatus } from '../workflows/search-attributes';
import { firstRecordedView, updateMissedMovingRun } from './case-start';
import type { CommandSigning } from './command-signing';
import { mapTemporalError } from './noc-gateway';
import type { ChangePseJurisdictionBody, CorrectPseBody, ProcurementResultSchema, RecordProcurementBody, RegisterPseBody } from './schemas/pse';

export type RegisterPsePayload = z.output<typeof RegisterPseBody>;
export type RecordProcurementPayload = z.output<typeof RecordProcurementBody>;
export type ProcurementResult = z.output<typeof ProcurementResultSchema>;
export type CorrectPsePayload = z.output<typeof CorrectPseBody>;
export type ChangePseJurisdictionPayload = z.output<typeof ChangePseJurisdictionBody>;

/** The API's way into the PSE register processes. Every refusal comes back as a DomainError with a stable code. */
export interface PseGateway {
  /** Starts the entity's process and resolves once the registration is recorded. */
  register(actor: Actor, payload: RegisterPsePayload, commandId: string): Promise<PseView>;
  /** Runs the procurement check for the caller's entity at now and records the procurement unless it is denied. */
  recordProcurement(actor: Actor, payload: RecordProcurementPayload, commandId: string): Promise<ProcurementResult>;
  endProcurement(actor: Actor, procurementId: string, reason: string, commandId: string): Promise<ProcurementResult>;
  /** Corrects the entity's name or ministry (its jurisdiction's registrars). */
  correct(actor: Actor, pseId: string, payload: CorrectPsePayload, commandId: string): Promise<PseView>;
  /** Moves the entity to another jurisdiction (a federal administrator); NOCs it holds keep theirs. */
  changeJurisdiction(actor: Actor, pseId: string, payload: ChangePseJurisdictionPayload, commandId: string): Promise<PseView>;
  /** The process's current view, or undefined when no such PSE is registered. */
  state(pseId: string): Promise<PseView | undefined>;
}

export interface PseGatewayOptions {
  client: Client;
  config: Pick<AppConfig, 'temporal'>;
  /** Seals every command sent to a process. */
  signing: CommandSigning;
  /** The procurement check over the read models (PublicQueries.procurementCheck). */
  procurementCheck: (query: ProcurementQuery, now: string) => ProcurementAnswer;
  /** How long a start waits for the process to record its first step. */
  startTimeoutMs?: number;
  now?: () => Date;
}

/** The same person's same command (Idempotency-Key) names the same procurement, so a retry records nothing twice. */
export function procurementIdFor(actor: Actor, commandId: string): string {
  return `proc-${createHash('sha256').update(`${actor.userId}:${commandId}`).digest('hex').slice(0, 20)}`;
}

function ownEntity(actor: Actor): string {
  if (actor.role !== 'pse' || actor.organisationId === undefined) {
    throw new DomainError('ROLE_NOT_ALLOWED', "Only a PSE's own officers record its procurements");
  }
  return actor.organisationId;
}

function resultOf(view: PseView, procurementId: string): ProcurementResult {
  const procurement = view.state.status === 'registered' ? view.state.procurements[procurementId] : undefined;
  if (view.state.status !== 'registered' || procurement === undefined) {
    throw new DomainError('INTERNAL_ERROR', `The PSE process answered without procurement ${procurementId}`);
  }
  return { pseId: view.state.pseId, procurement, revision: view.revision };
}

export function createTemporalPseGateway(options: PseGatewayOptions): PseGateway {
  const { client, config, signing } = options;
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const now = options.now ?? (() => new Date());
  const handleOf = (pseId: string): WorkflowHandle<typeof pseWorkflow> => client.workflow.getHandle<typeof pseWorkflow>(pseWorkflowId(pseId));
  const firstState = (handle: WorkflowHandle<typeof pseWorkflow>): Promise<PseView> =>
    firstRecordedView(handle, () => handle.query(pseStateQuery), 'PSE', startTimeoutMs);

  async function act(pseId: string, action: PseActionInput): Promise<PseView> {
    const handle = handleOf(pseId);
    try {
      // The update id makes a retried command (same Idempotency-Key) return the first outcome instead of acting twice.
      return await handle.executeUpdate(pseActionUpdate, { args: [signing.action(pseWorkflowId(pseId), action)], updateId: `${action.actor.userId}:${action.commandId}` });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw (await updateMissedMovingRun(handle)) ?? new DomainError('PSE_NOT_REGISTERED', `No PSE ${pseId} is registered`);
      throw mapTemporalError(err);
    }
  }

  return {
    async register(actor, payload, commandId) {
      const command: PseCommandOf<'RegisterPse'> = { type: 'RegisterPse', actor, data: payload };
      // The decider is pure: a registration it refuses is refused here, before a process exists for it.
      decidePse(command, initialPseState, { now: now().toISOString() });
      const signed = signing.start(pseWorkflowId(payload.pseId), command, commandId);
      const input: PseWorkflowInput = { register: signed.command, requestId: commandId, seal: signed.seal };
      let handle: WorkflowHandle<typeof pseWorkflow>;
      try {
        handle = await client.workflow.start<typeof pseWorkflow>('pseWorkflow', {
          workflowId: pseWorkflowId(payload.pseId),
          taskQueue: config.temporal.taskQueue,
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: CaseKind, value: 'pse' },
            { key: CaseStatus, value: 'registered' },
          ],
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw mapTemporalError(err);
        // The same person sending the same registration again is a retry: answer as the first time.
        const existing = await firstState(handleOf(payload.pseId));
        const s = existing.state;
        if (s.status === 'registered' && s.registeredBy === actor.userId && existing.revision === 0) {
          if (s.name === payload.name && s.ministry === payload.ministry && s.jurisdiction === payload.jurisdiction) return existing;
        }
        throw new DomainError('PSE_ALREADY_REGISTERED', `PSE ${payload.pseId} is already registered`, 'pseId');
      }
      return firstState(handle);
    },

    async recordProcurement(actor, payload, commandId) {
      const pseId = ownEntity(actor);
      // The check is answered from the read models at this instant; the decider refuses a denied answer,
      // in the update's validator, so nothing is written for it.
      const check = options.procurementCheck({ pse: pseId, offering: payload.offeringId, dataClass: payload.dataClass }, now().toISOString());
      const procurementId = procurementIdFor(actor, commandId);
      const view = await act(pseId, { type: 'RecordProcurement', actor, data: { ...payload, procurementId, check }, commandId });
      return resultOf(view, procurementId);
    },

    async endProcurement(actor, procurementId, reason, commandId) {
      const pseId = ownEntity(actor);
      const view = await act(pseId, { type: 'EndProcurement', actor, data: { procurementId, reason }, commandId });
      return resultOf(view, procurementId);
    },

    correct(actor, pseId, payload, commandId) {
      return act(pseId, { type: 'CorrectPseDetails', actor, data: payload, commandId });
    },

    changeJurisdiction(actor, pseId, payload, commandId) {
      return act(pseId, { type: 'ChangePseJurisdiction', actor, data: payload, commandId });
    },

    async state(pseId) {
      try {
        const view = await handleOf(pseId).query(pseStateQuery);
        return view.state.status === 'none' ? undefined : view;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw mapTemporalError(err);
      }
    },
  };
}
