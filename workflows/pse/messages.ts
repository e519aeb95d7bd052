import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../../domain/shared/actor';
import type { CommandSeal, TakenCommand } from '../../domain/shared/signed-command';
import type { PseCommand, PseCommandType } from '../../domain/pse/commands';
import type { PseState } from '../../domain/pse/state';

/** Workflow id of the one long-lived process of a public service entity. */
export const pseWorkflowId = (pseId: string): string => `pse:${pseId}`;

export interface PseWorkflowInput {
  /** The RegisterPse command, on first start. */
  register?: Extract<PseCommand, { type: 'RegisterPse' }>;
  /** The id of the register command (causation id of the first event). */
  requestId?: string;
  /** The API's seal over the first command (its command id: requestId) and this process. */
  seal?: CommandSeal;
  /** Continue-as-new once the history holds this many events; tests set it low. */
  continueAfterEvents?: number;
  /** Carried over by continue-as-new. */
  carried?: { state: PseState; revision: number; taken?: TakenCommand[] };
}

export type PseActionType = Exclude<PseCommandType, 'RegisterPse'>;

/** An entity's action on its own register entry (its procurements). */
export interface PseActionInput<K extends PseActionType = PseActionType> {
  type: K;
  actor: Actor;
  data: Extract<PseCommand, { type: K }>['data'];
  /** Idempotency/causation: the caller's command id. */
  commandId: string;
  /** The API's seal: the process takes no person's command without it. */
  seal?: CommandSeal;
}

export interface PseView {
  state: PseState;
  /** Revision of the stream `pse-<pseId>` after its last event (-1 before any). */
  revision: number;
}

export const pseActionUpdate = defineUpdate<PseView, [PseActionInput]>('pseAction');
export const pseStateQuery = defineQuery<PseView>('pseState');
