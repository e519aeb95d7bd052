import type Database from 'better-sqlite3';
import { canSeeNoc } from '../../domain/noc';
import type { DeviationKind } from '../../domain/noc/events';
import type { NocStatus } from '../../domain/noc/state';
import type { Actor } from '../../domain/shared/actor';
import { toMillis } from '../../domain/shared/time';
import type { DataClass, Jurisdiction } from '../../domain/shared/vocabulary';
import type { ReadModelDb } from '../db';
import type {
  NocHistoryRow,
  NocNotificationRow,
  NocQueries,
  NocRegisterFilter,
  NocRegisterRow,
  NocTaskKind,
  NocTaskRow,
} from './read-model';

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;
/** The notifications query returns the most recent ones. */
export const NOTIFICATIONS_LIMIT = 200;

interface Scope {
  sql: string;
  params: unknown[];
}

/**
 * The NOCs an actor may see, as a SQL condition over `pse_id` and `jurisdiction` (null: none). It says
 * in SQL what canSeeNoc (domain/noc/rules.ts) says in code, so that limits and offsets page over visible
 * rows only; every row returned is checked with canSeeNoc as well.
 */
export function visibilityScope(
  actor: Actor,
  columns: { pseId: string; jurisdiction: string } = { pseId: 'pse_id', jurisdiction: 'jurisdiction' },
): Scope | null {
  switch (actor.role) {
    case 'auditor':
      return { sql: '1 = 1', params: [] };
    case 'pse':
      return actor.organisationId === undefined ? null : { sql: `${columns.pseId} = ?`, params: [actor.organisationId] };
    case 'director':
      if (actor.jurisdiction === 'federal') return { sql: '1 = 1', params: [] };
      return { sql: `${columns.jurisdiction} IN ('federal', ?)`, params: [actor.jurisdiction] };
    case 'reviewer':
    case 'security-reviewer':
      return { sql: `${columns.jurisdiction} = 'federal'`, params: [] };
    case 'provincial-officer':
      return { sql: `${columns.jurisdiction} = ?`, params: [actor.jurisdiction] };
    case 'csp':
    case 'admin':
      return null;
  }
}

interface RegisterDbRow {
  noc_id: string;
  pse_id: string;
  jurisdiction: Jurisdiction;
  deviation: DeviationKind;
  description: string;
  data_class: DataClass;
  systems: string;
  offering_id: string | null;
  requested_months: number;
  status: NocStatus;
  requested_by: string;
  requested_at: string;
  reviewer_id: string | null;
  recommendation: 'approve' | 'reject' | null;
  recommended_by: string | null;
  decided_by: string | null;
  decided_at: string | null;
  valid_from: string | null;
  valid_until: string | null;
  conditions: string;
  extensions_granted: number;
  information_due_by: string | null;
  pending_extension_months: number | null;
  updated_at: string;
  revision: number;
}

function toRegisterRow(r: RegisterDbRow): NocRegisterRow {
  return {
    nocId: r.noc_id,
    pseId: r.pse_id,
    jurisdiction: r.jurisdiction,
    deviation: r.deviation,
    description: r.description,
    dataClass: r.data_class,
    systems: JSON.parse(r.systems) as string[],
    offeringId: r.offering_id,
    requestedMonths: r.requested_months,
    status: r.status,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    reviewerId: r.reviewer_id,
    recommendation: r.recommendation,
    recommendedBy: r.recommended_by,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    conditions: JSON.parse(r.conditions) as string[],
    extensionsGranted: r.extensions_granted,
    informationDueBy: r.information_due_by,
    pendingExtensionMonths: r.pending_extension_months,
    updatedAt: r.updated_at,
    revision: r.revision,
  };
}

interface TaskDbRow {
  task_id: string;
  noc_id: string;
  noc_pse_id: string;
  kind: NocTaskKind;
  jurisdiction: Jurisdiction;
  role: string;
  pse_id: string | null;
  excluded_user_ids: string;
  created_at: string;
  due_at: string | null;
  claimed_by: string | null;
  claimed_at: string | null;
}

function toTaskRow(r: TaskDbRow): NocTaskRow {
  return {
    taskId: r.task_id,
    nocId: r.noc_id,
    kind: r.kind,
    jurisdiction: r.jurisdiction,
    role: r.role,
    pseId: r.pse_id,
    excludedUserIds: JSON.parse(r.excluded_user_ids) as string[],
    createdAt: r.created_at,
    dueAt: r.due_at,
    claimedBy: r.claimed_by,
    claimedAt: r.claimed_at,
  };
}

interface NotificationDbRow {
  id: string;
  noc_id: string;
  pse_id: string;
  jurisdiction: Jurisdiction;
  kind: NocNotificationRow['kind'];
  message: string;
  created_at: string;
  delivered_at: string | null;
}

interface HistoryDbRow {
  noc_id: string;
  revision: number;
  from_status: NocStatus | null;
  to_status: NocStatus;
  at: string;
  by_user_id: string;
  by_role: string;
  by_name: string | null;
  event_type: string;
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) return DEFAULT_LIST_LIMIT;
  return Math.min(limit, MAX_LIST_LIMIT);
}

