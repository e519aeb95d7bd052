import type Database from 'better-sqlite3';
import type { NocStatus } from '../../domain/noc/state';
import type { Jurisdiction } from '../../domain/shared/vocabulary';
import { toMillis } from '../../domain/shared/time';
import type { DecodedEvent } from '../../eventstore/registry';
import type { ReadModelDb } from '../db';
import { statementCache, type Projection } from '../projection';
import { rebuildCache } from '../rebuild-cache';
import type { NocTaskKind } from './read-model';
import { NOC_STATUS_AFTER, asNocEvent, isNocEventType, nocIdOf, type NocRecordedEvent } from './noc-events';

/**
 * The NOC work queue: the one open task each NOC in progress waits on, and who may do it. A task is
 * replaced or removed as soon as the case moves on. noc_queue_cases keeps the few facts about each
 * case that the tasks need (this projection has its own checkpoint, so it does not read the register).
 * claimed_by / claimed_at are for people taking a task on; the projection opens every task unclaimed.
 */
export const NOC_QUEUE_TABLES = `
CREATE TABLE IF NOT EXISTS noc_queue_cases (
  noc_id TEXT PRIMARY KEY,
  pse_id TEXT NOT NULL,
  jurisdiction TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  recommended_by TEXT,
  information_due_by TEXT,
  extension_requested_by TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS noc_tasks (
  task_id TEXT PRIMARY KEY,
  noc_id TEXT NOT NULL UNIQUE,
  -- The requesting entity, for visibility; pse_id below is only set on the PSE's own tasks.
  noc_pse_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  jurisdiction TEXT NOT NULL,
  role TEXT NOT NULL,
  pse_id TEXT,
  excluded_user_ids TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  due_at TEXT,
  due_at_ms INTEGER,
  claimed_by TEXT,
  claimed_at TEXT
);
CREATE INDEX IF NOT EXISTS noc_tasks_by_role ON noc_tasks (role, jurisdiction);
CREATE INDEX IF NOT EXISTS noc_tasks_by_pse ON noc_tasks (pse_id);
`;

export interface NocQueueCase {
  nocId: string;
  pseId: string;
  jurisdiction: Jurisdiction;
  requestedBy: string;
  recommendedBy: string | null;
  informationDueBy: string | null;
  extensionRequestedBy: string | null;
}

export interface NocTaskSpec {
  kind: NocTaskKind;
  role: string;
  pseId: string | null;
  excludedUserIds: string[];
  dueAt: string | null;
}

const unique = (ids: (string | null)[]): string[] => [...new Set(ids.filter((id): id is string => id !== null))];

/**
 * The task a NOC in `status` waits on, if any. Federal NOCs are reviewed by reviewers and decided by
 * directors; a province's by its provincial officers. Nobody reviews or decides what they requested,
 * and whoever recommended does not decide (four eyes).
 */
export function nocTaskFor(status: NocStatus, c: NocQueueCase): NocTaskSpec | null {
  const federal = c.jurisdiction === 'federal';
  switch (status) {
    case 'requested':
    case 'under-review':
      return { kind: 'review', role: federal ? 'reviewer' : 'provincial-officer', pseId: null, excludedUserIds: [c.requestedBy], dueAt: null };
    case 'awaiting-pse':
      return { kind: 'answer-information', role: 'pse', pseId: c.pseId, excludedUserIds: [], dueAt: c.informationDueBy };
    case 'awaiting-decision':
      return {
        kind: 'decide',
        role: federal ? 'director' : 'provincial-officer',
        pseId: null,
        excludedUserIds: unique([c.recommendedBy, c.requestedBy]),
        dueAt: null,
      };
    case 'extension-requested':
      return {
        kind: 'decide-extension',
        role: federal ? 'director' : 'provincial-officer',
        pseId: null,
        excludedUserIds: unique([c.requestedBy, c.extensionRequestedBy]),
        dueAt: null,
      };
    case 'active':
    case 'rejected':
    case 'lapsed':
    case 'expired':
    case 'revoked':
    case 'withdrawn':
      return null;
  }
}

