import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../../domain/shared/actor';
import type { CommandSeal, TakenCommand } from '../../domain/shared/signed-command';
import type { NocCommandType, NocCommand } from '../../domain/noc/commands';
import type { NocState } from '../../domain/noc/state';
import type { NocPolicy } from '../../domain/noc/policy';

/** Workflow id of the process for one NOC. */
export const nocWorkflowId = (nocId: string): string => `noc:${nocId}`;
export const NOC_TASK_QUEUE = 'cloud-office';

/** Input that starts (or continues) one NOC's process. */
export interface NocWorkflowInput {
  /** The RequestNoc command, on first start. */
  request?: Extract<NocCommand, { type: 'RequestNoc' }>;
  /** The id of the request command (causation id of the first events). */
  requestId?: string;
  policy: NocPolicy;
  /** The API's seal over the first command (its command id: requestId) and this process. */
  seal?: CommandSeal;
  /**
   * Continue-as-new once the history holds this many events; by default the server's own suggestion
   * decides. Tests set it low to prove the hand-over.
   */
  continueAfterEvents?: number;
  /** Carried over by continue-as-new. */
  carried?: { state: NocState; revision: number; taken?: TakenCommand[] };
}

/** Every person's action on a NOC is one update: the validator refuses it before it reaches history. */
export interface NocActionInput<K extends NocCommandType = NocCommandType> {
  type: K;
  actor: Actor;
  data: Extract<NocCommand, { type: K }>['data'];
  /** Idempotency/causation: the caller's command id. */
  commandId: string;
  /** The API's seal: the process takes no person's command without it. */
  seal?: CommandSeal;
}

export interface NocView {
  state: NocState;
  /** Revision of the NOC's stream after the last appended event (-1 before any). */
  revision: number;
}

/** The one update for every action; `type` names the command. */
export const nocActionUpdate = defineUpdate<NocView, [NocActionInput]>('nocAction');
export const nocStateQuery = defineQuery<NocView>('nocState');
/**
 * Answers the view once the request is recorded: the API sends it with the start (update-with-start),
 * so one call starts the process and returns its first step. It acts on nothing, so it needs no seal.
 */
export const nocRequestedUpdate = defineUpdate<NocView, []>('nocRequested');
/** Lets operators nudge a waiting process to re-check its timers after a policy or clock change. */
export const nocWakeSignal = defineSignal('nocWake');
