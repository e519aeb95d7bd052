import type Database from 'better-sqlite3';
import type { Actor } from '../domain/shared/actor';

export interface Claim {
  taskId: string;
  nocId: string;
  claimedBy: string;
  claimedByName: string;
  claimedAt: string;
}

/** A director handing a held task to someone else, as the claim log keeps it. */
export interface Reassignment {
  taskId: string;
  caseId: string;
  fromUserId: string;
  toUserId: string;
  actorId: string;
  actorName: string;
  reason: string;
  at: string;
}

export type ClaimOutcome = { ok: true; claim: Claim } | { ok: false; heldBy: Claim };

export interface Claims {
  /** The claims on these tasks, by task id. */
  forTasks(taskIds: readonly string[]): Map<string, Claim>;
  /** Takes the task on; refused while someone else holds it. Claiming one's own claim again is a no-op. */
  claim(taskId: string, nocId: string, actor: Actor, at: string): ClaimOutcome;
  /** Gives up the actor's own claim; false when the actor held none. */
  release(taskId: string, actor: Actor): boolean;
  /**
   * Hands a held task to another person, recording who did it and why in the same transaction; false
   * when `fromUserId` no longer holds it (released, or reassigned meanwhile).
   */
  reassign(r: Reassignment, to: { userId: string; name: string }): boolean;
  /** The reassignments of a task, oldest first. */
  reassignments(taskId: string): Reassignment[];
  /** The claims on a case's tasks, oldest first. */
  forCase(caseId: string): Claim[];
  /** The reassignments of every task of a case, oldest first. */
  reassignmentsOfCase(caseId: string): Reassignment[];
  /** Acting on a case finishes the actor's claims on its tasks. */
  releaseNoc(nocId: string, actor: Actor): void;
}

interface ClaimRow {
  task_id: string;
  noc_id: string;
  claimed_by: string;
  claimed_by_name: string;
  claimed_at: string;
}

interface LogRow {
  task_id: string;
  case_id: string;
  from_user: string;
  to_user: string;
  actor_id: string;
  actor_name: string;
  reason: string;
  at: string;
}

const toClaim = (r: ClaimRow): Claim => ({
  taskId: r.task_id,
  nocId: r.noc_id,
  claimedBy: r.claimed_by,
  claimedByName: r.claimed_by_name,
  claimedAt: r.claimed_at,
});

const toReassignment = (row: LogRow): Reassignment => ({
  taskId: row.task_id,
  caseId: row.case_id,
  fromUserId: row.from_user,
  toUserId: row.to_user,
  actorId: row.actor_id,
  actorName: row.actor_name,
  reason: row.reason,
  at: row.at,
});

export function createClaims(db: Database.Database): Claims {
  const stmt = {
    get: db.prepare<[string], ClaimRow>('SELECT * FROM claims WHERE task_id = ?'),
    insert: db.prepare<[string, string, string, string, string]>(
      'INSERT OR IGNORE INTO claims (task_id, noc_id, claimed_by, claimed_by_name, claimed_at) VALUES (?, ?, ?, ?, ?)',
    ),
    release: db.prepare<[string, string]>('DELETE FROM claims WHERE task_id = ? AND claimed_by = ?'),
    releaseNoc: db.prepare<[string, string]>('DELETE FROM claims WHERE noc_id = ? AND claimed_by = ?'),
    move: db.prepare<[string, string, string, string, string]>(
      'UPDATE claims SET claimed_by = ?, claimed_by_name = ?, claimed_at = ? WHERE task_id = ? AND claimed_by = ?',
    ),
    log: db.prepare<[string, string, string, string, string, string, string, string]>(
      `INSERT INTO claim_log (task_id, case_id, action, from_user, to_user, actor_id, actor_name, reason, at) VALUES (?, ?, 'reassign', ?, ?, ?, ?, ?, ?)`,
    ),
    logOf: db.prepare<[string], LogRow>('SELECT * FROM claim_log WHERE task_id = ? ORDER BY id'),
    ofCase: db.prepare<[string], ClaimRow>('SELECT * FROM claims WHERE noc_id = ? ORDER BY claimed_at, task_id'),
    logOfCase: db.prepare<[string], LogRow>('SELECT * FROM claim_log WHERE case_id = ? ORDER BY id'),
  };
  const reassign = db.transaction((r: Reassignment, to: { userId: string; name: string }): boolean => {
    if (stmt.move.run(to.userId, to.name, r.at, r.taskId, r.fromUserId).changes === 0) return false;
    stmt.log.run(r.taskId, r.caseId, r.fromUserId, r.toUserId, r.actorId, r.actorName, r.reason, r.at);
    return true;
  });
  return {
    forTasks(taskIds) {
      const found = new Map<string, Claim>();
      for (const id of taskIds) {
        const row = stmt.get.get(id);
        if (row) found.set(id, toClaim(row));
      }
      return found;
    },
    claim(taskId, nocId, actor, at) {
      // INSERT OR IGNORE, then read back: of two people claiming at once, exactly one wins.
      stmt.insert.run(taskId, nocId, actor.userId, actor.name, at);
      const claim = toClaim(stmt.get.get(taskId) as ClaimRow);
      return claim.claimedBy === actor.userId ? { ok: true, claim } : { ok: false, heldBy: claim };
    },
    release(taskId, actor) {
      return stmt.release.run(taskId, actor.userId).changes > 0;
    },
    reassign(r, to) {
      return reassign(r, to);
    },
    reassignments(taskId) {
      return stmt.logOf.all(taskId).map(toReassignment);
    },
    forCase(caseId) {
      return stmt.ofCase.all(caseId).map(toClaim);
    },
    reassignmentsOfCase(caseId) {
      return stmt.logOfCase.all(caseId).map(toReassignment);
    },
    releaseNoc(nocId, actor) {
      stmt.releaseNoc.run(nocId, actor.userId);
    },
  };
}
