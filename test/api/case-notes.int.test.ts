import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCaseNotes, notesStream } from '../../api/case-notes';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import type { EventStore } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { registerRow } from './fakes';
import { startTestApi, type TestApi } from './harness';

/** The notes routes over the real SQLite event store: what staff write is an event in the case's notes stream. */
let dir: string;
let store: EventStore;
let api: TestApi;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'case-notes-'));
  store = new HashChainedEventStore(await openSqliteEventStore({ path: join(dir, 'events.db') }));
  api = await startTestApi({ deps: { caseNotes: createCaseNotes({ eventStore: store }) } });
  api.queries.rows.set('NOC-7', registerRow({ nocId: 'NOC-7', pseId: 'pse-moitt' }));
});
afterAll(async () => {
  await api.close();
  await store.close?.();
  rmSync(dir, { recursive: true, force: true });
});

const post = (who: Parameters<TestApi['as']>[0], nocId: string, text: string, headers: Record<string, string> = {}) =>
  api.app.inject({ method: 'POST', url: `/api/nocs/${nocId}/notes`, headers: { ...api.as(who), ...headers }, payload: { text } });

describe('internal notes on a case, through the API', () => {
  it('records a reviewer’s note as CaseNoteAdded in notes-noc-<id>, with the actor, and lists it to staff and auditors', async () => {
    const res = await post('reviewer', 'NOC-7', 'Spoke to the entity: migration starts in March.');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ caseKind: 'noc', caseId: 'NOC-7', text: 'Spoke to the entity: migration starts in March.', addedByName: 'Rania Reviewer' });
    const recorded = await store.readStream(notesStream('noc', 'NOC-7'));
    expect(recorded.map((e) => e.type)).toEqual(['CaseNoteAdded']);
    expect(recorded[0]?.metadata.actor).toMatchObject({ userId: api.actors.reviewer.userId, role: 'reviewer' });
    expect(recorded[0]?.metadata.correlationId).toBe('noc-NOC-7');
    for (const who of ['director', 'auditor'] as const) {
      const list = await api.app.inject({ method: 'GET', url: '/api/nocs/NOC-7/notes', headers: api.as(who) });
      expect(list.statusCode).toBe(200);
      expect(list.json().items.map((n: { text: string }) => n.text)).toEqual(['Spoke to the entity: migration starts in March.']);
    }
  });

  it('records a note sent twice with the same Idempotency-Key once', async () => {
    const key = { 'idempotency-key': 'note-retry-1' };
    expect((await post('director', 'NOC-7', 'Decision after the site visit.', key)).statusCode).toBe(201);
    expect((await post('director', 'NOC-7', 'Decision after the site visit.', key)).statusCode).toBe(201);
    const texts = (await store.readStream(notesStream('noc', 'NOC-7'))).map((e) => (e.data as { text: string }).text);
    expect(texts.filter((t) => t === 'Decision after the site visit.')).toHaveLength(1);
  });

  it('never shows notes to the entity or a provider, and refuses an auditor’s or administrator’s note', async () => {
    for (const who of ['pse', 'csp', 'admin'] as const) {
      expect((await api.app.inject({ method: 'GET', url: '/api/nocs/NOC-7/notes', headers: api.as(who) })).statusCode).toBe(403);
    }
    expect((await post('pse', 'NOC-7', 'Can we see this?')).statusCode).toBe(403);
    expect((await post('auditor', 'NOC-7', 'An auditor’s remark')).json().error.code).toBe('ROLE_NOT_ALLOWED');
  });

  it('answers 404 for a case that does not exist, and 400 naming the field for an empty note, writing nothing', async () => {
    expect((await post('reviewer', 'NOC-404', 'Lost')).statusCode).toBe(404);
    const empty = await post('reviewer', 'NOC-7', '   ');
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('text');
    expect(await store.readStream(notesStream('noc', 'NOC-404'))).toEqual([]);
  });
});
