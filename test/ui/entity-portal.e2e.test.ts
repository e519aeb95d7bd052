import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadConfig } from '../../config/config';
import { createFrameworkLibrary } from '../../config/framework';
import { allCriteria } from '../../domain/framework/schema';
import { apiClient, type ApiClient } from '../support/api-client';
import { mailBody, mailHeader, startSmtp, type TestSmtpServer } from '../support/smtp';
import { SCREENSHOTS, reloadUntil, startBrowserStack, type BrowserStack } from './browser-stack';

/**
 * The entity portal in a real headless Chromium over the real stack: an entity requests a NOC choosing
 * the offering from the accredited list, the office approves it, and the entity records a procurement
 * after reading the procurement check's answer, then sees it on its home page. The NOC is granted for
 * a week and a few seconds, so the office's 7-day expiry reminder (NOC_REMINDER_DAYS' default) falls
 * due moments later: it arrives by email through a real SMTP server the test runs (SMTP_URL), and
 * the entity reads it in its inbox.
 */
const PASSWORD = 'a long enough password';
const DAY = 86_400_000;
const OFFICER_EMAIL = 'officer@moitt.gov.pk';
const CSP_ID = 'csp-nimbus';
const ACCOUNTS = {
  pse: { username: 'moitt', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'MoITT Officer', email: OFFICER_EMAIL },
  csp: { username: 'nimbus', role: 'csp', jurisdiction: 'federal', organisationId: CSP_ID, displayName: 'Nimbus representative' },
  reviewer: { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  security: { username: 'saima', role: 'security-reviewer', jurisdiction: 'federal', displayName: 'Saima Security' },
  director: { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
} as const;
/** The office's side goes through the API; the entity alone uses the browser (a TOTP code works once). */
const { pse: _entity, ...OFFICE } = ACCOUNTS;
type Office = keyof typeof OFFICE;

const frameworks = createFrameworkLibrary(loadConfig({}).framework);
const scores = (): Record<string, number> => Object.fromEntries(allCriteria(frameworks.load('1.0')).map((c) => [c.id, c.minimum.intermediate]));

let smtp: TestSmtpServer;
let ui: BrowserStack;
let api: ApiClient<Office>;

beforeAll(async () => {
  smtp = await startSmtp();
  ui = await startBrowserStack({ taskQueue: 'ui-entity-portal', accounts: ACCOUNTS, password: PASSWORD, configEnv: { SMTP_URL: smtp.url } });
  api = await apiClient(ui.stack, OFFICE, PASSWORD);
});

afterAll(async () => {
  await ui?.close();
  await smtp?.close();
});

/** Nimbus Government Cloud, accredited at the intermediate baseline for data up to restricted. */
async function accreditedOffering(): Promise<void> {
  await api.ok('POST', '/api/csps', 'csp', { cspId: CSP_ID, name: 'Nimbus Cloud (Pvt) Ltd', registrationNumber: '0123456', contact: { name: 'Ayesha Khan', email: 'compliance@nimbus.example.pk' } });
  await api.ok('POST', `/api/csps/${CSP_ID}/offerings`, 'csp', {
    offeringId: 'off-gov',
    name: 'Nimbus Government Cloud',
    serviceModels: ['IaaS', 'PaaS'],
    deploymentModel: 'government',
    dataCentres: [{ city: 'Islamabad', country: 'PK' }],
  });
  const submitted = await api.ok('POST', '/api/accreditations', 'csp', { offeringId: 'off-gov', requestedBaseline: 'intermediate', evidence: [{ kind: 'iso-27001', reference: 'IS 712345' }] });
  const id = (submitted.state as { application: { applicationId: string } }).application.applicationId;
  const step = (path: string, who: Office, body: unknown = {}) => api.ok('POST', `/api/accreditations/${id}/${path}`, who, body);
  await step('start-screening', 'reviewer');
  await step('complete-screening', 'reviewer', { notes: 'Complete' });
  await step('score', 'reviewer', { scores: scores(), rationale: 'Evidence reviewed' });
  await step('security-review', 'security', { outcome: 'passed', notes: 'Penetration test clean' });
  await step('decide', 'director', { decision: 'approve', baseline: 'intermediate', highestDataClass: 'restricted', reasons: 'Meets the baseline' });
  await api.projected();
}

const row = (page: Page, text: string) => page.locator('tbody tr', { hasText: text });

describe('the entity portal in a browser', () => {
  it('takes an entity from a NOC request, chosen from the accredited list, to a procurement it recorded after reading the check and an expiry reminder by email', async () => {
    await accreditedOffering();
    // The entity's officer lands on the entity's home at sign-in.
    const entity = await ui.signIn(ACCOUNTS.pse.username, PASSWORD);
    await entity.getByRole('link', { name: 'Request a NOC' }).last().click();
    await entity.waitForURL('**/ui/entity/nocs/new');

    // The offering field suggests the accredited list; the search finds it by the provider's name.
    const suggestions = entity.locator('#noc-offeringId-list option');
    await expect(suggestions.first().getAttribute('value')).resolves.toBe('off-gov');
    await entity.getByRole('link', { name: 'search the accredited list' }).click();
    await entity.getByLabel('Provider or offering name').fill('nimbus');
    await entity.getByRole('button', { name: 'Search' }).click();
    await entity.getByRole('link', { name: 'Choose Nimbus Government Cloud' }).click();
    await expect(entity.getByRole('combobox', { name: /Cloud offering/ }).inputValue()).resolves.toBe('off-gov');

    await entity.getByLabel('Deviation', { exact: true }).selectOption('non-accredited-offering');
    await entity.getByLabel('What do you ask for?').fill('Confidential case files on the government cloud');
    await entity.getByLabel('Why is it needed?').fill('No offering is accredited for confidential data yet');
    await entity.getByLabel('Class of the data concerned').selectOption('confidential');
    await entity.getByLabel('Systems concerned').fill('case-files');
    await entity.getByLabel('Duration in months').fill('6');
    await entity.getByRole('button', { name: 'Submit request' }).click();
    await entity.waitForURL(/\/ui\/entity\/nocs\/NOC-[^/?]+\?done=requested$/);
    const nocId = decodeURIComponent(/\/ui\/entity\/nocs\/([^/?]+)/.exec(entity.url())?.[1] as string);
    await expect(entity.locator('ol.timeline').textContent()).resolves.toContain('Requested the NOC — MoITT Officer');

    // The office reviews and approves it, for a week: the 7-day reminder falls due seconds after.
    await api.ok('POST', `/api/nocs/${nocId}/start-review`, 'reviewer', {});
    await api.ok('POST', `/api/nocs/${nocId}/recommend`, 'reviewer', { recommendation: 'approve', reasons: 'Justified', conditions: ['Encrypt the case files at rest'] });
    await api.ok('POST', `/api/nocs/${nocId}/decide`, 'director', {
      decision: 'approve',
      reasons: 'Agreed with the reviewer',
      validUntil: new Date(Date.now() + 7 * DAY + 15_000).toISOString(),
    });
    await api.projected();
    await entity.goto(`/ui/entity/nocs/${nocId}`);
    await expect(entity.locator('h1 .status').textContent()).resolves.toBe('Active');
    await entity.screenshot({ path: join(SCREENSHOTS, 'entity-noc.png'), fullPage: true });

    // A procurement: the check's answer, with the entity's own NOC covering it, comes before the confirmation.
    await entity.goto('/ui/entity');
    await entity.getByRole('link', { name: 'Record a procurement' }).click();
    await entity.getByRole('combobox', { name: 'Offering' }).fill('Nimbus Government Cloud');
    await entity.getByLabel('Class of the data').selectOption('confidential');
    await entity.getByLabel('System', { exact: true }).fill('Case management');
    await entity.getByRole('button', { name: 'Check' }).click();
    await expect(entity.getByRole('status').textContent()).resolves.toContain(`Allowed by your NOC ${nocId}`);
    await expect(row(entity, 'Covers this').textContent()).resolves.toContain('Encrypt the case files at rest');
    await entity.screenshot({ path: join(SCREENSHOTS, 'entity-procurement-check.png'), fullPage: true });
    await entity.getByRole('button', { name: 'Confirm and record' }).click();
    await entity.waitForURL(/\/ui\/entity\/procurements\/proc-[^/?]+\?done=recorded$/);
    await expect(entity.getByRole('status').textContent()).resolves.toContain('The procurement has been recorded.');

    // Home: the NOC with its expiry, the procurement under it.
    await entity.getByRole('link', { name: 'Your entity' }).click();
    await reloadUntil(entity, async () => ((await row(entity, 'Case management').textContent()) ?? '').includes('Under a NOC in force'));
    await expect(row(entity, nocId).textContent()).resolves.toMatch(/Expires in [67] days/);
    await entity.screenshot({ path: join(SCREENSHOTS, 'entity-home.png'), fullPage: true });

    // The expiry reminder reaches the officer's address through the SMTP server...
    const subject = `NOC ${nocId}: expiry reminder`;
    const reminder = async () => smtp.received.find((m) => mailHeader(m.raw, 'Subject') === subject);
    const deadline = Date.now() + 60_000;
    while (!(await reminder()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const mail = await reminder();
    expect(mail?.to).toEqual([OFFICER_EMAIL]);
    expect(mailBody(mail?.raw ?? '')).toMatch(new RegExp(`^NOC ${nocId} expires on \\d{4}-\\d{2}-\\d{2}, in 7 days\\. Complete the migration or request an extension before then\\.$`));

    // ...and waits in the entity's inbox.
    await entity.getByRole('link', { name: /^Inbox/ }).click();
    await entity.getByRole('heading', { name: subject }).waitFor();
    await entity.screenshot({ path: join(SCREENSHOTS, 'inbox.png'), fullPage: true });
    expect(ui.cspViolations).toEqual([]);
  });
});
