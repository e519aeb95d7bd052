import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { z } from 'zod';
import type { AppConfig } from '../config/config';
import type { FrameworkLibrary } from '../config/framework';
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
import { firstRecordedView } from './case-start';
import type { CspGateway, TemporalGatewayOptions } from './csp-gateway';
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
  frameworks: FrameworkLibrary;
  csps: Pick<CspGateway, 'state'>;
  eventStore: Pick<EventStore, 'readStream'>;
}

export function createTemporalAccreditationGateway(deps: AccreditationGatewayDeps, options: TemporalGatewayOptions = {}): AccreditationGateway {
  const { client, config, frameworks, csps, eventStore } = deps;
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
      const framework = frameworks.load(payload.frameworkVersion ?? frameworks.currentVersion);
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
      const input: AccreditationWorkflowInput = {
        submit: command,
        requestId: commandId,
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

    async act(applicationId, action) {
      try {
        return await handleOf(applicationId).executeUpdate(accreditationActionUpdate, {
          args: [action],
          updateId: `${action.actor.userId}:${action.commandId}`,
        });
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw mapTemporalError(err);
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