interface CaseRow {
  noc_id: string;
  pse_id: string;
  jurisdiction: Jurisdiction;
  requested_by: string;
  recommended_by: string | null;
  information_due_by: string | null;
  extension_requested_by: string | null;
}

const statements = statementCache((db) => ({
  insertCase: db.prepare(`
    INSERT INTO noc_queue_cases (noc_id, pse_id, jurisdiction, requested_by)
    VALUES (@nocId, @pseId, @jurisdiction, @requestedBy)`) as Database.Statement<[Record<string, unknown>]>,
  getCase: db.prepare('SELECT * FROM noc_queue_cases WHERE noc_id = ?') as Database.Statement<[string], CaseRow>,
  updateCase: db.prepare(`
    UPDATE noc_queue_cases SET recommended_by = @recommendedBy, information_due_by = @informationDueBy,
      extension_requested_by = @extensionRequestedBy
    WHERE noc_id = @nocId`) as Database.Statement<[Record<string, unknown>]>,
  openTask: db.prepare('SELECT kind FROM noc_tasks WHERE noc_id = ?') as Database.Statement<[string], { kind: NocTaskKind }>,
  deleteTask: db.prepare('DELETE FROM noc_tasks WHERE noc_id = ?') as Database.Statement<[string]>,
  insertTask: db.prepare(`
    INSERT INTO noc_tasks (task_id, noc_id, noc_pse_id, kind, jurisdiction, role, pse_id, excluded_user_ids, created_at, created_at_ms,
      due_at, due_at_ms, claimed_by, claimed_at)
    VALUES (@taskId, @nocId, @nocPseId, @kind, @jurisdiction, @role, @pseId, @excludedUserIds, @createdAt, @createdAtMs,
      @dueAt, @dueAtMs, NULL, NULL)`) as Database.Statement<[Record<string, unknown>]>,
  // Positional: a rebuild writes every case with it, and binding by name looks each parameter up per run.
  putCase: db.prepare(`
    INSERT INTO noc_queue_cases (noc_id, pse_id, jurisdiction, requested_by, recommended_by, information_due_by, extension_requested_by)
    VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (noc_id) DO UPDATE SET recommended_by = excluded.recommended_by, information_due_by = excluded.information_due_by,
      extension_requested_by = excluded.extension_requested_by`) as Database.Statement<[string, string, string, string, string | null, string | null, string | null]>,
}));

/**
 * A NOC's open task as a rebuild holds it: its kind (null: none), the row to insert when it is not
 * written yet, and whether the database holds a task row for the NOC (which a new task replaces).
 */
interface HeldTask {
  kind: NocTaskKind | null;
  row: Record<string, unknown> | null;
  written: boolean;
}

/** Writes a held task: the row the database holds goes, the one the NOC waits on now comes in. */
function writeTask(db: ReadModelDb, nocId: string, held: HeldTask): void {
  const s = statements.get(db);
  if (held.written) s.deleteTask.run(nocId);
  if (held.row) s.insertTask.run(held.row);
  // The cache keeps this object: it now describes what the database holds.
  held.written = held.row !== null;
  held.row = null;
}

// During a rebuild each case and its open task stay in memory and are written once per transaction:
// a task opened and closed within one (most of them) never reaches the database.
const cases = rebuildCache<NocQueueCase>((db, _nocId, c) =>
  statements.get(db).putCase.run(c.nocId, c.pseId, c.jurisdiction, c.requestedBy, c.recommendedBy, c.informationDueBy, c.extensionRequestedBy),
);
const openTasks = rebuildCache<HeldTask>(writeTask);

