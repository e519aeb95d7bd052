import {
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { verifyCommand, type SignedCommandRecord } from '../../domain/shared/signed-command';
import { trustedCommandKeys } from '../shared/trusted-keys';
import { AccreditationCommandPayloads, type AccreditationCommand } from '../../domain/accreditation/commands';
import { decideAccreditation } from '../../domain/accreditation/decide';
import type { AccreditationEvent } from '../../domain/accreditation/events';
import { evolveAccreditation } from '../../domain/accreditation/evolve';
import {
  ACCREDITATION_FINAL,
  ACCREDITATION_HELD,
  initialAccreditationState,
  type AccreditationCase,
  type AccreditationState,
} from '../../domain/accreditation/state';
import { isBefore } from '../../domain/shared/time';
import { CaseKind, CaseStatus, Jurisdiction, OfferingId } from '../search-attributes';
import { CaseLedger, handleActions, historyIsLong, nowIso, parseAction } from '../shared/case-process';
import {
  accreditationActionUpdate,
  accreditationStateQuery,
  complianceActionSignal,
  type AccreditationActionInput,
  type AccreditationView,
  type AccreditationWorkflowInput,
  type ComplianceActionInput,
  type ComplianceDuties,
  type ComplianceRefusal,
} from './messages';
import { accreditationStandingSignal, cspWorkflowId } from '../csp/messages';
import { NO_DUTIES_DONE, endMonitoring, type MonitoringChild, openAnniversaryReview, startMonitoring, startTransition } from './compliance-duties';
import { nextAccreditationDeadline, nextAnniversary } from './timers';

const MAX_REFUSALS_KEPT = 20;
/** Runs that moved in or out of a held status before the register tracked it replay without telling it. */
export const OFFERING_STANDING_PATCH = 'offering-accreditation-standing';

const holds = (state: AccreditationState): boolean => state.status !== 'none' && ACCREDITATION_HELD.includes(state.status);
/** How long a director's measure stays good on its way through the review. */
const MEASURE_MAX_AGE_MS = 60 * 60_000;
/** Marks the runs that verify the measures the compliance review sends. */
const SIGNED_MEASURES_PATCH = 'signed-compliance-measures';
/** Submission starts the process; the engine's own steps come from its timers. */
const NOT_ACTIONS = new Set(['Submit', 'Lapse', 'OpenRenewalWindow', 'Expire']);

function toCommand(input: AccreditationActionInput): AccreditationCommand {
  return parseAction<AccreditationCommand>(AccreditationCommandPayloads, input, 'accreditation application', NOT_ACTIONS);
}

/** The events that end a grant, by the status they leave; each may start the PSEs' migration period. */
const ENDING_EVENT: Partial<Record<AccreditationCase['status'], string>> = {
  revoked: 'AccreditationRevoked',
  expired: 'AccreditationExpired',
  withdrawn: 'AccreditationWithdrawn',
};
const ENDINGS = new Set<string>(Object.values(ENDING_EVENT));

/**
 * Since the patch below, an expiry or a withdrawal of a grant starts a migration period as a revocation
 * does (SPEC §3.1). Processes whose grant ended before it carry on without one: their history has no
 * transition child there.
 */
export const TRANSITION_AT_ACCREDITATION_END_PATCH = 'transition-at-accreditation-end';

function givesMigration(c: AccreditationCase): boolean {
  if (c.status === 'revoked') return true;
  if ((c.status !== 'expired' && c.status !== 'withdrawn') || c.transitionUntil === undefined) return false;
  return patched(TRANSITION_AT_ACCREDITATION_END_PATCH);
}

/**
 * One accreditation application's life (SPEC §3.1): submission, screening, scoring, security review,
 * the director's decision, and then the grant's own life — the renewal window, renewals, suspension,
 * revocation and expiry at its instant. People act through the `accreditationAction` update, whose
 * validator runs the decider so a refused action never enters history; the compliance review sends
 * its measures as the `complianceAction` signal, judged by the same decider.
 *
 * With `input.compliance`, the process also runs the compliance regime around the grant: it starts the
 * monthly monitoring child at the grant, opens an annual compliance review child on each anniversary,
 * tells monitoring when the accreditation ends, and when a grant ends (revocation, expiry, withdrawal)
 * starts the PSEs' transition child.
 * Without it, nothing of that happens and the history is what it always was.
 */
export async function accreditationWorkflow(input: AccreditationWorkflowInput): Promise<AccreditationView> {
  const { policy, framework } = input;
  const info = workflowInfo();
  let complianceRefusals: ComplianceRefusal[] = input.carried?.complianceRefusals ?? [];
  const compliance = input.compliance;
  let duties: ComplianceDuties = input.carried?.compliance ?? NO_DUTIES_DONE;
  /** When and on whose command the accreditation ended (revoked, expired, withdrawn): the transition's start. */
  let ending: { endedAt: string; requestId: string } | undefined;
  /** Monitoring's handle, when this run started it. */
  let monitoringChild: MonitoringChild | undefined;
  const ledger = new CaseLedger<AccreditationState, AccreditationEvent>(
    input.carried?.state ?? initialAccreditationState,
    input.carried?.revision ?? -1,
    {
      evolve: evolveAccreditation,
      policyVersion: policy.version,
      taken: input.carried?.taken,
      // A director's measure stays good for longer than a direct action: remembered as long.
      commandWindowMs: MEASURE_MAX_AGE_MS,
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
  const run = async (command: AccreditationCommand, events: AccreditationEvent[], causationId: string): Promise<void> => {
    const application =
      ledger.state.status === 'none' ? (command as Extract<AccreditationCommand, { type: 'Submit' }>).data : ledger.state.application;
    const at = nowIso();
    const held = holds(ledger.state);
    await ledger.commit(`accreditation-${application.applicationId}`, events, command.actor, causationId);
    if (events.some((e) => ENDINGS.has(e.type))) ending = { endedAt: at, requestId: causationId };
    if (holds(ledger.state) !== held && patched(OFFERING_STANDING_PATCH)) await tellRegister(application.cspId, application.applicationId);
  };
  /**
   * Brings the compliance children in line with the accreditation's status; each step is taken once.
   * The state is read afresh before each step: a person may act while a child starts.
   */
  const keepCompliance = async (): Promise<void> => {
    if (compliance === undefined) return;
    const current = () => (ledger.state.status === 'none' ? undefined : ledger.state);
    let c = current();
    if (c !== undefined && !duties.monitoringStarted && c.grant !== undefined && ACCREDITATION_HELD.includes(c.status)) {
      monitoringChild = await startMonitoring(c, compliance.policy);
      duties = { ...duties, monitoringStarted: true };
    }
    c = current();
    if (c === undefined || !ACCREDITATION_FINAL.includes(c.status)) return;
    if (duties.monitoringStarted && !duties.monitoringEnded) {
      await endMonitoring(c, `${info.workflowId}:EndMonitoring:${ledger.revision}`, monitoringChild);
      duties = { ...duties, monitoringEnded: true };
    }
    if (!duties.transitionStarted && givesMigration(c)) {
      // After a continue-as-new the ending's command is not known here: the id names the ending's event.
      const requestId = `${info.workflowId}:${ENDING_EVENT[c.status] ?? 'AccreditationRevoked'}:${ledger.revision}`;
      await startTransition(c, ending ?? { endedAt: nowIso(), requestId });
      duties = { ...duties, transitionStarted: true };
    }
  };

  setHandler(accreditationStateQuery, view);
  handleActions(accreditationActionUpdate, ledger, { toCommand, decide, run, view });
  /**
   * A measure is the director's own command to this accreditation, sealed by the API and carried by the
   * review: signal or no signal, nothing else suspends or revokes. It travels through the review's
   * commit first, so it is good for longer than a direct action, and it is taken once.
   */
  const admitMeasure = (action: ComplianceActionInput): SignedCommandRecord => {
    const seal = verifyCommand(action, action.seal, { caseId: info.workflowId, now: Date.now(), keys: trustedCommandKeys(), maxAgeMs: MEASURE_MAX_AGE_MS });
    ledger.checkNotTaken(action);
    return { type: action.type, commandId: action.commandId, actor: action.actor, data: action.data ?? {}, seal };
  };
  setHandler(complianceActionSignal, async (action) => {
    await condition(() => ledger.revision >= 0);
    await ledger.exclusive(async () => {
      try {
        if (action.type !== 'Suspend' && action.type !== 'Revoke') {
          throw new DomainError('VALIDATION_FAILED', 'The compliance review only suspends or revokes', 'type');
        }
        // Runs recorded before signed measures took the review's word for them.
        const signed = patched(SIGNED_MEASURES_PATCH) ? admitMeasure(action) : undefined;
        const command = toCommand(action as AccreditationActionInput);
        await ledger.asSigned(signed, () => run(command, decide(command), action.commandId));
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
    await ledger.open(input.submit, decide, run, input.requestId ?? info.workflowId, input.seal);
  }

  while (ledger.state.status === 'none' || !ACCREDITATION_FINAL.includes(ledger.state.status)) {
    // Taken before the compliance steps: an action committed while a child starts then wakes the wait below.
    const seen = ledger.revision;
    if (compliance !== undefined) await keepCompliance();
    const deadline = nextAccreditationDeadline(ledger.state, policy);
    // The anniversary's review shares the wait with the engine's own steps; whichever falls first wakes it.
    const anniversary = compliance === undefined ? undefined : nextAnniversary(ledger.state, duties.anniversariesOpened);
    if (compliance !== undefined && anniversary !== undefined && (deadline === undefined || isBefore(anniversary.at, deadline.at))) {
      const wait = Math.max(1, Date.parse(anniversary.at) - Date.now());
      const changed = await condition(() => ledger.revision !== seen || historyIsLong(input.continueAfterEvents), wait);
      if (!changed) {
        await ledger.exclusive(async () => {
          if (ledger.revision !== seen || ledger.state.status === 'none') return; // a person acted while we queued; re-plan
          await openAnniversaryReview(ledger.state, anniversary.n, anniversary.at, compliance.policy);
          duties = { ...duties, anniversariesOpened: anniversary.n };
        });
      }
    } else if (deadline === undefined) {
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
        ...(compliance === undefined ? {} : { compliance }),
        carried: { ...ledger.handOver(), complianceRefusals, ...(compliance === undefined ? {} : { compliance: duties }) },
      });
    }
  }
  if (compliance !== undefined) await keepCompliance();
  await ledger.idle();
  return view();
}

/**
 * The provider's register learns that the offering started or stopped holding an accreditation: while
 * it holds one, its deployment model and data centres change only through an approved significant
 * change. The message only names the application; the register reads its standing from the stream.
 */
async function tellRegister(cspId: string, applicationId: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(cspWorkflowId(cspId)).signal(accreditationStandingSignal, { applicationId });
  } catch (err) {
    log.error('accreditation standing could not reach the CSP register', { cspId, applicationId, error: String(err) });
  }
}
