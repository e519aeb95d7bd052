/**
 * The NOC read models' rows, as the API and the UI read them. Implemented by the NOC projections
 * (projections/noc/*.ts) over the read-model database.
 */
import type { Actor } from '../../domain/shared/actor';
import type { DataClass, Jurisdiction } from '../../domain/shared/vocabulary';
import type { DeviationKind } from '../../domain/noc/events';
import type { NocStatus } from '../../domain/noc/state';

export interface NocRegisterRow {
  nocId: string;
  pseId: string;
  jurisdiction: Jurisdiction;
  deviation: DeviationKind;
  description: string;
  dataClass: DataClass;
  systems: string[];
  offeringId: string | null;
  requestedMonths: number;
  status: NocStatus;
  requestedBy: string;
  requestedAt: string;
  reviewerId: string | null;
  recommendation: 'approve' | 'reject' | null;
  recommendedBy: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  validFrom: string | null;
  validUntil: string | null;
  conditions: string[];
  extensionsGranted: number;
  /** While the PSE owes an answer (awaiting-pse): by when. */
  informationDueBy: string | null;
  /** While an extension is requested: how many months. */
  pendingExtensionMonths: number | null;
  updatedAt: string;
  /** Stream revision the row reflects. */
  revision: number;
}

export interface NocRegisterFilter {
  status?: NocStatus[];
  jurisdiction?: Jurisdiction;
  pseId?: string;
  dataClass?: DataClass;
  /** Only NOCs whose validUntil is before this instant. */
  expiringBefore?: string;
  limit?: number;
  offset?: number;
}

export type NocTaskKind = 'review' | 'decide' | 'decide-extension' | 'answer-information';

export interface NocTaskRow {
  taskId: string;
  nocId: string;
  kind: NocTaskKind;
  jurisdiction: Jurisdiction;
  /** Role that may act on it (reviewer, director, provincial-officer, pse). */
  role: string;
  /** For PSE tasks: the entity that owes the answer. */
  pseId: string | null;
  /** Who may not act on it (four eyes): the recommender and the requester. */
  excludedUserIds: string[];
  createdAt: string;
  dueAt: string | null;
  /** Who has taken the task on, and when; null while nobody has. */
  claimedBy: string | null;
  claimedAt: string | null;
}

/** One status change of a NOC: the register's history, oldest first. */
export interface NocHistoryRow {
  nocId: string;
  /** Stream revision of the event that changed the status. */
  revision: number;
  /** null for the request itself. */
  from: NocStatus | null;
  to: NocStatus;
  at: string;
  byUserId: string;
  byRole: string;
  byName: string | null;
  eventType: string;
}

export interface NocNotificationRow {
  id: string;
  nocId: string;
  pseId: string;
  kind:
    | 'expiry-reminder'
    | 'decision'
    | 'information-requested'
    | 'expired'
    | 'revoked'
    | 'migration-notice'
    | 'non-compliant'
    | 'offering-suspended'
    | 'offering-reinstated';
  message: string;
  createdAt: string;
  deliveredAt: string | null;
}

/** The read side the API uses. Visibility by role and jurisdiction is applied inside. */
export interface NocQueries {
  list(actor: Actor, filter: NocRegisterFilter): NocRegisterRow[];
  get(actor: Actor, nocId: string): NocRegisterRow | undefined;
  queue(actor: Actor): NocTaskRow[];
  notifications(actor: Actor): NocNotificationRow[];
  /** The NOC's status changes, oldest first; empty when the actor may not see the NOC. */
  history(actor: Actor, nocId: string): NocHistoryRow[];
}