function apply(db: ReadModelDb, decoded: DecodedEvent): void {
  const event = asNocEvent(decoded);
  const s = statements.get(db);
  const nocId = nocIdOf(event);

  let c: NocQueueCase;
  if (event.type === 'NocRequested') {
    c = {
      nocId,
      pseId: event.data.pseId,
      jurisdiction: event.data.jurisdiction,
      requestedBy: event.data.requestedBy,
      recommendedBy: null,
      informationDueBy: null,
      extensionRequestedBy: null,
    };
    if (cases.enabled(db)) cases.put(db, nocId, { ...c });
    else s.insertCase.run(c as unknown as Record<string, unknown>);
  } else {
    const known = cases.get(db, nocId, () => {
      const row = s.getCase.get(nocId);
      return (
        row && {
          nocId,
          pseId: row.pse_id,
          jurisdiction: row.jurisdiction,
          requestedBy: row.requested_by,
          recommendedBy: row.recommended_by,
          informationDueBy: row.information_due_by,
          extensionRequestedBy: row.extension_requested_by,
        }
      );
    });
    if (!known) throw new Error(`NOC ${nocId} is not in the queue's cases: its stream does not start with NocRequested`);
    c = { ...known };
    const changed = updateCase(c, event);
    if (changed && cases.enabled(db)) cases.put(db, nocId, { ...c });
    else if (changed) s.updateCase.run(c as unknown as Record<string, unknown>);
  }

  const status = NOC_STATUS_AFTER[event.type];
  if (status === null) return;
  const task = nocTaskFor(status, c);
  const held = openTasks.enabled(db) ? openTasks.get(db, nocId, () => heldTaskOf(s, nocId)) : undefined;
  const open = held ? held.kind : (s.openTask.get(nocId)?.kind ?? null);
  // Same kind of task as before (requested → under-review): it is the same piece of work, kept as it is.
  if (open === (task?.kind ?? null)) return;
  const createdAt = event.metadata.occurredAt;
  const row = task && {
    taskId: `${nocId}:${task.kind}:${event.revision}`,
    nocId,
    nocPseId: c.pseId,
    kind: task.kind,
    jurisdiction: c.jurisdiction,
    role: task.role,
    pseId: task.pseId,
    excludedUserIds: JSON.stringify(task.excludedUserIds),
    createdAt,
    createdAtMs: toMillis(createdAt),
    dueAt: task.dueAt,
    dueAtMs: task.dueAt === null ? null : toMillis(task.dueAt),
  };
  if (held) {
    openTasks.put(db, nocId, { kind: task?.kind ?? null, row, written: held.written });
    return;
  }
  if (open !== null) s.deleteTask.run(nocId);
  if (row) s.insertTask.run(row);
}

function heldTaskOf(s: ReturnType<typeof statements.get>, nocId: string): HeldTask {
  const kind = s.openTask.get(nocId)?.kind ?? null;
  return { kind, row: null, written: kind !== null };
}

/** Records in `c` what the event tells the queue; returns whether anything changed. */
export function updateCase(c: NocQueueCase, event: NocRecordedEvent): boolean {
  switch (event.type) {
    case 'NocRecommended':
      c.recommendedBy = event.data.recommendedBy;
      return true;
    case 'NocInformationRequested':
      c.informationDueBy = event.data.dueBy;
      return true;
    case 'NocInformationProvided':
    case 'NocLapsed':
    case 'NocWithdrawn':
      if (c.informationDueBy === null) return false;
      c.informationDueBy = null;
      return true;
    case 'NocExtensionRequested':
      c.extensionRequestedBy = event.data.requestedBy;
      return true;
    default:
      return false;
  }
}

export const NOC_QUEUE = 'noc-queue';

export const nocQueueProjection: Projection = {
  name: NOC_QUEUE,
  version: 1,
  setup(db) {
    db.exec(NOC_QUEUE_TABLES);
    statements.clear(db);
  },
  handles: isNocEventType,
  apply,
  bulk: {
    begin(db) {
      cases.enable(db);
      openTasks.enable(db);
    },
    flush(db) {
      cases.flush(db);
      openTasks.flush(db);
    },
    // The queue finds a NOC's task by noc_id (its UNIQUE index); these serve who-may-act queries.
    deferredIndexes: ['noc_tasks_by_role', 'noc_tasks_by_pse'],
  },
  reset(db) {
    statements.clear(db);
    cases.clear(db);
    openTasks.clear(db);
    db.exec('DROP TABLE IF EXISTS noc_tasks; DROP TABLE IF EXISTS noc_queue_cases;');
  },
};
