import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateNocHistories } from '../../bench/fixtures';
import { buildDossier } from '../../audit/dossier';
import { createCaseNotes } from '../../api/case-notes';
import { dossierHtml } from '../../audit/dossier-html';
import { Checkpointer } from '../../eventstore/integrity/checkpoint';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { loadAuditSigner } from '../../eventstore/integrity/signing';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import type { EventStore } from '../../eventstore/port';
import { withoutWholeLog } from '../support/no-whole-log';

describe('the decision dossier of a case', () => {
  let dir: string;
  let store: EventStore;
  let trusted: Record<string, string>;
  let approved: string;
  let others: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dossier-'));
    store = new HashChainedEventStore(await openSqliteEventStore({ path: join(dir, 'events.db') }));
    const signer = loadAuditSigner({ file: join(dir, 'key.pem') });
    trusted = { [signer.keyId]: signer.publicKeyPem };
    const histories = [...generateNocHistories(400, { seed: 3 })];
    for (const h of histories) await store.append(h.stream, h.events, 'no-stream');
    approved = histories.find((h) => h.events.some((e) => e.type === 'NocApproved'))?.stream as string;
    others = histories.filter((h) => h.stream !== approved && h.events.length > 1).map((h) => h.stream);
    await new Checkpointer(store, signer).checkpoint('2026-06-01T00:00:00.000Z');
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every event with its actor, role and policy version, the decisions, and a verified history', async () => {
    const dossier = await buildDossier(store, approved, trusted, '2026-06-02T00:00:00.000Z');
    expect(dossier).toBeDefined();
    const d = dossier!;
    expect(d.events.map((e) => e.revision)).toEqual(d.events.map((_, i) => i));
    for (const e of d.events) {
      expect(e.actor.userId).toBeTruthy();
      expect(e.actor.role).toBeTruthy();
      expect(e.policyVersion).toBeTruthy();
    }
    const approval = d.decisions.find((x) => x.type === 'NocApproved');
    expect(approval).toMatchObject({ role: expect.stringMatching(/director|provincial-officer/) });
    expect(d.decisions.find((x) => x.type === 'NocRecommended')?.reasons).toBeTruthy();
    expect(d.verification).toMatchObject({ intact: true, checkpointsVerified: 1, checkpointFindings: [] });
    expect(d.verification.coveredBy).toMatchObject({ sequence: 0, revision: d.events.length - 1 });
    const html = dossierHtml(d);
    expect(html).toContain(`Decision dossier: ${approved}`);
    expect(html).toContain("Verified: the case's hash chain recomputes");
  });

  it('carries the office’s internal notes on the case, with who wrote them', async () => {
    const notes = createCaseNotes({ eventStore: store, now: () => new Date('2026-06-02T09:00:00.000Z') });
    const reviewer = { userId: 'u-rev', name: 'Rania Reviewer', role: 'reviewer', jurisdiction: 'federal' } as const;
    await notes.add(reviewer, 'noc', approved.slice('noc-'.length), 'Site visit done; conditions agreed by phone.');
    const d = (await buildDossier(store, approved, trusted, '2026-06-02T10:00:00.000Z'))!;
    expect(d.notes).toEqual([{ revision: 0, text: 'Site visit done; conditions agreed by phone.', by: 'Rania Reviewer', role: 'reviewer', at: '2026-06-02T09:00:00.000Z' }]);
    expect(dossierHtml(d)).toContain('<h2>Internal notes</h2>');
  });

  it('verifies the case from its own streams and the signed feed, without reading the rest of the log', async () => {
    const d = (await buildDossier(withoutWholeLog(store), approved, trusted, '2026-06-02T11:00:00.000Z'))!;
    expect(d.verification).toMatchObject({ intact: true, checkpointsVerified: 1, checkpointFindings: [] });
    expect(d.verification.streams).toEqual([approved, `notes-${approved}`]);
    expect(d.verification.coveredBy).toMatchObject({ sequence: 0, createdAt: '2026-06-01T00:00:00.000Z', revision: d.events.length - 1 });
    expect(dossierHtml(d)).toContain('signed checkpoint 0 (2026-06-01T00:00:00.000Z) covers it up to revision');
    expect(dossierHtml(d)).toContain('the rest of the log was not read for this dossier');
  });

  it('does not verify against a checkpoint signed by a key it does not trust', async () => {
    const d = (await buildDossier(withoutWholeLog(store), approved, {}, '2026-06-02T11:30:00.000Z'))!;
    expect(d.verification.intact).toBe(false);
    expect(d.verification.checkpointFindings).toEqual([expect.objectContaining({ sequence: 0, problem: 'unknown-key' })]);
    expect(d.verification.coveredBy).toBeUndefined();
  });

  it('is not moved by tampering in a case it does not show', async () => {
    const other = others[0] as string;
    const raw = new Database(join(dir, 'events.db'));
    raw.prepare("UPDATE events SET data = json_set(data, '$.tampered', 1) WHERE stream = ? AND revision = 0").run(other);
    raw.close();
    const d = (await buildDossier(store, approved, trusted, '2026-06-02T12:00:00.000Z'))!;
    expect(d.verification.intact).toBe(true);
    expect((await buildDossier(store, other, trusted, '2026-06-02T12:00:00.000Z'))!.verification.chainBreak).toMatchObject({ stream: other, revision: 0, problem: 'changed' });
  });

  it('names the signed checkpoint a case no longer matches when its last events are cut off, though its chain still recomputes', async () => {
    const cut = others[1] as string;
    const before = (await store.readStream(cut)).length;
    const raw = new Database(join(dir, 'events.db'));
    raw.prepare('DELETE FROM events WHERE stream = ? AND revision = ?').run(cut, before - 1);
    raw.close();
    const d = (await buildDossier(withoutWholeLog(store), cut, trusted, '2026-06-02T13:00:00.000Z'))!;
    expect(d.verification.chainBreak).toBeUndefined();
    expect(d.verification.intact).toBe(false);
    expect(d.verification.checkpointFindings).toEqual([
      expect.objectContaining({ sequence: 0, problem: 'root-mismatch', streams: [{ stream: cut, problem: 'truncated', recorded: before - 1, found: before - 2 }] }),
    ]);
    expect(d.verification.checkpointsVerified).toBe(0);
    expect(dossierHtml(d)).toContain('NOT VERIFIED');
  });

  it('says the history does not verify, and where, after an event of the case is altered', async () => {
    const raw = new Database(join(dir, 'events.db'));
    raw.prepare("UPDATE events SET data = json_set(data, '$.reasons', 'rewritten') WHERE stream = ? AND type = 'NocApproved'").run(approved);
    raw.close();
    const d = (await buildDossier(store, approved, trusted, '2026-06-03T00:00:00.000Z'))!;
    const revision = d.events.find((e) => e.type === 'NocApproved')?.revision;
    expect(d.verification.intact).toBe(false);
    expect(d.verification.chainBreak).toMatchObject({ stream: approved, revision, problem: 'changed' });
    expect(dossierHtml(d)).toContain('NOT VERIFIED');
  });

  it('has no dossier for a case that does not exist', async () => {
    expect(await buildDossier(store, 'noc-NOPE', trusted, '2026-06-02T00:00:00.000Z')).toBeUndefined();
  });
});
