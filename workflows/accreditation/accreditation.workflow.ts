import { ApplicationFailure, condition, continueAsNew, log, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { AccreditationCommandPayloads, type AccreditationCommand } from '../../domain/accreditation/commands';
import { decideAccreditation } from '../../domain/accreditation/decide';
import type { AccreditationEvent } from '../../domain/accreditation/events';
import { evolveAccreditation } from '../../domain/accreditation/evolve';
import { ACCREDITATION_FINAL, initialAccreditationState, type AccreditationState } from '../../domain/accreditation/state';
import { CaseKind, CaseStatus, Jurisdiction, OfferingId } from '../search-attributes';
import { CaseLedger, handleActions, historyIsLong, nowIso, parseAction, toFailure } from '../shared/case-process';
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

const MAX_REFUSALS_KEPT = 20;
/** Submission starts the process; the engine's own steps come from its timers. */
const NOT_ACTIONS = new Set(['Submit', 'Lapse', 'OpenRenewalWindow', 'Expire']);

function toCommand(input: AccreditationActionInput): AccreditationCommand {
  return parseAction<AccreditationCommand>(AccreditationCommandPayloads, input, 'accreditation application', NOT_ACTIONS);
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
  let complianceRefusals: ComplianceRefusal[] = input.carried?.complianceRefusals ?? [];
  const ledger = new CaseLedger<AccreditationState, AccreditationEvent>(
    input.carried?.state ?? initialAccreditationState,
    input.carried?.revision ?? -1,
    {
      evolve: evolveAccreditation,
      policyVersion: policy.version,
      onCommitted: (state) => {
        if (state.status === 'none') return;
        upsertSearchAttributes([
          { key: CaseKind, value: 'accreditation' },
          { key: CaseStatus, value: state.status },
          // Accreditation is the federal Cloud Office's alone (SPEC §3.1).
          { key: Jurisdiction, value: 'federal' },
          { key: OfferingId, value: `${state.application.cspId}/${state.application.offering.offeringId}` },
        ]);
      },
    },
  );
  const view = (): AccreditationView => ({ state: ledger.state, revision: ledger.revision, complianceRefusals });
  const decide = (command: AccreditationCommand, on: AccreditationState = ledger.state): AccreditationEvent[] =>
    decideAccreditation(command, on, { now: nowIso(), policy, framework, ...(input.lastRejectedAt ? { lastRejectedAt: input.lastRejectedAt } : {}) });
  const run = (command: AccreditationCommand, events: AccreditationEvent[], causationId: string) => {
    const application =
      ledger.state.status === 'none' ? (command as Extract<AccreditationCommand, { type: 'Submit' }>).data : ledger.state.application;
    return ledger.commit(`accreditation-${application.applicationId}`, events, command.actor, causationId);
  };
  let submitted: AccreditationState | undefined;

  setHandler(accreditationStateQuery, view);
  handleActions(accreditationActionUpdate, {
    toCommand,
    decide,
    stateForValidation: () => (ledger.state.status === 'none' && submitted ? submitted : ledger.state),
    run,
    exclusive: (fn) => ledger.exclusive(fn),
    view,
  });
  setHandler(complianceActionSignal, async (action) => {
    await condition(() => ledger.revision >= 0);
    await ledger.exclusive(async () => {
      try {
        if (action.type !== 'Suspend' && action.type !== 'Revoke') {
          throw new DomainError('VALIDATION_FAILED', 'The compliance review only suspends or revokes', 'type');
        }
        const command = toCommand(action as AccreditationActionInput);
        await run(command, decide(command), action.commandId);
      } catch (err) {
        // A signal has nobody to answer; a refusal is kept in the view and logged, and the process goes on.
        if (!(err instanceof DomainError)) throw err;
        log.warn('compliance action refused', { commandId: action.commandId, code: err.code, message: err.message });
        complianceRefusals = [
          ...complianceRefusals,
          { commandId: action.commandId, type: action.type, code: err.code, message: err.message, at: nowIso() },
        ].slice(-MAX_REFUSALS_KEPT);
      }
    });
  });

  if (ledger.state.status === 'none') {
    if (!input.submit) throw ApplicationFailure.nonRetryable('An accreditation process starts with its submission', 'VALIDATION_FAILED');
    const submit = input.submit;
    try {
      submitted = decide(submit).reduce(evolveAccreditation, ledger.state);
      await ledger.exclusive(() => run(submit, decide(submit), input.requestId ?? info.workflowId));
    } catch (err) {
      throw toFailure(err);
    }
  }

  while (ledger.state.status === 'none' || !ACCREDITATION_FINAL.includes(ledger.state.status)) {
    const seen = ledger.revision;
    const deadline = nextAccreditationDeadline(ledger.state, policy);
    if (deadline === undefined) {
      await condition(() => ledger.revision !== seen || historyIsLong(input.continueAfterEvents));
    } else {
      // Temporal timers need a positive duration; an overdue step fires after 1 ms.
      const wait = Math.max(1, Date.parse(deadline.at) - Date.now());
      const changed = await condition(() => ledger.revision !== seen || historyIsLong(input.continueAfterEvents), wait);
      if (!changed) {
        await ledger.exclusive(async () => {
          if (ledger.revision !== seen) return; // a person acted while we queued; re-plan
          const command = { ...deadline.command, actor: SYSTEM_ACTOR } as AccreditationCommand;
          await run(command, decide(command), `timer:${deadline.command.type}:${deadline.at}`);
        });
      }
    }
    if (historyIsLong(input.continueAfterEvents)) {
      // Bounded history: hand the state over to a fresh run once no action is in flight.
      await ledger.idle();
      await continueAsNew<typeof accreditationWorkflow>({
        policy,
        framework,
        continueAfterEvents: input.continueAfterEvents,
        carried: { state: ledger.state, revision: ledger.revision, complianceRefusals },
      });
    }
  }
  await ledger.idle();
  return view();
}
