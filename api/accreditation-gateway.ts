import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { z } from 'zod';
import type { AppConfig } from '../config/config';
import type { Actor } from '../domain/shared/actor';
import { DomainError } from '../domain/shared/errors';
import { isBefore } from '../domain/shared/time';
import { canSeeCspRecord } from '../domain/shared/visibility';
import { decideAccreditation, initialAccreditationState, type AccreditationCommandOf } from '../domain/accreditation';
import { streamName } from '../eventstore/envelope';
import type { EventStore } from '../eventstore/port';
import type { accreditationWorkflow } from '../workflows/accreditation/accreditation.workflow';
import {
  accreditationActionUpdate,
  accreditationStateQuery,
  accreditationWorkflowId,
  type AccreditationActionInput,
  type AccreditationView,
  type AccreditationWorkflowInput,
} from '../workflows/accreditation/messages';
import { CaseKind, CaseStatus, Jurisdiction, OfferingId } from '../workflows/search-attributes';
import { applicationIdFor } from './case-ids';
import { firstRecordedView, updateMissedMovingRun } from './case-start';
import type { CommandSigning } from './command-signing';
import type { CspGateway, TemporalGatewayOptions } from './csp-gateway';
import type { FrameworkSource } from './framework-register';
import { mapTemporalError } from './noc-gateway';
import type { SubmitAccreditationBody } from './schemas/accreditation';

export type SubmitAccreditationPayload = z.output<typeof SubmitAccreditationBody>;

/** The API's way into the accreditation processes. Every refusal comes back as a DomainError with a stable code. */
export interface AccreditationGateway {
  /** Starts the application's process and resolves once the submission is recorded. */
  submit(actor: Actor, payload: SubmitAccreditationPayload, commandId: string): Promise<AccreditationView>;
  act(applicationId: string, action: AccreditationActionInput): Promise<AccreditationView>;
  /** The process's current view, or undefined when there is no such application. */
  state(applicationId: string): Promise<AccreditationView | undefined>;
}

/** The Cloud Office's own staff see every application; a CSP sees its own (the rule of every provider's record). */
export const canSeeApplication: (actor: Actor, cspId: string) => boolean = canSeeCspRecord;


/** The OfferingId search attribute's value. Offering ids are unique across the register (reserved in `offering-<id>`); the CSP part stays so runs started before that are still found. */
export const offeringKey = (cspId: string, offeringId: string): string => `${cspId}/${offeringId}`;
const quoted = (value: string): string => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export interface AccreditationGatewayDeps {
  client: Client;
  config: Pick<AppConfig, 'temporal' | 'accreditationPolicy' | 'compliancePolicy'>;
  /** The framework register: an application is scored against the version in force when it is submitted. */
  frameworks: FrameworkSource;
  csps: Pick<CspGateway, 'state'>;
  eventStore: Pick<EventStore, 'readStream'>;
  /** Seals every command sent to a process. */
  signing: CommandSigning;
}

