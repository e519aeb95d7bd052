import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadConfig } from '../../config/config';
import { createFrameworkLibrary } from '../../config/framework';
import { allCriteria } from '../../domain/framework/schema';
import { expectAccessible } from './axe';
import { SCREENSHOTS, reloadUntil, startBrowserStack, type BrowserStack } from './browser-stack';

/**
 * Accreditation in a real headless Chromium, over the real stack: a CSP registers and applies, a
 * reviewer screens and scores against the pinned framework, a security reviewer reviews, a director
 * approves, and the offering appears on the public accredited list.
 */
const TASK_QUEUE = 'ui-accreditation';
const PASSWORD = 'a long enough password';
const ACCOUNTS = {
  csp: { username: 'nimbus', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-nimbus', displayName: 'Nimbus Representative' },
  reviewer: { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  security: { username: 'saima', role: 'security-reviewer', jurisdiction: 'federal', displayName: 'Saima Security' },
  director: { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
  director2: { username: 'dua', role: 'director', jurisdiction: 'federal', displayName: 'Dua Director' },
} as const;
type Who = keyof typeof ACCOUNTS;
const criteria = allCriteria(createFrameworkLibrary(loadConfig({}).framework).load('1.0'));

let ui: BrowserStack;

beforeAll(async () => {
  ui = await startBrowserStack({ taskQueue: TASK_QUEUE, accounts: ACCOUNTS, password: PASSWORD });
});

afterAll(async () => {
  await ui?.close();
});

async function signIn(who: Who): Promise<Page> {
  return ui.signIn(ACCOUNTS[who].username, PASSWORD);
}

const row = (page: Page, text: string) => page.locator('tbody tr', { hasText: text });
const status = (page: Page) => page.getByRole('status').textContent();

describe('accreditation in the browser', () => {
  it('takes an application from registration through a question to the CSP, screening, scoring and review to approval and the public list, refusing the wrong people inline', async () => {
    // The CSP registers its organisation and an offering, then applies; a refused form keeps its values.
    const csp = await signIn('csp');
    await csp.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accreditations' }).click();
    await csp.getByRole('link', { name: 'Apply for accreditation' }).click();
    await csp.getByLabel('Organisation name').fill('Nimbus Cloud (Pvt) Ltd');
    await csp.getByLabel('SECP registration number').fill('0123456');
    await csp.getByLabel('Contact person').fill('Ayesha Khan');
    await csp.getByLabel('Contact email').fill('compliance@nimbus.example.pk');
    await csp.getByRole('button', { name: 'Register organisation' }).click();
    await expect(status(csp)).resolves.toContain('Your organisation is registered');
    await csp.getByLabel('Offering id').fill('off-gov');
    await csp.getByLabel('Offering name').fill('Nimbus Government Cloud');
    await csp.getByLabel('Service models').fill('IaaS, PaaS');
    await csp.getByLabel('Deployment model').selectOption('government');
    await csp.getByLabel('Data centres').fill('Islamabad, PK\nKarachi, PK');
    await csp.getByRole('button', { name: 'Add offering' }).click();
    await expect(status(csp)).resolves.toContain('The offering has been added');
    await csp.getByLabel('Offering', { exact: true }).selectOption('off-gov');
    await csp.getByLabel('Requested baseline').selectOption('enhanced');
    await csp.getByLabel('Evidence').fill('certificate without a kind');
    await csp.getByRole('button', { name: 'Submit application' }).click();
    await expect(csp.locator('#apply-evidence-error').textContent()).resolves.toContain('Evidence');
    await expect(csp.getByLabel('Requested baseline').inputValue()).resolves.toBe('enhanced');
    await expectAccessible(csp);
    await csp.getByLabel('Evidence').fill('iso-27001: ISO/IEC 27001 certificate IS 712345');
    await csp.getByRole('button', { name: 'Submit application' }).click();
    await csp.waitForURL(/\/ui\/accreditations\/ACC-[^/?]+\?done=submitted$/);
    const id = decodeURIComponent(/\/ui\/accreditations\/([^/?]+)/.exec(csp.url())?.[1] as string);
    await expect(csp.locator('h1 .status').textContent()).resolves.toBe('Submitted');
    await expect(csp.getByRole('button', { name: 'Start screening' }).count()).resolves.toBe(0);

    // A reviewer claims the screening task, screens, and scores every criterion of the pinned framework.
    const reviewer = await signIn('reviewer');
    await reloadUntil(reviewer, async () => (await row(reviewer, id).count()) === 1);
    await expect(row(reviewer, id).textContent()).resolves.toContain('Screen');
    await row(reviewer, id).getByRole('button', { name: /^Claim/ }).click();
    await expect(row(reviewer, id).textContent()).resolves.toContain('Claimed by you');
    await row(reviewer, id).getByRole('link', { name: id }).click();
    await reviewer.getByRole('button', { name: 'Start screening' }).click();
    await expect(status(reviewer)).resolves.toContain('Screening has started');

    // The reviewer asks for more; the CSP finds the question in its own queue and answers with further evidence.
    await reviewer.getByLabel('Questions').fill('Which certification covers the Karachi data centre?');
    await reviewer.getByRole('button', { name: 'Send questions' }).click();
    await expect(reviewer.locator('h1 .status').textContent()).resolves.toBe('Awaiting applicant');
    await csp.goto('/ui/queue');
    await reloadUntil(csp, async () => (await row(csp, id).count()) === 1);
    await expect(row(csp, id).textContent()).resolves.toContain('Answer questions');
    await row(csp, id).getByRole('link', { name: id }).click();
    await csp.getByLabel('Answer', { exact: true }).fill('Both data centres are covered by the SOC 2 report');
    await csp.getByLabel('Further evidence').fill('soc2: SOC 2 Type II report 2026');
    await csp.getByRole('button', { name: 'Send answer' }).click();
    await expect(status(csp)).resolves.toContain('Your answer has been sent');
    await reviewer.reload();
    await expect(reviewer.locator('table', { hasText: 'Evidence supplied' }).textContent()).resolves.toContain('SOC 2 Type II report 2026');
    await reviewer.getByLabel('Screening notes').fill('Evidence complete and in force');
    await reviewer.getByRole('button', { name: 'Complete screening' }).click();
    await expect(reviewer.locator('h1 .status').textContent()).resolves.toBe('Assessment');
    await expect(reviewer.locator('table.scores tbody tr').count()).resolves.toBe(criteria.length);
    for (const criterion of criteria) await reviewer.locator(`#act-score-score-${criterion.id}`).fill(String(criterion.minimum.enhanced));
    const first = criteria[0] as (typeof criteria)[number];
    await reviewer.locator(`#act-score-score-${first.id}`).fill('7');
    await reviewer.getByLabel('Rationale').fill('Evidence reviewed against every criterion');
    await reviewer.getByRole('button', { name: 'Record scores' }).click();
    await expect(reviewer.locator(`#act-score-score-${first.id}-error`).textContent()).resolves.toContain('whole number from 0 to 5');
    await expect(reviewer.getByLabel('Rationale').inputValue()).resolves.toBe('Evidence reviewed against every criterion');
    await expectAccessible(reviewer);
    await reviewer.locator(`#act-score-score-${first.id}`).fill(String(first.minimum.enhanced));
    await reviewer.screenshot({ path: join(SCREENSHOTS, 'accreditation-score.png'), fullPage: true });
    await reviewer.getByRole('button', { name: 'Record scores' }).click();
    await expect(status(reviewer)).resolves.toContain('Your scores have been recorded');
    await expect(reviewer.locator('main').textContent()).resolves.toContain('highest baseline met: Enhanced');
    await expect(reviewer.getByRole('button', { name: 'Record security review' }).count()).resolves.toBe(0);

    // The security reviewer finds the review in their queue and records it.
    const security = await signIn('security');
    await reloadUntil(security, async () => (await row(security, id).count()) === 1);
    await expect(row(security, id).textContent()).resolves.toContain('Security review');
    await row(security, id).getByRole('link', { name: id }).click();
    await security.getByRole('radio', { name: 'Passed' }).check();
    await security.getByLabel('Security review notes').fill('Penetration test clean');
    await security.getByRole('button', { name: 'Record security review' }).click();
    await expect(security.locator('h1 .status').textContent()).resolves.toBe('Decision');

    // A second director opens the application before the first decides; the first approves at intermediate, restricted.
    const director = await signIn('director');
    await reloadUntil(director, async () => (await row(director, id).count()) === 1);
    await expect(row(director, id).textContent()).resolves.toContain('Decide');
    await row(director, id).getByRole('link', { name: id }).click();
    const director2 = await signIn('director2');
    await director2.goto(`/ui/accreditations/${id}`);
    await director.getByRole('radio', { name: 'Approve' }).check();
    await director.getByLabel('Baseline granted').selectOption('intermediate');
    await director.getByLabel('Highest data class').selectOption('restricted');
    await director.getByLabel('Conditions').fill('Quarterly vulnerability report');
    await director.getByLabel('Reasons', { exact: true }).fill('Meets the intermediate baseline');
    await director.getByRole('button', { name: 'Record decision' }).click();
    await expect(status(director)).resolves.toContain('Your decision has been recorded');
    await expect(director.locator('h1 .status').textContent()).resolves.toBe('Accredited');
    await expect(director.getByRole('button', { name: 'Suspend' }).count()).resolves.toBe(1);
    await expect(director.locator('ol.timeline').textContent()).resolves.toMatch(
      /Granted accreditation at the intermediate baseline, up to restricted data — Dawood Director/,
    );
    await director.screenshot({ path: join(SCREENSHOTS, 'accreditation-case.png'), fullPage: true });

    await director2.getByRole('radio', { name: 'Approve' }).check();
    await director2.getByLabel('Baseline granted').selectOption('enhanced');
    await director2.getByLabel('Highest data class').selectOption('confidential');
    await director2.getByLabel('Reasons', { exact: true }).fill('Approving from a second desk');
    await director2.getByRole('button', { name: 'Record decision' }).click();
    await expect(director2.locator('#act-decide-decision-error').textContent()).resolves.toContain('already approved by Dawood Director');
    await expect(director2.getByLabel('Reasons', { exact: true }).inputValue()).resolves.toBe('Approving from a second desk');
    await expect(director2.locator('h1 .status').textContent()).resolves.toBe('Accredited');

    // A reviewer who sends a decision anyway is refused next to the decision, and nothing changes.
    await reviewer.goto(`/ui/accreditations/${id}`);
    const _csrf = (await reviewer.locator('input[name="_csrf"]').first().getAttribute('value')) as string;
    const refused = await reviewer.context().request.post(`/ui/accreditations/${id}/decide`, {
      form: { _csrf, decision: 'reject', reasons: 'Not my call' },
      maxRedirects: 0,
    });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toMatch(/id="act-decide-decision-error">Only a director may decide an application</);

    // The offering is on the public accredited list, with the granted terms.
    const visitor = await ui.context();
    const list = await visitor.newPage();
    await list.goto('/accredited-list');
    await reloadUntil(list, async () => (await row(list, 'Nimbus Government Cloud').count()) === 1);
    await expect(row(list, 'Nimbus Government Cloud').textContent()).resolves.toMatch(/intermediate/i);
    await list.screenshot({ path: join(SCREENSHOTS, 'accredited-list.png'), fullPage: true });

    // The application leaves the director's queue and is in everyone's list of applications.
    await director.goto('/ui/queue');
    await reloadUntil(director, async () => (await row(director, id).count()) === 0);
    await csp.goto('/ui/accreditations');
    await reloadUntil(csp, async () => (await row(csp, id).count()) === 1);
    await expect(row(csp, id).textContent()).resolves.toContain('Accredited');
  });
});
