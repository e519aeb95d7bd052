import { createClaims } from '../../ui/claims';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTasklistDb, taskHoldersFrom } from '../../ui/tasklist-db';
import type { Actor } from '../../domain/shared/actor';

const rania: Actor = { userId: 'u-rania', name: 'Rania', role: 'reviewer', jurisdiction: 'federal' };
const director: Actor = { userId: 'u-dawood', name: 'Dawood', role: 'director', jurisdiction: 'federal' };
const AT = '2026-11-06T10:00:00.000Z';

describe('reassigning a claim', () => {
  it('moves the claim and logs who moved it, from whom, to whom and why', () => {
    const claims = createClaims(openTasklistDb(':memory:'));
    claims.claim('NOC-1:review', 'NOC-1', rania, AT);
    const moved = claims.reassign(
      { taskId: 'NOC-1:review', caseId: 'NOC-1', fromUserId: 'u-rania', toUserId: 'u-rashid', actorId: director.userId, actorName: director.name, reason: 'On leave', at: AT },
      { userId: 'u-rashid', name: 'Rashid' },
    );
    expect(moved).toBe(true);
    expect(claims.forTasks(['NOC-1:review']).get('NOC-1:review')).toMatchObject({ claimedBy: 'u-rashid', claimedByName: 'Rashid', claimedAt: AT });
    expect(claims.reassignments('NOC-1:review')).toEqual([
      { taskId: 'NOC-1:review', caseId: 'NOC-1', fromUserId: 'u-rania', toUserId: 'u-rashid', actorId: 'u-dawood', actorName: 'Dawood', reason: 'On leave', at: AT },
    ]);
  });

  it('changes and logs nothing when the named holder no longer holds the task', () => {
    const claims = createClaims(openTasklistDb(':memory:'));
    claims.claim('NOC-1:review', 'NOC-1', rania, AT);
    claims.release('NOC-1:review', rania);
    const moved = claims.reassign(
      { taskId: 'NOC-1:review', caseId: 'NOC-1', fromUserId: 'u-rania', toUserId: 'u-rashid', actorId: director.userId, actorName: director.name, reason: 'On leave', at: AT },
      { userId: 'u-rashid', name: 'Rashid' },
    );
    expect(moved).toBe(false);
    expect(claims.forTasks(['NOC-1:review']).size).toBe(0);
    expect(claims.reassignments('NOC-1:review')).toEqual([]);
  });
});

describe('the task holders another process reads', () => {
  it('are none before the UI has created its tasklist, then every claim on a case, read only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'holders-'));
    const path = join(dir, 'tasklist.db');
    const reader = taskHoldersFrom(path);
    try {
      expect(reader.holders()).toEqual([]);
      const db = openTasklistDb(path);
      const claims = createClaims(db);
      claims.claim('NOC-1:review:0', 'NOC-1', rania, AT);
      expect(reader.holders()).toEqual([{ caseId: 'NOC-1', userId: 'u-rania' }]);
      claims.release('NOC-1:review:0', rania);
      expect(reader.holders()).toEqual([]);
      db.close();
    } finally {
      reader.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
