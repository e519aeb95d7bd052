import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { EventActivities } from '../../activities/event-activities';
import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { AccreditationCommandPayloads, type AccreditationCommand } from '../../domain/accreditation/commands';
import { decideAccreditation } from '../../domain/accreditation/decide';
import type { AccreditationEvent } from '../../domain/accreditation/events';
import { evolveAccreditation } from '../../domain/accreditation/evolve';
import { ACCREDITATION_FINAL, initialAccreditationState, type AccreditationState } from '../../domain/accreditation/state';
import { CaseKind, CaseStatus, Jurisdiction, OfferingId } from '../search-attributes';
import {
  accreditationActionUpdate,
  accreditationStateQuery,
  complianceActionSignal,
  type AccreditationActionInput,
  type AccreditationView,
  type AccreditationWorkflowInput,
  type ComplianceRefusal,
} from './messages';
import { nextAccreditationDeadline } from './timers';

const { appendCaseEvents } = proxyActivities<EventActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['EVENT_SCHEMA_INVALID', 'EVENT_SCHEMA_UNKNOWN', 'WRONG_EXPECTED_REVISION'] },
});

const MAX_REFUSALS_KEPT = 20;
const SYSTEM_COMMANDS = new Set(['Submit', 'Lapse', 'OpenRenewalWindow', 'Expire']);

const nowIso = (): string => new Date(Date.now()).toISOString();

/** A refusal travels as an ApplicationFailure whose type is the stable error code. */
function toFailure(err: unknown): unknown {
  if (err instanceof DomainError) {
    return ApplicationFailure.create({ type: err.code, message: err.message, nonRetryable: true, details: [{ field: err.field ?? null }] });
  }
  return err;
}

function toCommand(input: AccreditationActionInput): AccreditationCommand {
  if (SYSTEM_COMMANDS.has(input.type)) {
    throw new DomainError('VALIDATION_FAILED', `${input.type} is not an action a person takes on an application`, 'type');
  }
  const schema = AccreditationCommandPayloads[input.type];
  if (!schema) throw new DomainError('VALIDATION_FAILED', `Unknown accreditation action ${String(input.type)}`, 'type');
  const parsed = schema.safeParse(input.data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError('VALIDATION_FAILED', issue?.message ?? 'Invalid input', issue?.path.join('.') || undefined);
  }
  return { type: input.type, actor: input.actor, data: parsed.data } as AccreditationCommand;
}

/**
 * One accreditation application's life (SPEC §3.1): submission, screening, scoring, security review,
 * the director's decision, and then the grant's own life — the renewal window, renewals, suspension,
 * revocation and expiry at its instant. People act through the `accreditationAction` update, whose
 * validator runs the decider so a refused action never enters history; the compliance review sends
 * its measures as the `complianceAction` signal, judged by the same decider.
 */
