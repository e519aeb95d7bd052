import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startStack, type Stack } from '../support/stack';
import { landingFor } from '../../ui/context';
import { allPagesChecked, checkEveryPage, expectAccessible } from './axe';

/** Where the browser tests save the screenshots the README shows. */
export const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');

/**
 * The real stack and Debian's headless Chromium, started together. Each person signs in in a browser
 * context of their own: their own cookies, as on their own machine. Every page is checked for
 * accessibility (WCAG 2.1 AA, axe-core) as it is reached.
 */
export interface BrowserStack {
  stack: Stack;
  browser: Browser;
  base: string;
  /** A fresh context on the app; closed with the stack. */
  context(): Promise<BrowserContext>;
  signIn(username: string, password: string, screenshot?: string): Promise<Page>;
  /** What the browser reported blocking under the content security policy, on any page of any context. */
  cspViolations: string[];
  close(): Promise<void>;
}

export async function startBrowserStack(options: Parameters<typeof startStack>[0]): Promise<BrowserStack> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const [stack, browser] = await Promise.all([
    startStack(options),
    chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    }),
  ]);
  const contexts: BrowserContext[] = [];
  const cspViolations: string[] = [];
  const context = async (): Promise<BrowserContext> => {
    const c = await browser.newContext({ baseURL: stack.base });
    // Every document any page of any test shows is checked with axe, however it was reached (test/ui/axe.ts).
    c.on('page', checkEveryPage);
    c.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(`${message.location().url}: ${message.text()}`);
    });
    contexts.push(c);
    return c;
  };
  return {
    stack,
    browser,
    base: stack.base,
    context,
    cspViolations,
    async signIn(username, password, screenshot) {
      const page = await (await context()).newPage();
      await page.goto('/ui/login');
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password').fill(password);
      if (screenshot) await page.screenshot({ path: join(SCREENSHOTS, screenshot), fullPage: true });
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('Code').fill(stack.totp.code(username));
      await expectAccessible(page);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const account = stack.identity.findAccount(username);
      if (!account?.role) throw new Error(`${username} has no role in force`);
      await page.waitForURL(`**${landingFor(account.role)}`);
      return page;
    },
    async close() {
      // A page the last steps reached but nothing read is still checked, and its violations still fail the run.
      const checked = allPagesChecked();
      await checked.catch(() => undefined);
      for (const c of contexts) await c.close();
      await browser.close();
      await stack.close();
      await checked;
    },
  };
}

/** The read models follow the event store within moments; reload the page until they have. */
export async function reloadUntil(page: Page, check: () => Promise<boolean>, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${page.url()} did not show the expected state within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
    await page.reload();
  }
}
