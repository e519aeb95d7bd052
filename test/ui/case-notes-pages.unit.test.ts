import { createCaseNotes, notesStream } from '../../api/case-notes';
import type { Actor } from '../../domain/shared/actor';
import { FakeEventStore, FakeNocQueries, registerRow } from '../api/fakes';
import { MemoryStreams } from '../api/framework-register-store';
import { NOC_REQUEST } from '../api/harness';
import { openPageHarness, type PageHarness } from './page-harness';

/** Internal notes on a NOC's page: staff write them, auditors read them, the entity never sees them. */
const NOC = 'NOC-2026-NOTES';
const PAGE = `/ui/nocs/${NOC}`;

let page: PageHarness;
let notes: MemoryStreams;

beforeEach(async () => {
  notes = new MemoryStreams();
  page = await openPageHarness({
    name: 'case-notes-pages',
    people: [
      { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
      { username: 'asma', role: 'auditor', jurisdiction: 'federal', displayName: 'Asma Auditor' },
      { username: 'parveen', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'Parveen PSE' },
    ],
    deps: ({ identity }) => {
      const officer = identity.listAccounts().find((a) => a.username === 'parveen');
      if (!officer) throw new Error('the entity officer is not enrolled');
      const pse: Actor = { userId: officer.id, name: officer.displayName, role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt' };
      const store = new FakeEventStore();
      store.add(`noc-${NOC}`, 'NocRequested', { ...NOC_REQUEST, nocId: NOC, pseId: 'pse-moitt', jurisdiction: 'federal', requestedBy: pse.userId, requestedAt: '2026-11-02T09:00:00.000Z' }, pse);
      const queries = new FakeNocQueries();
      queries.rows.set(NOC, registerRow({ nocId: NOC, pseId: 'pse-moitt' }));
      return { nocQueries: queries, eventStore: store as never, caseNotes: createCaseNotes({ eventStore: notes }) };
    },
  });
});

afterEach(() => page.close());

const signedIn = (username: string) => page.signedIn(username);

const recorded = async (): Promise<string[]> => (await notes.readStream(notesStream('noc', NOC))).map((e) => (e.data as { text: string }).text);

describe('internal notes on a case page', () => {
  it('let a reviewer add a note from the page, which staff and auditors then read with its author', async () => {
    const reviewer = await signedIn('rania');
    const page = (await reviewer.request('GET', PAGE)).body;
    expect(page).toContain('<h2 id="notes">Internal notes</h2>');
    expect(page).toContain(`action="${PAGE}/notes"`);
    const _csrf = await reviewer.csrf(PAGE);
    const added = await reviewer.request('POST', `${PAGE}/notes`, { _csrf, text: 'The entity confirmed the March migration date.' });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe(`${PAGE}?done=noted#notes`);
    expect(await recorded()).toEqual(['The entity confirmed the March migration date.']);
    const after = (await reviewer.request('GET', `${PAGE}?done=noted`)).body;
    expect(after).toContain('Your note has been added.');
    expect(after).toContain('The entity confirmed the March migration date.');

    const auditor = await signedIn('asma');
    const audited = (await auditor.request('GET', PAGE)).body;
    expect(audited).toContain('The entity confirmed the March migration date.');
    expect(audited).toContain('Rania Reviewer');
    expect(audited).not.toContain(`action="${PAGE}/notes"`);
    const csrfA = await auditor.csrf(PAGE);
    expect((await auditor.request('POST', `${PAGE}/notes`, { _csrf: csrfA, text: 'An auditor’s remark' })).statusCode).toBe(403);
  });

  it('never show the entity the notes on its own NOC, nor let it write one', async () => {
    const reviewer = await signedIn('rania');
    const _csrf = await reviewer.csrf(PAGE);
    await reviewer.request('POST', `${PAGE}/notes`, { _csrf, text: 'Internal: the justification is thin.' });
    const entity = await signedIn('parveen');
    const own = await entity.request('GET', PAGE);
    expect(own.statusCode).toBe(200);
    expect(own.body).not.toContain('Internal notes');
    expect(own.body).not.toContain('the justification is thin');
    const csrfE = await entity.csrf(PAGE);
    expect((await entity.request('POST', `${PAGE}/notes`, { _csrf: csrfE, text: 'Let me in' })).statusCode).toBe(403);
    expect(await recorded()).toEqual(['Internal: the justification is thin.']);
  });

  it('refuse a note too long on the case page itself, keeping what was typed and naming the field', async () => {
    const reviewer = await signedIn('rania');
    const _csrf = await reviewer.csrf(PAGE);
    const typed = `Too long <b>${'x'.repeat(4000)}</b>`;
    const refused = await reviewer.request('POST', `${PAGE}/notes`, { _csrf, text: typed });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain(`<h1>${NOC} `);
    expect(refused.body).toContain('<p class="field-error" id="note-text-error">Note: at most 4000 characters</p>');
    expect(refused.body).toContain('<a href="#note-text">Note: at most 4000 characters</a>');
    expect(refused.body).toContain(`aria-describedby="note-text-hint note-text-error" aria-invalid="true" required>Too long &lt;b&gt;${'x'.repeat(4000)}&lt;/b&gt;</textarea>`);
    expect(await recorded()).toEqual([]);
  });

  it('refuse an empty note, recording nothing, and answer a case nobody may see as missing', async () => {
    const reviewer = await signedIn('rania');
    const _csrf = await reviewer.csrf(PAGE);
    const empty = await reviewer.request('POST', `${PAGE}/notes`, { _csrf, text: '  ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('write the note');
    expect((await reviewer.request('POST', '/ui/nocs/NOC-404/notes', { _csrf, text: 'Lost' })).statusCode).toBe(404);
    expect(await recorded()).toEqual([]);
  });
});
