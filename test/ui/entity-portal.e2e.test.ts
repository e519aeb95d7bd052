import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadConfig } from '../../config/config';
import { createFrameworkLibrary } from '../../config/framework';
import { allCriteria } from '../../domain/framework/schema';
import { apiClient, type ApiClient } from '../support/api-client';
import { SCREENSHOTS, reloadUntil, startBrowserStack, type BrowserStack } from './browser-stack';

/**
 * The entity portal in a real headless Chromium over the real stack: an entity requests a NOC choosing
 * the offering from the accredited list, the office approves it, and the entity records a procurement
 * after reading the procurement check's answer, then sees it on its home page.
 */
const PASSWORD = 'a long enough password';
const CSP_ID = 'csp-nimbus';
const ACCOUNTS = {
  pse: { username: 'moitt', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'MoITT Officer' },
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

let ui: BrowserStack;
let api: ApiClient<Office>;

beforeAll(async () => {
  ui = await startBrowserStack({ taskQueue: 'ui-entity-portal', accounts: ACCOUNTS, password: PASSWORD });
  api = await apiClient(ui.stack, OFFICE, PASSWORD);
});

afterAll(async () => {
  await ui?.close();
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
  it('takes an entity from a NOC request, chosen from the accredited list, to a procurement it recorded after reading the check', async () => {
    await accreditedOffering();
    const entity = await ui.signIn(ACCOUNTS.pse.username, PASSWORD);
    await entity.getByRole('link', { name: 'My entity' }).click();
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

    // The office reviews and approves it.
    await api.ok('POST', `/api/nocs/${nocId}/start-review`, 'reviewer', {});
    await api.ok('POST', `/api/nocs/${nocId}/recommend`, 'reviewer', { recommendation: 'approve', reasons: 'Justified', conditions: ['Encrypt the case files at rest'] });
    await api.ok('POST', `/api/nocs/${nocId}/decide`, 'director', { decision: 'approve', reasons: 'Agreed with the reviewer' });
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
    await expect(row(entity, nocId).textContent()).resolves.toMatch(/Expires in 1\d\d days/);
    await entity.screenshot({ path: join(SCREENSHOTS, 'entity-home.png'), fullPage: true });
    expect(ui.cspViolations).toEqual([]);
  });
});
