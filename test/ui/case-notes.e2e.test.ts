import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { NOTE_MAX_LENGTH } from '../../domain/notes';
import { NOC_REQUEST } from '../api/harness';
import { apiClient, type ApiClient } from '../support/api-client';
import { checkedPages } from './axe';
import { SCREENSHOTS, startBrowserStack, type BrowserStack } from './browser-stack';

/**
 * Internal notes on a case in a real headless Chromium, over the real stack: a reviewer writes one on a
 * NOC's page (a refused note comes back with what was typed), another member of staff and an auditor
 * read it, and the entity the NOC belongs to never sees it, on its portal or on the case page.
 */
const TASK_QUEUE = 'ui-case-notes';
const PASSWORD = 'a long enough password';
const ACCOUNTS = {
  pse: { username: 'moitt', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'MoITT Officer' },
  reviewer: { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  director: { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
  auditor: { username: 'aamir', role: 'auditor', jurisdiction: 'federal', displayName: 'Aamir Auditor' },
} as const;
type Who = keyof typeof ACCOUNTS;
const NOTE = 'The entity confirmed by phone that the migration starts in March.';

let ui: BrowserStack;
let api: ApiClient<Who>;

beforeAll(async () => {
  ui = await startBrowserStack({ taskQueue: TASK_QUEUE, accounts: ACCOUNTS, password: PASSWORD });
  api = await apiClient(ui.stack, ACCOUNTS, PASSWORD);
});

afterAll(async () => {
  await ui?.close();
});

const signIn = (who: Who): Promise<Page> => ui.signIn(ACCOUNTS[who].username, PASSWORD);
const noteField = (page: Page) => page.getByLabel('Add a note');
const notes = (page: Page) => page.locator('ol.notes li');

describe('internal notes on a case in the browser', () => {
  it('let a reviewer write a note that staff and auditors read, keep what was typed when one is refused, and never show it to the entity', async () => {
    const created = await api.ok('POST', '/api/nocs', 'pse', NOC_REQUEST);
    const nocId = (created.state as { request: { nocId: string } }).request.nocId;
    const casePage = `/ui/nocs/${nocId}`;
    await api.projected();

    // The reviewer opens the NOC: no notes yet, and a form to write one.
    const reviewer = await signIn('reviewer');
    await reviewer.goto(casePage);
    await expect(reviewer.getByRole('heading', { name: 'Internal notes' }).count()).resolves.toBe(1);
    await expect(reviewer.locator('main').textContent()).resolves.toContain('No notes yet.');

    // Only spaces: refused on the case page, the field named, what was typed kept.
    await noteField(reviewer).fill('   ');
    await reviewer.getByRole('button', { name: 'Add note' }).click();
    await expect(reviewer.locator('#note-text-error').textContent()).resolves.toBe('Note: write the note');
    await expect(noteField(reviewer).inputValue()).resolves.toBe('   ');

    // Too long: refused the same way, the whole text kept, the summary linking to the field.
    const tooLong = `${NOTE} ${'More detail. '.repeat(Math.ceil(NOTE_MAX_LENGTH / 13))}`;
    await noteField(reviewer).fill(tooLong);
    await reviewer.getByRole('button', { name: 'Add note' }).click();
    await expect(reviewer.locator('#note-text-error').textContent()).resolves.toBe(`Note: at most ${NOTE_MAX_LENGTH} characters`);
    await expect(noteField(reviewer).inputValue()).resolves.toBe(tooLong);
    await expect(noteField(reviewer).getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(reviewer.getByRole('alert').getByRole('link', { name: `Note: at most ${NOTE_MAX_LENGTH} characters` }).getAttribute('href')).resolves.toBe('#note-text');
    await expect(reviewer.locator('h1').textContent()).resolves.toContain(nocId);
    // The refused form, reached by a button and not by a goto, was checked for accessibility.
    expect(checkedPages().filter((url) => url.endsWith(`${casePage}/notes`)).length).toBeGreaterThanOrEqual(2);

    // A note within the limit is added and shown with its author.
    await noteField(reviewer).fill(NOTE);
    await reviewer.getByRole('button', { name: 'Add note' }).click();
    await reviewer.waitForURL(`**${casePage}?done=noted#notes`);
    await expect(reviewer.getByRole('status').textContent()).resolves.toContain('Your note has been added.');
    await expect(notes(reviewer).textContent()).resolves.toContain(NOTE);
    await expect(noteField(reviewer).inputValue()).resolves.toBe('');

    // Another member of staff reads it with who wrote it; the auditor too, without a form to write one.
    const director = await signIn('director');
    await director.goto(casePage);
    await expect(notes(director).textContent()).resolves.toContain(NOTE);
    await expect(notes(director).textContent()).resolves.toContain('Rania Reviewer');
    await director.screenshot({ path: join(SCREENSHOTS, 'case-notes.png'), fullPage: true });
    const auditor = await signIn('auditor');
    await auditor.goto(casePage);
    await expect(notes(auditor).textContent()).resolves.toContain(NOTE);
    await expect(noteField(auditor).count()).resolves.toBe(0);

    // The entity sees its NOC in its portal and on the case page, but nothing of the notes, not even that there are any.
    const entity = await signIn('pse');
    for (const path of [`/ui/entity/nocs/${nocId}`, casePage]) {
      const shown = await entity.goto(path);
      expect(shown?.status()).toBe(200);
      const main = (await entity.locator('main').textContent()) ?? '';
      expect(main).toContain(nocId);
      expect(main).not.toContain('Internal notes');
      expect(main).not.toContain(NOTE);
      await expect(noteField(entity).count()).resolves.toBe(0);
    }
    await expect(api.call('GET', `/api/nocs/${nocId}/notes`, 'pse')).resolves.toMatchObject({ status: 403 });
    expect(ui.cspViolations).toEqual([]);
  });
});
