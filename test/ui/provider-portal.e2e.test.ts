import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadConfig } from '../../config/config';
import { createFrameworkLibrary } from '../../config/framework';
import { periodEnd, periodOf } from '../../domain/compliance/period';
import { allCriteria } from '../../domain/framework/schema';
import { apiClient, type ApiClient } from '../support/api-client';
import { skipTo, timeSkippingEnv } from '../support/temporal';
import { timeSkippingApiDeps } from '../support/time-skipping-stack';
import { SCREENSHOTS, reloadUntil, startBrowserStack, type BrowserStack } from './browser-stack';

/**
 * A provider's whole part in a real headless Chromium, over the real stack: it asks to be registered
 * without an account, an administrator approves, its contact signs in (enrolling an authenticator),
 * adds an offering and applies with the framework's criteria on the page; the office's staff take the
 * application to accredited through the API; then the provider meets the monthly report form and
 * requests a significant change that moves its data centres, which the office approves.
 *
 * A monthly report is owed for a month once it has ended, from the month of the grant on; nobody may
 * backdate a grant, so the month passes on Temporal's time-skipping test server (the rest of the stack
 * as in production) and the provider then reports on it. One scenario per file: a second long case in
 * the same file hangs the time-skipping server.
 */
const TASK_QUEUE = 'ui-provider-portal';
const PASSWORD = 'a long enough password';
const PROVIDER_PASSWORD = 'Nimbus’s own long password';
const DAY = 86_400_000;
const ACCOUNTS = {
  admin: { username: 'amna', role: 'admin', jurisdiction: 'federal', displayName: 'Amna Admin' },
  reviewer: { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  security: { username: 'saima', role: 'security-reviewer', jurisdiction: 'federal', displayName: 'Saima Security' },
  director: { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
} as const;
type Who = keyof typeof ACCOUNTS;
const criteria = allCriteria(createFrameworkLibrary(loadConfig({}).framework).load('1.0'));

let ui: BrowserStack;
let api: ApiClient<Who>;

beforeAll(async () => {
  ui = await startBrowserStack({ taskQueue: TASK_QUEUE, accounts: ACCOUNTS, password: PASSWORD, env: timeSkippingEnv(), apiDeps: timeSkippingApiDeps });
  api = await apiClient(ui.stack, ACCOUNTS, PASSWORD);
});

afterAll(async () => {
  await ui?.close();
});

const status = (page: Page) => page.getByRole('status').textContent();
const main = (page: Page) => page.locator('main').textContent();

describe('the provider portal in the browser', () => {
  it('goes from a registration request to an accredited offering, its first monthly report and an approved significant change', async () => {
    // A provider without an account asks to be registered; a mistyped email is named and the rest kept.
    const visitor = await (await ui.context()).newPage();
    await visitor.goto('/');
    await visitor.getByRole('link', { name: 'Register as a provider' }).click();
    await visitor.getByLabel('Organisation name').fill('Nimbus Cloud (Pvt) Ltd');
    await visitor.getByLabel('SECP registration number').fill('0123456');
    await visitor.getByLabel('Contact person').fill('Nadia Nimbus');
    await visitor.getByLabel('Contact email').fill('nadia at nimbus');
    await visitor.getByLabel('Username you want').fill('nadia');
    await visitor.getByRole('button', { name: 'Send the request' }).click();
    await expect(visitor.locator('#registration-contactEmail-error').textContent()).resolves.toBe('Contact email: must be an email address');
    await expect(visitor.getByLabel('Organisation name').inputValue()).resolves.toBe('Nimbus Cloud (Pvt) Ltd');
    await visitor.getByLabel('Contact email').fill('nadia@nimbus.example.pk');
    await visitor.screenshot({ path: join(SCREENSHOTS, 'provider-registration.png'), fullPage: true });
    await visitor.getByRole('button', { name: 'Send the request' }).click();
    await visitor.getByRole('heading', { name: 'Registration request sent' }).waitFor();

    // An administrator approves it: the provider enters the register and its contact's first password is shown once.
    const admin = await ui.signIn(ACCOUNTS.admin.username, PASSWORD);
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Provider registrations' }).click();
    await expect(main(admin)).resolves.toContain('Nimbus Cloud (Pvt) Ltd');
    await expect(admin.getByLabel('Register id').inputValue()).resolves.toBe('csp-nimbus-cloud-pvt-ltd');
    await admin.getByLabel('Register id').fill('csp-nimbus');
    await admin.getByRole('button', { name: 'Approve and create the account' }).click();
    await admin.getByRole('heading', { name: 'Provider registered' }).waitFor();
    const firstPassword = ((await admin.locator('#generated-password').textContent()) ?? '').trim();
    expect(firstPassword.length).toBeGreaterThanOrEqual(12);

    // The contact signs in with it, enrolling an authenticator and choosing a password of its own, and lands on the provider's home.
    const provider = await (await ui.context()).newPage();
    await provider.goto('/ui/login');
    await provider.getByLabel('Username').fill('nadia');
    await provider.getByLabel('Password').fill(firstPassword);
    await provider.getByRole('button', { name: 'Sign in' }).click();
    await provider.getByRole('heading', { name: 'Set up your authenticator' }).waitFor();
    ui.stack.totp.remember('nadia', ((await provider.locator('#mfa-secret').textContent()) ?? '').replace(/\s/g, ''));
    await provider.getByLabel('New password', { exact: true }).fill(PROVIDER_PASSWORD);
    await provider.getByLabel('New password again', { exact: true }).fill(PROVIDER_PASSWORD);
    await provider.getByLabel('Code').fill(ui.stack.totp.code('nadia'));
    await provider.getByRole('button', { name: 'Confirm and sign in' }).click();
    await provider.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    await provider.getByRole('link', { name: 'Continue' }).click();
    await provider.waitForURL('**/ui/provider');
    await provider.getByRole('heading', { name: 'Nimbus Cloud (Pvt) Ltd' }).waitFor();

    // It adds an offering.
    await provider.getByLabel('Offering id').fill('off-gov');
    await provider.getByLabel('Name', { exact: true }).fill('Nimbus Government Cloud');
    await provider.getByLabel('Service models').fill('IaaS, PaaS');
    await provider.getByLabel('Deployment model').selectOption('government');
    await provider.getByLabel('Data centres').fill('Islamabad, PK');
    await provider.getByRole('button', { name: 'Add the offering' }).click();
    await expect(status(provider)).resolves.toContain('The offering is added.');

    // It applies, with every criterion and the evidence expected on the page.
    await provider.getByRole('link', { name: 'Apply for accreditation' }).click();
    await expect(main(provider)).resolves.toContain('ISO/IEC 27001 certificate and Statement of Applicability');
    await expect(provider.locator('th[scope="row"]', { hasText: /^[A-Z]{2,5}-\d{2,3}/ }).count()).resolves.toBe(criteria.length);
    await provider.getByLabel('Offering').selectOption('off-gov');
    await provider.getByLabel('Baseline asked for').selectOption('enhanced');
    await provider.getByLabel('Document 1: kind').selectOption('iso-27001');
    await provider.getByLabel('Document 1: reference').fill('ISO/IEC 27001 certificate IS 712345 (SEC-01)');
    await provider.getByRole('button', { name: 'Submit the application' }).click();
    await provider.waitForURL(/\/ui\/accreditations\/ACC-/);
    const applicationId = decodeURIComponent(/\/ui\/accreditations\/([^/?]+)/.exec(provider.url())?.[1] as string);

    // The office's staff take it to accredited through the API.
    const step = (path: string, who: Who, body: unknown = {}) => api.ok('POST', `/api/accreditations/${applicationId}/${path}`, who, body);
    await step('start-screening', 'reviewer');
    await step('complete-screening', 'reviewer', { notes: 'Complete' });
    await step('score', 'reviewer', { scores: Object.fromEntries(criteria.map((c) => [c.id, c.minimum.enhanced])), rationale: 'Evidence reviewed' });
    await step('security-review', 'security', { outcome: 'passed', notes: 'Penetration test clean' });
    await step('decide', 'director', { decision: 'approve', baseline: 'intermediate', highestDataClass: 'restricted', reasons: 'Meets the intermediate baseline' });

    // The home shows the offering accredited, its hosting locked behind a significant change, and its monitoring.
    await provider.goto('/ui/provider');
    await reloadUntil(provider, async () => (await provider.locator('tbody tr', { hasText: 'off-gov' }).first().textContent())?.includes('Accredited') ?? false);
    await reloadUntil(provider, async () => (await provider.getByRole('link', { name: 'Submit a monthly report' }).count()) === 1);
    await provider.screenshot({ path: join(SCREENSHOTS, 'provider-home.png'), fullPage: true });

    // The monthly report form goes to the monitoring process: the month of the grant has not ended, so its report is refused on the form.
    await provider.getByRole('link', { name: 'Submit a monthly report' }).click();
    const grantMonth = periodOf(new Date(await ui.stack.env.currentTimeMs()).toISOString());
    await provider.getByLabel('Month reported on').fill(grantMonth);
    await provider.getByLabel('Summary').fill('No incidents; patching on schedule');
    await provider.getByLabel('Moderate vulnerabilities open').fill('2');
    await provider.getByRole('button', { name: 'Submit the report' }).click();
    await expect(provider.locator('#report-period-error').textContent()).resolves.toBe(`Month reported on: The period ${grantMonth} has not ended yet`);
    await expect(provider.getByLabel('Summary').inputValue()).resolves.toBe('No incidents; patching on schedule');

    // The month ends (an hour into the next, its report not yet late); the same report is now recorded.
    await skipTo(ui.stack.env, Date.parse(periodEnd(grantMonth)) + 3_600_000);
    await provider.getByLabel('Month reported on').fill(grantMonth);
    await provider.getByRole('button', { name: 'Submit the report' }).click();
    await provider.waitForURL('**/ui/provider?done=report');
    await expect(status(provider)).resolves.toContain('The monthly report is recorded.');

    // A significant change moves the data centres, with the notice the policy asks for.
    await provider.goto('/ui/provider');
    await provider.getByRole('link', { name: 'Request a significant change' }).first().click();
    await expect(provider.getByLabel('Accreditation').inputValue()).resolves.toBe(applicationId);
    await provider.getByLabel('Kind of change').selectOption('data-centre-location');
    await provider.getByLabel('What changes').fill('A second data centre in Karachi');
    await provider.getByLabel('Planned for').fill(new Date((await ui.stack.env.currentTimeMs()) + 60 * DAY).toISOString().slice(0, 10));
    await provider.getByLabel('New data centres').fill('Islamabad, PK\nKarachi, PK');
    await provider.getByRole('button', { name: 'Send the request' }).click();
    await expect(status(provider)).resolves.toContain('The significant change request is sent');
    await reloadUntil(provider, async () => /CHG-\d{4}-[0-9A-Z]{8}: Data centre location, Requested/.test((await main(provider)) ?? ''));
    const changeId = /(CHG-\d{4}-[0-9A-Z]{8}): Data centre location/.exec((await main(provider)) ?? '')?.[1] as string;

    // The office approves it; the register applies it, and the home shows the new data centres.
    await api.ok('POST', `/api/changes/${changeId}/recommend`, 'reviewer', { recommendation: 'approve', reasons: 'Same controls in Karachi' });
    await api.ok('POST', `/api/changes/${changeId}/decide`, 'director', { decision: 'approve', reasons: 'Approved' });
    await reloadUntil(provider, async () => (await provider.locator('tbody tr', { hasText: 'off-gov' }).first().textContent())?.includes('Karachi (PK)') ?? false);
    expect(ui.cspViolations).toEqual([]);
  });
});