export function createTemporalAccreditationGateway(deps: AccreditationGatewayDeps, options: TemporalGatewayOptions = {}): AccreditationGateway {
  const { client, config, frameworks, csps, eventStore, signing } = deps;
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const now = options.now ?? (() => new Date());
  const handleOf = (applicationId: string): WorkflowHandle<typeof accreditationWorkflow> =>
    client.workflow.getHandle<typeof accreditationWorkflow>(accreditationWorkflowId(applicationId));
  const firstState = (handle: WorkflowHandle<typeof accreditationWorkflow>): Promise<AccreditationView> =>
    firstRecordedView(handle, () => handle.query(accreditationStateQuery), 'accreditation', startTimeoutMs);

  /**
   * When the offering's latest application was rejected, for the cooling-off rule: visibility finds
   * the offering's rejected processes, and each one's stream says exactly when it was rejected.
   */
  async function lastRejectedAt(cspId: string, offeringId: string): Promise<string | undefined> {
    const query = `CaseKind="accreditation" AND OfferingId=${quoted(offeringKey(cspId, offeringId))} AND CaseStatus="rejected"`;
    let latest: string | undefined;
    try {
      for await (const execution of client.workflow.list({ query })) {
        const applicationId = execution.workflowId.slice('accreditation:'.length);
        const events = await eventStore.readStream(streamName('accreditation', applicationId));
        for (const event of events) {
          if (event.type !== 'AccreditationRejected') continue;
          const at = (event.metadata as { occurredAt?: unknown }).occurredAt;
          if (typeof at === 'string' && (latest === undefined || isBefore(latest, at))) latest = at;
        }
      }
    } catch (err) {
      throw err instanceof DomainError ? err : mapTemporalError(err);
    }
    return latest;
  }

  const gateway: AccreditationGateway = {
    async submit(actor, payload, commandId) {
      if (actor.role !== 'csp' || actor.organisationId === undefined) {
        throw new DomainError('ROLE_NOT_ALLOWED', 'Only a CSP applies for accreditation');
      }
      const cspId = actor.organisationId;
      const csp = await csps.state(cspId);
      if (csp === undefined || csp.state.status === 'none') throw new DomainError('CSP_NOT_REGISTERED', `CSP ${cspId} is not registered`);
      const offering = csp.state.offerings[payload.offeringId];
      if (offering === undefined) throw new DomainError('OFFERING_NOT_FOUND', `CSP ${cspId} has no offering ${payload.offeringId}`, 'offeringId');
      if (offering.status === 'retired') throw new DomainError('OFFERING_RETIRED', `Offering ${payload.offeringId} is retired`, 'offeringId');
      const { status: _status, ...facts } = offering;
      // No client input picks the framework: it is the one in force now. Naming another is refused, not ignored.
      const framework = await frameworks.inForce(now().toISOString());
      if (payload.frameworkVersion !== undefined && payload.frameworkVersion !== framework.version) {
        throw new DomainError(
          'ACCREDITATION_FRAMEWORK_MISMATCH',
          `Applications are assessed under framework ${framework.version}, the version in force; ${payload.frameworkVersion} is not`,
          'frameworkVersion',
        );
      }
      const applicationId = applicationIdFor(actor.userId, commandId, now());
      const command: AccreditationCommandOf<'Submit'> = {
        type: 'Submit',
        actor,
        data: {
          applicationId,
          cspId,
          offering: facts,
          requestedBaseline: payload.requestedBaseline,
          evidence: payload.evidence,
          frameworkVersion: framework.version,
        },
      };
      const rejectedAt = await lastRejectedAt(cspId, payload.offeringId);
      const policy = config.accreditationPolicy;
      // The decider is pure: a submission it refuses is refused here, before a process exists for it.
      decideAccreditation(command, initialAccreditationState, {
        now: now().toISOString(),
        policy,
        framework,
        ...(rejectedAt ? { lastRejectedAt: rejectedAt } : {}),
      });
      const signed = signing.start(accreditationWorkflowId(applicationId), command, commandId);
      const input: AccreditationWorkflowInput = {
        submit: signed.command,
        requestId: commandId,
        seal: signed.seal,
        policy,
        framework,
        ...(rejectedAt ? { lastRejectedAt: rejectedAt } : {}),
        // A granted accreditation enters the compliance regime: monthly reports and anniversary reviews.
        compliance: { policy: config.compliancePolicy },
      };
      let handle: WorkflowHandle<typeof accreditationWorkflow>;
      try {
        handle = await client.workflow.start<typeof accreditationWorkflow>('accreditationWorkflow', {
          workflowId: accreditationWorkflowId(applicationId),
          taskQueue: config.temporal.taskQueue,
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: CaseKind, value: 'accreditation' },
            { key: CaseStatus, value: 'submitted' },
            { key: Jurisdiction, value: 'federal' },
            { key: OfferingId, value: offeringKey(cspId, payload.offeringId) },
          ],
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw mapTemporalError(err);
        // Same user, same command id: a retry of a submission that was already started. Answer as the first time.
        const existing = await firstState(handleOf(applicationId));
        if (existing.state.status !== 'none' && existing.state.submittedBy === actor.userId) return existing;
        throw new DomainError('ACCREDITATION_ALREADY_EXISTS', `Application ${applicationId} already exists`, 'applicationId');
      }
      return firstState(handle);
    },

    async act(applicationId, given) {
      // A renewal is scored again against the framework in force at renewal, whatever the client sent.
      const action: AccreditationActionInput =
        given.type === 'Renew'
          ? ({ ...given, data: { ...(given as AccreditationActionInput<'Renew'>).data, framework: await frameworks.inForce(now().toISOString()) } } as AccreditationActionInput<'Renew'> as AccreditationActionInput)
          : given;
      const handle = handleOf(applicationId);
      try {
        return await handle.executeUpdate(accreditationActionUpdate, {
          args: [signing.action(accreditationWorkflowId(applicationId), action)],
          updateId: `${action.actor.userId}:${action.commandId}`,
        });
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw mapTemporalError(err);
        const moved = await updateMissedMovingRun(handle);
        if (moved !== undefined) throw moved;
      }
      // Either there is no such application, or its process has finished and takes no more actions.
      const view = await gateway.state(applicationId);
      if (view === undefined || view.state.status === 'none' || !canSeeApplication(action.actor, view.state.application.cspId)) {
        throw new DomainError('NOT_FOUND', `No application ${applicationId}`);
      }
      throw new DomainError('ACCREDITATION_WRONG_STATE', `Application ${applicationId} is ${view.state.status}; it takes no more actions`);
    },

    async state(applicationId) {
      try {
        return await handleOf(applicationId).query(accreditationStateQuery);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw mapTemporalError(err);
      }
    },
  };
  return gateway;
}
