import { join } from 'node:path';
import { NOC_REQUEST } from '../api/harness';
import { apiClient, type ApiClient } from '../support/api-client';
import { eventually } from '../support/noc-lifecycle';
import { expectAccessible } from './axe';
import { SCREENSHOTS, startBrowserStack, type BrowserStack } from './browser-stack';

/**
 * The operators' page in a real headless Chromium, over the real stack with its processes' metrics and
 * samplers wired as their main.ts wire them (sampling every second here): after a scripted NOC
 * lifecycle (one NOC approved and left to expire on its own timer, one under review, one submitted in
 * Punjab) the director finds the timer's lateness, the lag, the outbox and the open cases per province
 * charted, each with its figures as text, and the page passes axe.
 */
const TASK_QUEUE = 'ui-operations';
const PASSWORD = 'a long enough password';
const ACCOUNTS = {
  pse: { username: 'moitt', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'MoITT Officer' },
  punjab: { username: 'pitb', role: 'pse', jurisdiction: 'punjab', organisationId: 'pse-pitb', displayName: 'PITB Officer' },
  reviewer: { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  director: { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
} as const;
type Who = keyof typeof ACCOUNTS;

let ui: BrowserStack;
let api: ApiClient<Who>;

beforeAll(async () => {
  ui = await startBrowserStack({ taskQueue: TASK_QUEUE, accounts: ACCOUNTS, password: PASSWORD, metrics: true, configEnv: { OPERATIONS_SAMPLE_SECONDS: '1' } });
  api = await apiClient(ui.stack, ACCOUNTS, PASSWORD);
});

afterAll(async () => {
  await ui?.close();
});

async function requestNoc(who: Who): Promise<string> {
  const created = await api.ok('POST', '/api/nocs', who, NOC_REQUEST);
  return (created.state as { request: { nocId: string } }).request.nocId;
}

describe('the operations page in the browser', () => {
  it("shows the director the last day of timer lateness, lag, the outbox and open cases per province after a NOC's lifecycle", async () => {
    const expiring = await requestNoc('pse');
    await api.ok('POST', `/api/nocs/${expiring}/start-review`, 'reviewer', {});
    await api.ok('POST', `/api/nocs/${expiring}/recommend`, 'reviewer', { recommendation: 'approve', reasons: 'Justified' });
    await api.ok('POST', `/api/nocs/${expiring}/decide`, 'director', { decision: 'approve', reasons: 'Agreed', validUntil: new Date(Date.now() + 2000).toISOString() });
    const pending = await requestNoc('pse');
    await api.ok('POST', `/api/nocs/${pending}/start-review`, 'reviewer', {});
    await requestNoc('punjab');
    await eventually(async () => {
      const nocs = (await api.ok('GET', '/api/nocs?limit=500', 'director')) as { items: { nocId: string; status: string }[] };
      expect(nocs.items.find((n) => n.nocId === expiring)?.status).toBe('expired');
    }, 20_000);
    await api.projected();
    await ui.stack.sampleOperations?.();

    const director = await ui.signIn(ACCOUNTS.director.username, PASSWORD);
    await director.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operations' }).click();
    await director.waitForURL('**/ui/operations');
    await expectAccessible(director);
    await expect(director.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Operations');

    // The expiry timer fired once: its lateness is charted, and the figures say so in words.
    const timer = director.getByRole('figure', { name: 'noc.expiry: greatest lateness per interval' });
    await expect(timer.getByRole('img', { name: 'noc.expiry: greatest lateness per interval' }).count()).resolves.toBe(1);
    await expect(timer.locator('dt', { hasText: 'Fired, last day' }).locator('+ dd').textContent()).resolves.toBe('1');
    // Every read model caught up at the last sampling.
    await expect(director.getByRole('figure', { name: 'Worst read model' }).locator('dt', { hasText: 'Now' }).locator('+ dd').textContent()).resolves.toMatch(/^0 s /);
    const lagRows = director.getByRole('table', { name: 'Lag per read model' }).getByRole('row');
    await expect(lagRows.count()).resolves.toBeGreaterThan(5);
    await expect(director.getByRole('figure', { name: 'Notices not mailed yet' }).getByRole('img').count()).resolves.toBe(1);
    // Open cases per province: the federal NOC under review (the expired one is closed) and Punjab's submitted one.
    const now = (name: string) => director.getByRole('figure', { name }).locator('dt', { hasText: 'Now' }).locator('+ dd').textContent();
    await expect(now('NOCs, Federal')).resolves.toMatch(/^1 /);
    await expect(now('NOCs, Punjab')).resolves.toMatch(/^1 /);
    await expect(director.getByText('No samples yet').count()).resolves.toBe(0);

    await director.screenshot({ path: join(SCREENSHOTS, 'operations.png'), fullPage: true });
    expect(ui.cspViolations).toEqual([]);
  });
});
