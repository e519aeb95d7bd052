import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../../domain/shared/actor';
import type { CommandSeal, TakenCommand } from '../../domain/shared/signed-command';
import type { AccreditationCommand, AccreditationCommandType } from '../../domain/accreditation/commands';
import type { AccreditationPolicy } from '../../domain/accreditation/policy';
import type { AccreditationState } from '../../domain/accreditation/state';
import type { CompliancePolicy } from '../../domain/compliance/policy';
import type { BenchmarkFramework } from '../../domain/framework/schema';

/** Workflow id of one application's process. */
export const accreditationWorkflowId = (applicationId: string): string => `accreditation:${applicationId}`;

export interface AccreditationWorkflowInput {
  /** The Submit command, on first start. */
  submit?: Extract<AccreditationCommand, { type: 'Submit' }>;
  /** The id of the submit command (causation id of the first event). */
  requestId?: string;
  /** The API's seal over the first command (its command id: requestId) and this process. */
  seal?: CommandSeal;
  policy: AccreditationPolicy;
  /**
   * The framework version the application names, loaded and validated by the caller: the process
   * never reads files, so a replay sees exactly what the first run saw.
   */
  framework: BenchmarkFramework;
  /** When the same offering's latest application was rejected, if ever (cooling-off). */
  lastRejectedAt?: string;
  /** Continue-as-new once the history holds this many events; by default the server's suggestion decides. */
  continueAfterEvents?: number;
  /**
   * The compliance regime (SPEC §3.1 "while accredited", §3.2): when given, the process starts the
   * monthly monitoring at the grant, opens a compliance review on each anniversary, ends monitoring
   * when the accreditation ends and starts the PSEs' transition at a revocation. Without it the process
   * runs the accreditation alone, as it always has.
   */
  compliance?: { policy: CompliancePolicy };
  /** Carried over by continue-as-new. */
  carried?: {
    state: AccreditationState;
    revision: number;
    complianceRefusals: ComplianceRefusal[];
    /** People's commands taken by earlier runs, still within their seal's window. */
    taken?: TakenCommand[];
    /** What the compliance regime has already done, so a fresh run does not do it twice. */
    compliance?: ComplianceDuties;
  };
}

/** The compliance regime's steps already taken by the process (carried over continue-as-new). */
export interface ComplianceDuties {
  monitoringStarted: boolean;
  monitoringEnded: boolean;
  /** The highest anniversary (1, 2, ...) whose review has been opened; 0 before the first. */
  anniversariesOpened: number;
  transitionStarted: boolean;
}

/** What people do on an application; Submit starts the process, and the engine's own steps are not for people. */
export type AccreditationActionType = Exclude<AccreditationCommandType, 'Submit' | 'Lapse' | 'OpenRenewalWindow' | 'Expire'>;

export interface AccreditationActionInput<K extends AccreditationActionType = AccreditationActionType> {
  type: K;
  actor: Actor;
  data: Extract<AccreditationCommand, { type: K }>['data'];
  /** Idempotency/causation: the caller's command id. */
  commandId: string;
  /** The API's seal: the process takes no person's command without it. */
  seal?: CommandSeal;
}

/** The compliance review's measures, sent as a signal: it does not wait for the outcome. */
export type ComplianceActionInput = AccreditationActionInput<'Suspend'> | AccreditationActionInput<'Revoke'>;

/** A compliance signal the decider refused; a signal cannot answer, so the refusal is kept for whoever asks. */
export interface ComplianceRefusal {
  commandId: string;
  type: ComplianceActionInput['type'];
  code: string;
  message: string;
  at: string;
}

export interface AccreditationView {
  state: AccreditationState;
  /** Revision of the stream `accreditation-<applicationId>` after its last event (-1 before any). */
  revision: number;
  /** The latest refused compliance signals, newest last (at most 20). */
  complianceRefusals: ComplianceRefusal[];
}

export const accreditationActionUpdate = defineUpdate<AccreditationView, [AccreditationActionInput]>('accreditationAction');
export const accreditationStateQuery = defineQuery<AccreditationView>('accreditationState');
export const complianceActionSignal = defineSignal<[ComplianceActionInput]>('complianceAction');
