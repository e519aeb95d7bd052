import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../../domain/shared/actor';
import type { CommandSeal, TakenCommand } from '../../domain/shared/signed-command';
import type { CspCommand, CspCommandType } from '../../domain/csp/commands';
import type { CspState } from '../../domain/csp/state';

/** Workflow id of the one long-lived process of a provider. */
export const cspWorkflowId = (cspId: string): string => `csp:${cspId}`;

export interface CspWorkflowInput {
  /** The RegisterCsp command, on first start. */
  register?: Extract<CspCommand, { type: 'RegisterCsp' }>;
  /** The id of the register command (causation id of the first event). */
  requestId?: string;
  /** The API's seal over the first command (its command id: requestId) and this process. */
  seal?: CommandSeal;
  /** Continue-as-new once the history holds this many events; tests set it low. */
  continueAfterEvents?: number;
  /** Carried over by continue-as-new. */
  carried?: { state: CspState; revision: number; taken?: TakenCommand[] };
}

export type CspActionType = Exclude<CspCommandType, 'RegisterCsp' | 'ApplyApprovedChange' | 'RecordAccreditationStanding'>;

/** A CSP's action on its own register entry (offerings). */
export interface CspActionInput<K extends CspActionType = CspActionType> {
  type: K;
  actor: Actor;
  data: Extract<CspCommand, { type: K }>['data'];
  /** Idempotency/causation: the caller's command id. */
  commandId: string;
  /** The API's seal: the process takes no person's command without it. */
  seal?: CommandSeal;
}

export interface CspView {
  state: CspState;
  /** Revision of the stream `csp-<cspId>` after its last event (-1 before any). */
  revision: number;
}

export const cspActionUpdate = defineUpdate<CspView, [CspActionInput]>('cspAction');
export const cspStateQuery = defineQuery<CspView>('cspState');

/**
 * Engine to engine, from the significant change process once a change is approved: "change <id> may
 * take effect". It carries only the id; the register reads the change from its stream and applies it
 * only if that stream says it is an approved change of one of this provider's offerings.
 */
export const approvedChangeSignal = defineSignal<[{ changeId: string }]>('approvedChange');
/**
 * Engine to engine, from an accreditation process whose offering starts or stops holding an
 * accreditation. The register reads the application's stream and records what it says.
 */
export const accreditationStandingSignal = defineSignal<[{ applicationId: string }]>('accreditationStanding');
