import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { NOC_REQUEST } from '../api/harness';
import { apiClient, type ApiClient } from '../support/api-client';
import { checkedPages } from './axe';
import { SCREENSHOTS, reloadUntil, startBrowserStack, type BrowserStack } from './browser-stack';

/**
 * Queue supervision in a real headless Chromium, over the real stack: a reviewer holds a NOC's review
 * task, the director sees it among the tasks held by staff and hands it to another reviewer with a
 * reason, by keyboard alone (a reason of spaces is refused first, what was typed kept), and the new
 * holder finds it claimed by them in their own queue.
 */
const TASK_QUEUE = 'ui-supervision';
const PASSWORD = 'a long enough password';
const ACCOUNTS = {
  pse: { username: 'moitt', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'MoITT Officer' },
  reviewer: { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  reviewer2: { username: 'rafay', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rafay Reviewer' },
  director: { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
} as const;
type Who = keyof typeof ACCOUNTS;

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
const queueRow = (page: Page, nocId: string) => page.locator('table:not([aria-labelledby]) tbody tr', { hasText: nocId });
const heldRow = (page: Page, nocId: string) => page.getByRole('table', { name: 'Tasks held by staff' }).getByRole('row').filter({ hasText: nocId });

/** The element that has the keyboard focus: its id, its text or value, and whether the focus is drawn on it. */
interface Focus {
  id: string;
  tag: string;
  text: string;
  visible: boolean;
}
const FOCUS = `(() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    id: el.id,
    tag: el.tagName.toLowerCase(),
    text: (el.textContent || '').trim(),
    // A date field's calendar button has the focus inside the field, which then matches :focus-within only.
    visible: (el.matches(':focus-visible') || el.matches(':focus-within')) && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
  };
})()`;
const focusOf = (page: Page): Promise<Focus> => page.evaluate(FOCUS) as Promise<Focus>;

/** Presses Tab until the focus is on the element with this id, checking that every stop on the way shows its focus. */
async function tabTo(page: Page, id: string, limit = 60): Promise<Focus> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const focus = await focusOf(page);
    expect({ stop: focus.id || focus.text, visible: focus.visible }).toEqual({ stop: focus.id || focus.text, visible: true });
    if (focus.id === id) return focus;
  }
  throw new Error(`${id} was not reached within ${limit} presses of Tab`);
}

describe('queue supervision in the browser', () => {
  it('lets the director see the tasks the staff hold and hand one to another reviewer by keyboard alone, and the new holder finds it theirs', async () => {
    // An entity requests a NOC; a reviewer claims its review in her queue.
    const created = await api.ok('POST', '/api/nocs', 'pse', NOC_REQUEST);
    const nocId = (created.state as { request: { nocId: string } }).request.nocId;
    const rania = await signIn('reviewer');
    await reloadUntil(rania, async () => (await queueRow(rania, nocId).count()) === 1);
    await queueRow(rania, nocId).getByRole('button', { name: /^Claim/ }).click();
    await expect(queueRow(rania, nocId).textContent()).resolves.toContain('Claimed by you');

    // The director's queue lists the tasks held by staff: this one, held by the reviewer, with whom it may go to.
    const director = await signIn('director');
    await reloadUntil(director, async () => (await heldRow(director, nocId).count()) === 1);
    await expect(heldRow(director, nocId).textContent()).resolves.toContain('Rania Reviewer');
    const giveTo = heldRow(director, nocId).getByLabel('Give to');
    await expect(giveTo.locator('option').allTextContents()).resolves.toEqual(['Rafay Reviewer']);
    const toId = (await giveTo.getAttribute('id')) as string;
    const reasonId = (await heldRow(director, nocId).getByLabel('Reason').getAttribute('id')) as string;

    // By keyboard alone: the skip link first, Enter to the content, then Tab to the form, each stop visibly focused.
    const toTheForm = async (): Promise<void> => {
      await director.keyboard.press('Tab');
      await expect(focusOf(director)).resolves.toMatchObject({ text: 'Skip to main content', visible: true });
      await director.keyboard.press('Enter');
      await expect(focusOf(director)).resolves.toMatchObject({ id: 'main' });
      await expect(tabTo(director, toId)).resolves.toMatchObject({ tag: 'select', text: 'Rafay Reviewer' });
      await tabTo(director, reasonId);
    };
    // A reason of spaces only, sent with Enter, is refused in the task's row, the field named and what was typed kept.
    await toTheForm();
    await director.keyboard.type('   ');
    await director.keyboard.press('Enter');
    await director.waitForURL('**/ui/queue/reassign');
    await expect(heldRow(director, nocId).locator(`#${reasonId}-error`).textContent()).resolves.toBe('Reason: say why the task moves');
    await expect(director.locator(`#${reasonId}`).inputValue()).resolves.toBe('   ');
    await expect(director.locator(`#${reasonId}`).getAttribute('aria-invalid')).resolves.toBe('true');
    expect(checkedPages().some((url) => url.endsWith('/ui/queue/reassign'))).toBe(true);
    // Again from the refused page, with a reason, and the button pressed with Space.
    await toTheForm();
    await director.keyboard.press('Control+A');
    await director.keyboard.type('Rania is on leave this week');
    await director.keyboard.press('Tab');
    await expect(focusOf(director)).resolves.toMatchObject({ tag: 'button', text: 'Reassign', visible: true });
    await director.keyboard.press('Space');
    await director.waitForURL('**/ui/queue?done=reassigned');

    // The page says so, and shows the task with its new holder, who handed it over and why.
    await expect(director.getByRole('status').textContent()).resolves.toContain('The task has been reassigned.');
    const heldBy = await heldRow(director, nocId).getByRole('cell').nth(2).textContent();
    expect(heldBy).toContain('Rafay Reviewer');
    expect(heldBy).not.toContain('Rania Reviewer');
    expect(heldBy).toContain('Reassigned by Dawood Director: Rania is on leave this week');
    await expect(heldRow(director, nocId).getByLabel('Give to').locator('option').allTextContents()).resolves.toEqual(['Rania Reviewer']);
    await director.screenshot({ path: join(SCREENSHOTS, 'queue-supervision.png'), fullPage: true });
    // The pages the keys led to were checked for accessibility although no goto reached them.
    expect(checkedPages().some((url) => url.endsWith('/ui/queue?done=reassigned'))).toBe(true);

    // The new holder finds the task claimed by him in his own queue; the former holder sees who has it now.
    const rafay = await signIn('reviewer2');
    await reloadUntil(rafay, async () => (await queueRow(rafay, nocId).count()) === 1);
    await expect(queueRow(rafay, nocId).textContent()).resolves.toContain('Claimed by you');
    await expect(queueRow(rafay, nocId).getByRole('button', { name: /^Release/ }).count()).resolves.toBe(1);
    await rania.reload();
    await expect(queueRow(rania, nocId).textContent()).resolves.toContain('Claimed by Rafay Reviewer');
    await expect(queueRow(rania, nocId).getByRole('button').count()).resolves.toBe(0);
    expect(ui.cspViolations).toEqual([]);
  });
});
