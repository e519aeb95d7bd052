import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadConfig } from '../../config/config';
import { createFrameworkLibrary } from '../../config/framework';
import { allCriteria } from '../../domain/framework/schema';
import { SCREENSHOTS, reloadUntil, startBrowserStack, type BrowserStack } from './browser-stack';
import { apiClient, type ApiClient } from '../support/api-client';

/**
 * Compliance reviews in a real headless Chromium, over the real stack: an offering is accredited through
 * the API, then a reviewer opens an incident review from the accreditation page, requests evidence, the
 * CSP answers, the reviewer assesses a high finding, and the remediation lands in the reviewer's queue
 * with its deadline, never in the director's.
 */
const TASK_QUEUE = 'ui-reviews';
const PASSWORD = 'a long enough password';
const CSP_ID = 'csp-nimbus';
const ACCOUNTS = {
  csp: { username: 'nimbus', role: 'csp', jurisdiction: 'federal', organisationId: CSP_ID, displayName: 'Nimbus Representative' },
  reviewer: { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  security: { username: 'saima', role: 'security-reviewer', jurisdiction: 'federal', displayName: 'Saima Security' },
  director: { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
} as const;
type Who = keyof typeof ACCOUNTS;
const criteria = allCriteria(createFrameworkLibrary(loadConfig({}).framework).load('1.0'));

let ui: BrowserStack;
let api: ApiClient<Who>;

beforeAll(async () => {
  ui = await startBrowserStack({ taskQueue: TASK_QUEUE, accounts: ACCOUNTS, password: PASSWORD });
  api = await apiClient(ui.stack, ACCOUNTS, PASSWORD);
});

afterAll(async () => {
  await ui?.close();
});

/** The API calls that set the scene; an action without a payload sends an empty one. */
const ok = (method: string, path: string, who: Who, body: unknown = {}): Promise<Record<string, unknown>> => api.ok(method, path, who, body);

const row = (page: Page, text: string) => page.locator('tbody tr', { hasText: text });
const status = (page: Page) => page.getByRole('status').textContent();

describe('compliance reviews in the browser', () => {
  it('opens an incident review from the accreditation page, requests evidence, assesses a high finding and queues its verification for reviewers only, with its deadline', async () => {
    // An application of Nimbus reaches assessment through the API.
    await ok('POST', '/api/csps', 'csp', {
      cspId: CSP_ID,
      name: 'Nimbus Cloud (Pvt) Ltd',
      registrationNumber: '0123456',
      contact: { name: 'Ayesha Khan', email: 'compliance@nimbus.example.pk' },
    });
    await ok('POST', `/api/csps/${CSP_ID}/offerings`, 'csp', {
      offeringId: 'off-gov',
      name: 'Nimbus Government Cloud',
      serviceModels: ['IaaS', 'PaaS'],
      deploymentModel: 'government',
      dataCentres: [{ city: 'Islamabad', country: 'PK' }],
    });
    const submitted = await ok('POST', '/api/accreditations', 'csp', {
      offeringId: 'off-gov',
      requestedBaseline: 'enhanced',
      evidence: [{ kind: 'iso-27001', reference: 'ISO/IEC 27001 certificate IS 712345' }],
    });
    const id = (submitted.state as { application: { applicationId: string } }).application.applicationId;
    const step = (path: string, who: Who, body: unknown = {}) => ok('POST', `/api/accreditations/${id}/${path}`, who, body);
    await step('start-screening', 'reviewer');
    await step('complete-screening', 'reviewer', { notes: 'Complete' });

    // A score form sent without any score says so, and the message describes every score input.
    const reviewer = await ui.signIn(ACCOUNTS.reviewer.username, PASSWORD);
    await reviewer.goto(`/ui/accreditations/${id}`);
    await reviewer.getByLabel('Rationale').fill('Nothing yet');
    await reviewer.getByRole('button', { name: 'Record scores' }).click();
    await expect(reviewer.locator('#act-score-scores-error').textContent()).resolves.toBe('Score at least one criterion');
    const firstInput = reviewer.locator(`#act-score-score-${(criteria[0] as { id: string }).id}`);
    await expect(firstInput.getAttribute('aria-describedby')).resolves.toMatch(/(^| )act-score-scores-error( |$)/);

    // The rest of the way to the grant, through the API.
    await step('score', 'reviewer', { scores: Object.fromEntries(criteria.map((c) => [c.id, c.minimum.enhanced])), rationale: 'Evidence reviewed' });
    await step('security-review', 'security', { outcome: 'passed', notes: 'Penetration test clean' });
    await step('decide', 'director', { decision: 'approve', baseline: 'intermediate', highestDataClass: 'restricted', reasons: 'Meets the intermediate baseline' });

    // The reviewer opens an incident review from the accreditation page.
    await reviewer.reload();
    await expect(reviewer.locator('h1 .status').textContent()).resolves.toBe('Accredited');
    await reviewer.getByRole('button', { name: 'Open review' }).click();
    await expect(reviewer.locator('#act-open-review-trigger-error').textContent()).resolves.toContain('Choose why');
    await reviewer.getByRole('radio', { name: 'Incident' }).check();
    await reviewer.getByLabel('What happened').fill('Islamabad data centre outage of 12 hours on 20 November');
    await reviewer.getByRole('button', { name: 'Open review' }).click();
    await reviewer.waitForURL(/\/ui\/reviews\/[^/?]+\?done=opened$/);
    const reviewId = decodeURIComponent(/\/ui\/reviews\/([^/?]+)/.exec(reviewer.url())?.[1] as string);
    await expect(status(reviewer)).resolves.toContain('The review has been opened');
    await expect(reviewer.locator('h1 .status').textContent()).resolves.toBe('Opened');
    await expect(reviewer.getByRole('link', { name: id }).count()).resolves.toBe(1);

    // It waits in the reviewer's queue, where it is claimed, and the reviewer requests evidence.
    await reviewer.goto('/ui/queue?case=review');
    await reloadUntil(reviewer, async () => (await row(reviewer, reviewId).count()) === 1);
    await expect(row(reviewer, reviewId).textContent()).resolves.toContain('Request evidence');
    await row(reviewer, reviewId).getByRole('button', { name: /^Claim/ }).click();
    await expect(row(reviewer, reviewId).textContent()).resolves.toContain('Claimed by you');
    await row(reviewer, reviewId).getByRole('link', { name: reviewId }).click();
    await reviewer.getByLabel('Evidence requested').fill('The incident report and the failover test records of the last year');
    await reviewer.getByRole('button', { name: 'Request evidence' }).click();
    await expect(status(reviewer)).resolves.toContain('The evidence has been requested');
    await expect(reviewer.locator('h1 .status').textContent()).resolves.toBe('Evidence requested');

    // The CSP sends the evidence from the review page.
    const csp = await ui.signIn(ACCOUNTS.csp.username, PASSWORD);
    await csp.goto(`/ui/reviews/${reviewId}`);
    await csp.getByLabel('Summary of the evidence').fill('Incident report IR-2026-11 and failover test records');
    await csp.getByLabel('Documents').fill('IR-2026-11\nFailover tests 2026');
    await csp.getByRole('button', { name: 'Submit evidence' }).click();
    await expect(status(csp)).resolves.toContain('Your evidence has been submitted');

    // The reviewer assesses: one high finding, entered in the fixed rows.
    await reviewer.reload();
    await expect(reviewer.locator('h1 .status').textContent()).resolves.toBe('Evidence submitted');
    await reviewer.getByLabel('Assessment summary').fill('Failover was never tested for the Islamabad site');
    await reviewer.getByLabel('Finding 1 title').fill('No failover test in twelve months');
    await reviewer.getByLabel('Finding 1 severity').selectOption('high');
    await reviewer.getByRole('button', { name: 'Record assessment' }).click();
    await expect(status(reviewer)).resolves.toContain('Your assessment has been recorded');
    await expect(reviewer.locator('h1 .status').textContent()).resolves.toBe('Remediation');
    const finding = reviewer.locator('table.findings tbody tr', { hasText: 'F1' });
    await expect(finding.textContent()).resolves.toMatch(/No failover test in twelve months\s*High/);
    const deadline = (await finding.locator('time').getAttribute('datetime')) as string;
    expect(deadline).toMatch(/^\d{4}-\d\d-\d\dT/);
    await expect(reviewer.locator('ol.timeline').textContent()).resolves.toMatch(/Assessed the review: 1 finding — Rania Reviewer/);

    // The CSP submits remediation evidence; its verification is queued for reviewers, due within their
    // service level (SERVICE_LEVELS review.verify-remediation), which falls before the finding's deadline.
    await csp.reload();
    await csp.getByLabel('Finding', { exact: true }).selectOption('F1');
    await csp.getByLabel('What was remediated, and the evidence').fill('Failover tested on 25 November; report FT-2026-11');
    await csp.getByRole('button', { name: 'Submit remediation evidence' }).click();
    await expect(status(csp)).resolves.toContain('Your remediation evidence has been submitted');

    await reviewer.goto('/ui/queue');
    await reloadUntil(reviewer, async () => (await row(reviewer, 'Verify remediation').count()) === 1);
    const verify = row(reviewer, 'Verify remediation');
    await expect(verify.textContent()).resolves.toContain(reviewId);
    const due = (await verify.locator('td').nth(5).locator('time').getAttribute('datetime')) as string;
    expect(Date.parse(due)).toBeGreaterThan(Date.now());
    expect(Date.parse(due)).toBeLessThan(Date.parse(deadline));
    await verify.getByRole('button', { name: /^Claim/ }).click();
    await expect(row(reviewer, 'Verify remediation').textContent()).resolves.toContain('Claimed by you');
    await row(reviewer, 'Verify remediation').getByRole('link', { name: reviewId }).click();
    await expect(reviewer.locator('main').textContent()).resolves.toContain('Nimbus Government Cloud (off-gov)');
    await expect(reviewer.getByRole('button', { name: 'Record verification' }).count()).resolves.toBe(1);
    await expect(reviewer.getByRole('button', { name: 'Request evidence' }).count()).resolves.toBe(0);
    await reviewer.screenshot({ path: join(SCREENSHOTS, 'review.png'), fullPage: true });

    // A director has nothing of the review's to do: the verification shows only among the tasks the staff
    // hold (which a director may reassign), held by the reviewer; the offering is on the compliance dashboard.
    const director = await ui.signIn(ACCOUNTS.director.username, PASSWORD);
    const ownTasks = director.locator('main table').filter({ has: director.locator('caption', { hasText: 'Open tasks' }) });
    await expect(ownTasks.filter({ hasText: reviewId }).count()).resolves.toBe(0);
    const held = director.getByRole('table', { name: 'Tasks held by staff' });
    await expect(held.getByRole('row').filter({ hasText: reviewId }).textContent()).resolves.toContain('Verify remediation');
    await director.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Compliance' }).click();
    await reloadUntil(director, async () => (await row(director, 'Nimbus Government Cloud').count()) === 1);
    await reloadUntil(director, async () => ((await row(director, 'Nimbus Government Cloud').textContent()) ?? '').includes(reviewId));
    await expect(row(director, 'Nimbus Government Cloud').textContent()).resolves.toMatch(/Incident, Remediation/);
    await director.screenshot({ path: join(SCREENSHOTS, 'compliance-dashboard.png'), fullPage: true });
  });
});
