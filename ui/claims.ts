import type Database from 'better-sqlite3';
import type { Actor } from '../domain/shared/actor';

export interface Claim {
  taskId: string;
  nocId: string;
  claimedBy: string;
  claimedByName: string;
  claimedAt: string;
}

export type ClaimOutcome = { ok: true; claim: Claim } | { ok: false; heldBy: Claim };

export interface Claims {
  /** The claims on these tasks, by task id. */
  forTasks(taskIds: readonly string[]): Map<string, Claim>;
  /** Takes the task on; refused while someone else holds it. Claiming one's own claim again is a no-op. */
  claim(taskId: string, nocId: string, actor: Actor, at: string): ClaimOutcome;
  /** Gives up the actor's own claim; false when the actor held none. */
  release(taskId: string, actor: Actor): boolean;
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

const toClaim = (r: ClaimRow): Claim => ({
  taskId: r.task_id,
  nocId: r.noc_id,
  claimedBy: r.claimed_by,
  claimedByName: r.claimed_by_name,
  claimedAt: r.claimed_at,
});

export function createClaims(db: Database.Database): Claims {
  const stmt = {
    get: db.prepare<[string], ClaimRow>('SELECT * FROM claims WHERE task_id = ?'),
    insert: db.prepare<[string, string, string, string, string]>(
      'INSERT OR IGNORE INTO claims (task_id, noc_id, claimed_by, claimed_by_name, claimed_at) VALUES (?, ?, ?, ?, ?)',
    ),
    release: db.prepare<[string, string]>('DELETE FROM claims WHERE task_id = ? AND claimed_by = ?'),
    releaseNoc: db.prepare<[string, string]>('DELETE FROM claims WHERE noc_id = ? AND claimed_by = ?'),
  };
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
    releaseNoc(nocId, actor) {
      stmt.releaseNoc.run(nocId, actor.userId);
    },
  };
}
