import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../../domain/shared/actor';
import type { CommandSeal, TakenCommand } from '../../domain/shared/signed-command';
import type { ChangeCommandOf } from '../../domain/compliance/change-commands';
import type { ChangeState } from '../../domain/compliance/change-state';
import type { CompliancePolicy } from '../../domain/compliance/policy';

/** Workflow id of one significant change request. */
export const changeWorkflowId = (changeId: string): string => `change:${changeId}`;

export interface ChangeWorkflowInput {
  /** The provider's RequestSignificantChange command, on first start. */
  request?: ChangeCommandOf<'RequestSignificantChange'>;
  /** The id of the request command (causation id of the first event). */
  requestId?: string;
  /** The API's seal over the first command (its command id: requestId) and this process. */
  seal?: CommandSeal;
  /** Pinned when the request is made. */
  policy: CompliancePolicy;
  continueAfterEvents?: number;
  carried?: { state: ChangeState; revision: number; taken?: TakenCommand[] };
}

/** What people do on a request once made: the reviewer recommends, a director decides. */
export type ChangeActionType = 'RecommendChange' | 'DecideChange';

export interface ChangeActionInput<K extends ChangeActionType = ChangeActionType> {
  type: K;
  actor: Actor;
  data: ChangeCommandOf<K>['data'];
  /** Idempotency/causation: the caller's command id. */
  commandId: string;
  /** The API's seal: the process takes no person's command without it. */
  seal?: CommandSeal;
}

export interface ChangeView {
  state: ChangeState;
  /** Revision of the stream `change-<changeId>` after its last event (-1 before any). */
  revision: number;
}

export const changeActionUpdate = defineUpdate<ChangeView, [ChangeActionInput]>('changeAction');
export const changeStateQuery = defineQuery<ChangeView>('changeState');