export async function accreditationWorkflow(input: AccreditationWorkflowInput): Promise<AccreditationView> {
  const { policy, framework } = input;
  const info = workflowInfo();
  let state: AccreditationState = input.carried?.state ?? initialAccreditationState;
  let revision = input.carried?.revision ?? -1;
  let complianceRefusals: ComplianceRefusal[] = input.carried?.complianceRefusals ?? [];
  let busy = false;

  const historyIsLong = (): boolean =>
    workflowInfo().continueAsNewSuggested ||
    (input.continueAfterEvents !== undefined && workflowInfo().historyLength >= input.continueAfterEvents);
  const view = (): AccreditationView => ({ state, revision, complianceRefusals });
  const decide = (command: AccreditationCommand, on: AccreditationState = state): AccreditationEvent[] =>
    decideAccreditation(command, on, { now: nowIso(), policy, framework, ...(input.lastRejectedAt ? { lastRejectedAt: input.lastRejectedAt } : {}) });
  let submitted: AccreditationState | undefined;
  const stateForValidation = (): AccreditationState => (state.status === 'none' && submitted ? submitted : state);

  const commit = async (events: AccreditationEvent[], command: AccreditationCommand, causationId: string): Promise<void> => {
    if (events.length === 0) return;
    const application = state.status === 'none' ? (command as Extract<AccreditationCommand, { type: 'Submit' }>).data : state.application;
    const result = await appendCaseEvents({
      stream: `accreditation-${application.applicationId}`,
      expectedRevision: revision,
      events,
      actor: command.actor,
      occurredAt: nowIso(),
      correlationId: info.workflowId,
      causationId,
      policyVersion: policy.version,
    });
    state = events.reduce(evolveAccreditation, state);
    revision = result.revision;
    upsertSearchAttributes([
      { key: CaseKind, value: 'accreditation' },
      { key: CaseStatus, value: state.status },
      // Accreditation is the federal Cloud Office's alone (SPEC §3.1).
      { key: Jurisdiction, value: 'federal' },
      { key: OfferingId, value: `${application.cspId}/${application.offering.offeringId}` },
    ]);
  };

  /** Runs one command at a time: an update that awaited its append must not interleave with another. */
  const exclusive = async <T>(fn: () => Promise<T>): Promise<T> => {
    while (busy) await condition(() => !busy);
    busy = true;
    try {
      return await fn();
    } finally {
      busy = false;
    }
  };

  setHandler(accreditationStateQuery, view);
  setHandler(
    accreditationActionUpdate,
    (action) =>
      exclusive(async () => {
        try {
          // Decided again here: another action may have committed since the validator ran.
          const command = toCommand(action);
          await commit(decide(command), command, action.commandId);
          return view();
        } catch (err) {
          throw toFailure(err);
        }
      }),
    {
      validator: (action) => {
        try {
          decide(toCommand(action), stateForValidation());
        } catch (err) {
          throw toFailure(err);
        }
      },
    },
  );
  setHandler(complianceActionSignal, (action) =>
    exclusive(async () => {
      try {
        if (action.type !== 'Suspend' && action.type !== 'Revoke') {
          throw new DomainError('VALIDATION_FAILED', 'The compliance review only suspends or revokes', 'type');
        }
        const command = toCommand(action as AccreditationActionInput);
        await commit(decide(command), command, action.commandId);
      } catch (err) {
        // A signal has nobody to answer; a refusal is kept in the view and logged, and the process goes on.
        if (!(err instanceof DomainError)) throw err;
        log.warn('compliance action refused', { commandId: action.commandId, code: err.code, message: err.message });
        complianceRefusals = [
          ...complianceRefusals,
          { commandId: action.commandId, type: action.type, code: err.code, message: err.message, at: nowIso() },
        ].slice(-MAX_REFUSALS_KEPT);
      }
    }),
  );

  if (state.status === 'none') {
    if (!input.submit) throw ApplicationFailure.nonRetryable('An accreditation process starts with its submission', 'VALIDATION_FAILED');
    const submit = input.submit;
    try {
      submitted = decide(submit).reduce(evolveAccreditation, state);
      await exclusive(() => commit(decide(submit), submit, input.requestId ?? info.workflowId));
    } catch (err) {
      throw toFailure(err);
    }
  }

  while (state.status === 'none' || !ACCREDITATION_FINAL.includes(state.status)) {
    const seen = revision;
    const deadline = nextAccreditationDeadline(state, policy);
    if (deadline === undefined) {
      await condition(() => revision !== seen || historyIsLong());
    } else {
      // Temporal timers need a positive duration; an overdue step fires after 1 ms.
      const wait = Math.max(1, Date.parse(deadline.at) - Date.now());
      const changed = await condition(() => revision !== seen || historyIsLong(), wait);
      if (!changed) {
        await exclusive(async () => {
          if (revision !== seen) return; // a person acted while we queued; re-plan
          const command = { ...deadline.command, actor: SYSTEM_ACTOR } as AccreditationCommand;
          await commit(decide(command), command, `timer:${deadline.command.type}:${deadline.at}`);
        });
      }
    }
    if (historyIsLong()) {
      // Bounded history: hand the state over to a fresh run once no action is in flight.
      await condition(() => !busy && allHandlersFinished());
      await continueAsNew<typeof accreditationWorkflow>({
        policy,
        framework,
        continueAfterEvents: input.continueAfterEvents,
        carried: { state, revision, complianceRefusals },
      });
    }
  }
  await condition(allHandlersFinished);
  return view();
}
