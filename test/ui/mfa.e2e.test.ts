import { totpCode } from '../../identity';
import { seedAccount } from '../support/identity';
import { startBrowserStack, type BrowserStack } from './browser-stack';

/**
 * The second factor in a real headless Chromium: a new account's first sign-in, with the one-time
 * password an administrator gave it, enrols an authenticator (the page shows the secret; the test's
 * authenticator computes the code from it) and chooses the person's own password on the same form,
 * shows the recovery codes once, and every later sign-in asks for a code.
 */
const PASSWORD = 'a long enough password';
const ONE_TIME = 'the administrator’s one-time password';
const NEW_OFFICER = { username: 'nadia', role: 'provincial-officer', jurisdiction: 'sindh', displayName: 'Nadia Officer' } as const;

let ui: BrowserStack;

beforeAll(async () => {
  ui = await startBrowserStack({ taskQueue: 'ui-mfa', accounts: {}, password: PASSWORD });
  await seedAccount(ui.stack.identity, { ...NEW_OFFICER, password: ONE_TIME });
});

afterAll(async () => {
  await ui?.close();
});

describe('the second factor in the browser', () => {
  it('enrols at the first sign-in with a code from the shown secret, and asks for a code at the next', async () => {
    const page = await (await ui.context()).newPage();
    await page.goto('/ui/login');
    await page.getByLabel('Username').fill('nadia');
    await page.getByLabel('Password', { exact: true }).fill(ONE_TIME);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByRole('heading', { name: 'Set up your authenticator' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('New password again', { exact: true }).fill(PASSWORD);
    const secret = ((await page.locator('#mfa-secret').textContent()) ?? '').replace(/\s/g, '');
    expect(await page.locator('#mfa-uri').getAttribute('href')).toContain(`secret=${secret}`);
    ui.stack.totp.remember('nadia', secret);

    // A code of the secret, but an hour away: refused, and the page shows the secret again.
    await page.getByLabel('Code').fill(totpCode(secret, new Date(ui.stack.totp.now().getTime() + 3_600_000)));
    await page.getByRole('button', { name: 'Confirm and sign in' }).click();
    await page.getByText('That code is wrong or was used already.').first().waitFor();
    expect(((await page.locator('#mfa-secret').textContent()) ?? '').replace(/\s/g, '')).toBe(secret);

    // Password fields are never filled back in: the person types the new one again.
    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('New password again', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Code').fill(ui.stack.totp.code('nadia'));
    await page.getByRole('button', { name: 'Confirm and sign in' }).click();
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    const recoveryCodes = await page.locator('#recovery-codes li').allTextContents();
    expect(recoveryCodes).toHaveLength(10);
    await page.getByRole('link', { name: 'Continue' }).click();
    await page.waitForURL('**/ui/queue');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/ui/login?reason=signed-out');

    // The next sign-in, with the password she chose, asks for a code and shows no secret.
    await page.getByLabel('Username').fill('nadia');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    expect(await page.locator('#mfa-secret').count()).toBe(0);
    expect(await page.getByLabel('New password', { exact: true }).count()).toBe(0);
    await page.getByLabel('Code').fill(ui.stack.totp.code('nadia'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/ui/queue');
    expect(ui.cspViolations).toEqual([]);
  });
});
