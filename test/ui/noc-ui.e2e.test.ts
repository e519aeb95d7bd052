import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expectAccessible } from './axe';
import { SCREENSHOTS, reloadUntil, startBrowserStack, type BrowserStack } from './browser-stack';

/**
 * The NOC admin UI in a real headless Chromium, over the real stack: Temporal dev server, worker,
 * SQLite event store, projections, identity, and the API with its UI listening on a free port.
 */
const TASK_QUEUE = 'ui-noc';
const PASSWORD = 'a long enough password';
const ACCOUNTS = {
  pse: { username: 'moitt', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'MoITT Officer' },
  reviewer: { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  reviewer2: { username: 'rafay', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rafay Reviewer' },
  director: { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
  sindh: { username: 'sana', role: 'provincial-officer', jurisdiction: 'sindh', displayName: 'Sana Officer' },
  auditor: { username: 'aamir', role: 'auditor', jurisdiction: 'federal', displayName: 'Aamir Auditor' },
} as const;
type Who = keyof typeof ACCOUNTS;

let ui: BrowserStack;
let base: string;

beforeAll(async () => {
  ui = await startBrowserStack({ taskQueue: TASK_QUEUE, accounts: ACCOUNTS, password: PASSWORD });
  base = ui.base;
});

afterAll(async () => {
  await ui?.close();
});

async function signIn(who: Who, screenshot?: string): Promise<Page> {
  return ui.signIn(ACCOUNTS[who].username, PASSWORD, screenshot);
}

const queueRow = (page: Page, nocId: string) => page.locator('tbody tr', { hasText: nocId });

describe('the NOC admin UI in a browser', () => {
  it('takes a NOC from request to approval through the browser, and keeps everyone else out', async () => {
    // The public home page needs no sign-in and links to the API description.
    const visitor = await ui.context();
    const home = await visitor.newPage();
    await home.goto('/');
    await expect(home.getByRole('link', { name: 'the OpenAPI document' }).getAttribute('href')).resolves.toBe('/openapi.json');

    // A PSE lands on its entity's home and requests a NOC there; an incomplete form comes back with the error next to the field and the values kept.
    const pse = await signIn('pse', 'login.png');
    await pse.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Request a NOC' }).click();
    await pse.waitForURL('**/ui/entity/nocs/new');
    await pse.getByLabel('Deviation', { exact: true }).selectOption('on-premises-hosting');
    await pse.getByLabel('What do you ask for?').fill('Keep the payroll system on premises');
    await pse.getByLabel('Class of the data concerned').selectOption('restricted');
    await pse.getByLabel('Systems concerned').fill('payroll\nhr-archive');
    await pse.getByLabel('Duration in months').fill('6');
    await pse.getByRole('button', { name: 'Submit request' }).click();
    await expect(pse.locator('#noc-justification-error').textContent()).resolves.toContain('required');
    await expect(pse.getByLabel('What do you ask for?').inputValue()).resolves.toBe('Keep the payroll system on premises');
    await expectAccessible(pse);
    await pse.getByLabel('Why is it needed?').fill('Migration is scheduled for next quarter');
    await pse.getByRole('button', { name: 'Submit request' }).click();
    await pse.waitForURL(/\/ui\/entity\/nocs\/NOC-[^/?]+\?done=requested$/);
    const nocId = decodeURIComponent(/\/ui\/entity\/nocs\/([^/?]+)/.exec(pse.url())?.[1] as string);
    await expect(pse.getByRole('status').textContent()).resolves.toContain('Your NOC request has been recorded');
    await expect(pse.locator('ol.timeline').textContent()).resolves.toContain('Requested the NOC — MoITT Officer');

    // A reviewer sees it in the queue and claims it; another reviewer then sees who holds it.
    const reviewer = await signIn('reviewer');
    await reloadUntil(reviewer, async () => (await queueRow(reviewer, nocId).count()) === 1);
    await queueRow(reviewer, nocId).getByRole('button', { name: /^Claim/ }).click();
    await expect(queueRow(reviewer, nocId).textContent()).resolves.toContain('Claimed by you');
    await reviewer.screenshot({ path: join(SCREENSHOTS, 'queue.png'), fullPage: true });
    const other = await signIn('reviewer2');
    await reloadUntil(other, async () => (await queueRow(other, nocId).count()) === 1);
    await expect(queueRow(other, nocId).textContent()).resolves.toContain('Claimed by Rania Reviewer');
    await expect(queueRow(other, nocId).getByRole('button', { name: /^Claim/ }).count()).resolves.toBe(0);

    // The reviewer starts the review and recommends; reasons are required, and a refused form keeps its values.
    await queueRow(reviewer, nocId).getByRole('link', { name: nocId }).click();
    await reviewer.getByRole('button', { name: 'Start review' }).click();
    await expect(reviewer.getByRole('status').textContent()).resolves.toContain('The review has started');
    await reviewer.getByRole('radio', { name: 'Approve' }).check();
    await reviewer.getByRole('button', { name: 'Record recommendation' }).click();
    await expect(reviewer.locator('#act-recommend-reasons-error').textContent()).resolves.toContain('Enter the reasons');
    await expect(reviewer.getByRole('radio', { name: 'Approve' }).isChecked()).resolves.toBe(true);
    await reviewer.getByLabel('Reasons').fill('Justified for one more quarter');
    await reviewer.getByRole('button', { name: 'Record recommendation' }).click();
    await expect(reviewer.getByRole('status').textContent()).resolves.toContain('Your recommendation has been recorded');
    await expect(reviewer.getByRole('button', { name: 'Record recommendation' }).count()).resolves.toBe(0);

    // The director decides; a second, stale copy of the case page is told who already decided.
    const director = await signIn('director');
    await reloadUntil(director, async () => (await queueRow(director, nocId).count()) === 1);
    await queueRow(director, nocId).getByRole('link', { name: nocId }).click();
    await director.screenshot({ path: join(SCREENSHOTS, 'case.png'), fullPage: true });
    const stale = await director.context().newPage();
    await stale.goto(`/ui/nocs/${nocId}`);
    await director.getByRole('radio', { name: 'Approve' }).check();
    await director.getByLabel('Reasons', { exact: true }).fill('Agreed with the reviewer');
    await director.getByRole('button', { name: 'Record decision' }).click();
    await expect(director.getByRole('status').textContent()).resolves.toContain('Your decision has been recorded');
    await expect(director.locator('h1 .status').textContent()).resolves.toBe('Active');
    await stale.getByRole('radio', { name: 'Approve' }).check();
    await stale.getByLabel('Reasons', { exact: true }).fill('Approving from a second tab');
    await stale.getByRole('button', { name: 'Record decision' }).click();
    await expect(stale.locator('#act-decide-decision-error').textContent()).resolves.toContain('already approved by Dawood Director');
    await expect(stale.getByLabel('Reasons', { exact: true }).inputValue()).resolves.toBe('Approving from a second tab');

    // The case leaves the queue and is in the register as active, on screen and in the CSV.
    await director.goto('/ui/queue');
    await reloadUntil(director, async () => (await queueRow(director, nocId).count()) === 0);
    await director.goto('/ui/nocs?status=active');
    await reloadUntil(director, async () => (await queueRow(director, nocId).count()) === 1);
    await expect(queueRow(director, nocId).textContent()).resolves.toContain('Active');
    await director.screenshot({ path: join(SCREENSHOTS, 'register.png'), fullPage: true });
    const csv = await director.context().request.get('/ui/nocs.csv?status=active');
    expect(csv.headers()['content-type']).toContain('text/csv');
    expect(await csv.text()).toMatch(new RegExp(`^${nocId},active,pse-moitt,federal,on-premises-hosting,restricted,`, 'm'));

    // The approved NOC counts in the public adoption figures: charts with their tables of numbers.
    const figures = await visitor.newPage();
    await figures.goto('/adoption');
    await reloadUntil(figures, async () => (await figures.locator('table caption').count()) > 0);
    await expect(figures.locator('main > p').first().textContent()).resolves.toMatch(/[1-9]\d* NOCs in force/);
    await figures.screenshot({ path: join(SCREENSHOTS, 'adoption.png'), fullPage: true });

    // A provincial officer of another province never sees it.
    const sindh = await signIn('sindh');
    await expect(queueRow(sindh, nocId).count()).resolves.toBe(0);
    const hidden = await sindh.goto(`/ui/nocs/${nocId}`);
    expect(hidden?.status()).toBe(404);
    await sindh.goto('/ui/nocs');
    await expect(sindh.locator('main').textContent()).resolves.not.toContain(nocId);

    // The auditor reads the global event log and each event as stored.
    const auditor = await signIn('auditor');
    await auditor.getByRole('link', { name: 'Event log' }).click();
    await expect(auditor.locator('tbody').textContent()).resolves.toContain('NocApproved');
    await auditor.screenshot({ path: join(SCREENSHOTS, 'audit-log.png'), fullPage: true });
    await auditor.goto(`/ui/audit/log?type=Recommended`);
    await expect(auditor.locator('tbody tr').count()).resolves.toBe(1);
    await auditor.goto(`/ui/nocs/${nocId}`);
    await expect(auditor.locator('details summary').first().textContent()).resolves.toContain('NocRequested, as stored');

    // Nothing changes state without the form's token: not anonymously, not with a live session either.
    const body = 'decision=reject&reasons=forged';
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const anonymous = await fetch(`${base}/ui/nocs/${nocId}/revoke`, { method: 'POST', headers: form, body, redirect: 'manual' });
    expect(anonymous.status).toBe(403);
    const forged = await director.context().request.post(`/ui/nocs/${nocId}/revoke`, { headers: form, data: 'reasons=forged', maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    await director.goto(`/ui/nocs/${nocId}`);
    await expect(director.locator('h1 .status').textContent()).resolves.toBe('Active');

    // Signing out ends the session: the back button and the old cookie lead to the sign-in page.
    const oldCookie = (await director.context().cookies()).find((c) => c.name === 'co_session')?.value as string;
    await director.getByRole('button', { name: 'Sign out' }).click();
    await director.waitForURL('**/ui/login?reason=signed-out');
    await director.goBack();
    expect(director.url()).toContain('/ui/login');
    const replayed = await fetch(`${base}/ui/queue`, { headers: { cookie: `co_session=${oldCookie}` }, redirect: 'manual' });
    expect(replayed.status).toBe(303);
    expect(replayed.headers.get('location')).toMatch(/^\/ui\/login/);
  });

  it('shows every page it went through without the browser blocking anything under the content security policy', () => {
    expect(ui.cspViolations).toEqual([]);
  });
});