/** The NOC read side over the read-model database. Each call reads the latest committed rows. */
export function createNocQueries(db: ReadModelDb): NocQueries {
  // list() builds its SQL from the filter; the few shapes it takes are prepared once each.
  const prepared = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let stmt = prepared.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      prepared.set(sql, stmt);
    }
    return stmt;
  };

  const get = (actor: Actor, nocId: string): NocRegisterRow | undefined => {
    const raw = prepare('SELECT * FROM noc_register WHERE noc_id = ?').get(nocId) as RegisterDbRow | undefined;
    if (!raw || !canSeeNoc(actor, { jurisdiction: raw.jurisdiction, pseId: raw.pse_id })) return undefined;
    return toRegisterRow(raw);
  };

  return {
    list(actor: Actor, filter: NocRegisterFilter): NocRegisterRow[] {
      const scope = visibilityScope(actor);
      if (!scope) return [];
      const where = [scope.sql];
      const params = [...scope.params];
      if (filter.status !== undefined) {
        if (filter.status.length === 0) return [];
        where.push(`status IN (${filter.status.map(() => '?').join(', ')})`);
        params.push(...filter.status);
      }
      if (filter.jurisdiction !== undefined) {
        where.push('jurisdiction = ?');
        params.push(filter.jurisdiction);
      }
      if (filter.pseId !== undefined) {
        where.push('pse_id = ?');
        params.push(filter.pseId);
      }
      if (filter.dataClass !== undefined) {
        where.push('data_class = ?');
        params.push(filter.dataClass);
      }
      if (filter.expiringBefore !== undefined) {
        where.push('valid_until_ms < ?');
        params.push(toMillis(filter.expiringBefore));
      }
      params.push(clampLimit(filter.limit), Math.max(0, Math.trunc(filter.offset ?? 0)));
      const sql = `SELECT * FROM noc_register WHERE ${where.join(' AND ')} ORDER BY requested_at_ms DESC, noc_id LIMIT ? OFFSET ?`;
      const rows = prepare(sql).all(...params) as RegisterDbRow[];
      return rows.filter((r) => canSeeNoc(actor, { jurisdiction: r.jurisdiction, pseId: r.pse_id })).map(toRegisterRow);
    },

    get,

    queue(actor: Actor): NocTaskRow[] {
      const scope = visibilityScope(actor, { pseId: 'noc_pse_id', jurisdiction: 'jurisdiction' });
      if (!scope) return [];
      // A PSE's tasks are its own entity's; staff tasks carry no pse_id.
      const own = actor.role === 'pse' ? ' AND pse_id = noc_pse_id' : '';
      // Tasks with a due date first, soonest first; then the oldest.
      const sql = `SELECT * FROM noc_tasks WHERE role = ? AND ${scope.sql}${own}
        ORDER BY due_at_ms IS NULL, due_at_ms, created_at_ms, task_id`;
      const rows = prepare(sql).all(actor.role, ...scope.params) as TaskDbRow[];
      return rows
        .filter((r) => canSeeNoc(actor, { jurisdiction: r.jurisdiction, pseId: r.noc_pse_id }))
        .map(toTaskRow)
        .filter((t) => !t.excludedUserIds.includes(actor.userId));
    },

    notifications(actor: Actor): NocNotificationRow[] {
      const scope = visibilityScope(actor, { pseId: 'n.pse_id', jurisdiction: 'n.jurisdiction' });
      if (!scope) return [];
      const sql = `SELECT n.id, n.noc_id, n.pse_id, n.jurisdiction, n.kind, n.message, n.created_at, d.delivered_at
        FROM noc_notifications n LEFT JOIN notification_deliveries d ON d.id = n.id
        WHERE ${scope.sql}
        ORDER BY n.created_at_ms DESC, n.id DESC LIMIT ${NOTIFICATIONS_LIMIT}`;
      const rows = prepare(sql).all(...scope.params) as NotificationDbRow[];
      return rows
        .filter((r) => canSeeNoc(actor, { jurisdiction: r.jurisdiction, pseId: r.pse_id }))
        .map((r) => ({
          id: r.id,
          nocId: r.noc_id,
          pseId: r.pse_id,
          kind: r.kind,
          message: r.message,
          createdAt: r.created_at,
          deliveredAt: r.delivered_at,
        }));
    },

    history(actor: Actor, nocId: string): NocHistoryRow[] {
      if (!get(actor, nocId)) return [];
      const rows = prepare('SELECT * FROM noc_history WHERE noc_id = ? ORDER BY revision').all(nocId) as HistoryDbRow[];
      return rows.map((r) => ({
        nocId: r.noc_id,
        revision: r.revision,
        from: r.from_status,
        to: r.to_status,
        at: r.at,
        byUserId: r.by_user_id,
        byRole: r.by_role,
        byName: r.by_name,
        eventType: r.event_type,
      }));
    },
  };
}
