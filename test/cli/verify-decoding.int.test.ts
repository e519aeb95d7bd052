import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { eventId } from '../../eventstore/envelope';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { runTool, toolEnv } from './run-tool';

/**
 * `npm run verify` reads every event as the current code does (schema, version, upcasters). An event
 * whose hash chain is intact — written through the chain, or altered and chained again by whoever
 * altered it — but which the code can no longer read is a finding naming its stream, revision, type
 * and the zod issue, and the verification fails.
 */
let dir: string;
let data: string;

const REVIEW = 'review-REV-7';
const actor = { userId: 'reviewer', role: 'reviewer' as const };
const metadata = (causationId: string, schemaVersion = 1) => ({ schemaVersion, actor, occurredAt: '2030-01-01T00:00:00.000Z', correlationId: REVIEW, causationId, policyVersion: 'cloud-first-2022/compliance-1' });
const opened = { reviewId: 'REV-7', applicationId: 'ACC-7', offeringId: 'off-7', cspId: 'csp-seven', trigger: 'incident', description: 'Outage', openedBy: 'reviewer', openedAt: '2030-01-01T00:00:00.000Z' };

async function writeLog(events: { type: string; data: unknown; schemaVersion?: number }[]): Promise<void> {
  const store = new HashChainedEventStore(await openSqliteEventStore({ path: join(data, 'events.db'), synchronous: 'OFF' }));
  try {
    await store.append(
      REVIEW,
      events.map((e, i) => ({ id: eventId(REVIEW, i), type: e.type, data: e.data, metadata: metadata(`c${i}`, e.schemaVersion) })),
      'no-stream',
    );
  } finally {
    await store.close();
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'verify-decoding-'));
  data = join(dir, 'data');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('verify reads every event under the current code', () => {
  it('passes a log every event of which decodes, and says how many it decoded', async () => {
    await writeLog([
      { type: 'ReviewOpened', data: opened },
      { type: 'ReviewEvidenceRequested', data: { request: 'The incident report', dueBy: '2030-01-31T00:00:00.000Z', requestedBy: 'reviewer' } },
    ]);
    const run = await runTool('cli/verify.ts', [], toolEnv(data));
    const out = run.stdout.toString();
    expect(out).toContain('2 events decoded under the current schemas and upcasters');
    expect(out).not.toContain('UNDECODABLE');
    expect(out).toContain('every event decodes');
    expect(run.code).toBe(0);
  });

  it('fails naming stream, revision, type and the zod issue of an event of the wrong shape, an unknown type, and a version newer than the code, though every chain recomputes', async () => {
    await writeLog([
      { type: 'ReviewOpened', data: opened },
      { type: 'ReviewEvidenceRequested', data: { request: 'The incident report', dueBy: 'next week', requestedBy: 'reviewer' } },
      { type: 'ReviewTeleported', data: { to: 'elsewhere' } },
      { type: 'ReviewEvidenceOverdue', data: { dueBy: '2030-01-31T00:00:00.000Z' }, schemaVersion: 9 },
    ]);
    const run = await runTool('cli/verify.ts', [], toolEnv(data));
    const lines = run.stdout.toString().split('\n');
    expect(lines).toContain('4 events decoded under the current schemas and upcasters');
    expect(lines.filter((l) => l.startsWith('BROKEN'))).toEqual([]);
    const undecodable = lines.filter((l) => l.startsWith('UNDECODABLE'));
    expect(undecodable).toHaveLength(3);
    expect(undecodable[0]).toBe('UNDECODABLE review-REV-7 at revision 1 (ReviewEvidenceRequested v1): EVENT_SCHEMA_INVALID: ReviewEvidenceRequested v1: dueBy: Invalid ISO datetime');
    expect(undecodable[1]).toMatch(/^UNDECODABLE review-REV-7 at revision 2 \(ReviewTeleported v1\): EVENT_SCHEMA_UNKNOWN: unknown event type ReviewTeleported$/);
    expect(undecodable[2]).toMatch(/^UNDECODABLE review-REV-7 at revision 3 \(ReviewEvidenceOverdue v9\): EVENT_SCHEMA_UNKNOWN: .*v9 is newer than this code \(v1\)/);
    expect(lines.some((l) => l.startsWith('history intact'))).toBe(false);
    expect(run.code).toBe(1);
  });

  it('finds an event altered in the database and chained again, which the hash chain alone passes', async () => {
    await writeLog([{ type: 'ReviewOpened', data: opened }]);
    // Whoever alters the bytes and recomputes the chain leaves the chain intact; here the data is
    // altered and its stored hash recomputed by writing the event again through the chain elsewhere.
    const tampered = { ...opened, trigger: 'a whim' };
    const source = join(dir, 'source');
    const other = new HashChainedEventStore(await openSqliteEventStore({ path: join(source, 'events.db'), synchronous: 'OFF' }));
    await other.append(REVIEW, [{ id: eventId(REVIEW, 0), type: 'ReviewOpened', data: tampered, metadata: metadata('c0') }], 'no-stream');
    await other.close();
    const from = new Database(join(source, 'events.db'), { readonly: true });
    const row = from.prepare('SELECT * FROM events WHERE stream = ? AND revision = 0').get(REVIEW) as Record<string, unknown>;
    from.close();
    const db = new Database(join(data, 'events.db'));
    const columns = Object.keys(row).filter((c) => c !== 'position' && c !== 'global_position' && c !== 'commit_position');
    db.prepare(`UPDATE events SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE stream = @stream AND revision = 0`).run(Object.fromEntries(columns.map((c) => [c, row[c]])));
    db.close();

    const run = await runTool('cli/verify.ts', [], toolEnv(data));
    const lines = run.stdout.toString().split('\n');
    expect(lines.filter((l) => l.startsWith('BROKEN'))).toEqual([]);
    expect(lines.filter((l) => l.startsWith('UNDECODABLE'))).toEqual([expect.stringMatching(/^UNDECODABLE review-REV-7 at revision 0 \(ReviewOpened v1\): EVENT_SCHEMA_INVALID: ReviewOpened v1: trigger: Invalid option/)]);
    expect(run.code).toBe(1);
  });
});
