import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { z } from 'zod';
import type { AppConfig } from '../config/config';
import type { Actor } from '../domain/shared/actor';
import { DomainError } from '../domain/shared/errors';
import { decideCsp, initialCspState, type CspCommandOf } from '../domain/csp';
import type { cspWorkflow } from '../workflows/csp/csp.workflow';
import { cspActionUpdate, cspStateQuery, cspWorkflowId, type CspActionInput, type CspView, type CspWorkflowInput } from '../workflows/csp/messages';
import { CaseKind, CaseStatus } from '../workflows/search-attributes';
import { firstRecordedView, updateMissedMovingRun } from './case-start';
import type { CommandSigning } from './command-signing';
import { mapTemporalError } from './noc-gateway';
import type { RegisterCspBody } from './schemas/csp';

export type RegisterCspPayload = z.output<typeof RegisterCspBody>;

/** The API's way into the CSP register processes. Every refusal comes back as a DomainError with a stable code. */
export interface CspGateway {
  /** Starts the provider's process and resolves once the registration is recorded. */
  register(actor: Actor, payload: RegisterCspPayload, commandId: string): Promise<CspView>;
  act(cspId: string, action: CspActionInput): Promise<CspView>;
  /** The process's current view, or undefined when no such CSP is registered. */
  state(cspId: string): Promise<CspView | undefined>;
}

export interface TemporalGatewayOptions {
  /** How long a start waits for the process to record its first step. */
  startTimeoutMs?: number;
  now?: () => Date;
}

export function createTemporalCspGateway(
  client: Client,
  config: Pick<AppConfig, 'temporal'>,
  signing: CommandSigning,
  options: TemporalGatewayOptions = {},
): CspGateway {
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const now = options.now ?? (() => new Date());
  const handleOf = (cspId: string): WorkflowHandle<typeof cspWorkflow> => client.workflow.getHandle<typeof cspWorkflow>(cspWorkflowId(cspId));
  const firstState = (handle: WorkflowHandle<typeof cspWorkflow>): Promise<CspView> =>
    firstRecordedView(handle, () => handle.query(cspStateQuery), 'CSP', startTimeoutMs);

  const gateway: CspGateway = {
    async register(actor, payload, commandId) {
      const command: CspCommandOf<'RegisterCsp'> = { type: 'RegisterCsp', actor, data: payload };
      // The decider is pure: a registration it refuses is refused here, before a process exists for it.
      decideCsp(command, initialCspState, { now: now().toISOString() });
      const signed = signing.start(cspWorkflowId(payload.cspId), command, commandId);
      const input: CspWorkflowInput = { register: signed.command, requestId: commandId, seal: signed.seal };
      let handle: WorkflowHandle<typeof cspWorkflow>;
      try {
        handle = await client.workflow.start<typeof cspWorkflow>('cspWorkflow', {
          workflowId: cspWorkflowId(payload.cspId),
          taskQueue: config.temporal.taskQueue,
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: CaseKind, value: 'csp' },
            { key: CaseStatus, value: 'registered' },
          ],
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw mapTemporalError(err);
        // The same person sending the same registration again is a retry: answer as the first time.
        const existing = await firstState(handleOf(payload.cspId));
        if (existing.state.status === 'registered' && existing.state.registeredBy === actor.userId && existing.revision === 0) {
          const { cspId: _cspId, ...organisation } = payload;
          if (JSON.stringify(existing.state.organisation) === JSON.stringify(organisation)) return existing;
        }
        throw new DomainError('CSP_ALREADY_REGISTERED', `CSP ${payload.cspId} is already registered`, 'cspId');
      }
      return firstState(handle);
    },

    async act(cspId, action) {
      const handle = handleOf(cspId);
      try {
        // The update id makes a retried command (same Idempotency-Key) return the first outcome instead of acting twice.
        return await handle.executeUpdate(cspActionUpdate, { args: [signing.action(cspWorkflowId(cspId), action)], updateId: `${action.actor.userId}:${action.commandId}` });
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw (await updateMissedMovingRun(handle)) ?? new DomainError('CSP_NOT_REGISTERED', `No CSP ${cspId} is registered`);
        throw mapTemporalError(err);
      }
    },

    async state(cspId) {
      try {
        const view = await handleOf(cspId).query(cspStateQuery);
        return view.state.status === 'none' ? undefined : view;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw mapTemporalError(err);
      }
    },
  };
  return gateway;
}
