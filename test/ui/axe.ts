import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

/**
 * Accessibility checks with axe-core in the browser tests: every page a test reaches is checked
 * against WCAG 2.1 A and AA, and a serious or critical violation fails the test where it happened.
 * The browser stack calls `expectAccessible` after each navigation (see `checkEveryPage`).
 */
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const FAILING = new Set(['serious', 'critical']);

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

export class AccessibilityViolations extends Error {
  override readonly name = 'AccessibilityViolations';
}

/** The serious and critical WCAG 2.1 AA violations on the page as it is now, one line per rule. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's content security policy does not govern.
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(
    `window.axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_21_AA)} }, resultTypes: ['violations'] }).then((r) => r.violations)`,
  )) as AxeViolation[];
  return violations
    .filter((v) => FAILING.has(v.impact ?? ''))
    .map((v) => `${v.impact} ${v.id}: ${v.help} — at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

export async function expectAccessible(page: Page): Promise<void> {
  const found = await accessibilityViolations(page);
  if (found.length > 0) throw new AccessibilityViolations(`${page.url()} is not accessible:\n  ${found.join('\n  ')}`);
}

/**
 * Makes every navigation of the page check the page it lands on: goto, reload and waitForURL resolve
 * only once it is checked, and a screenshot (the tests take one of each state they show) checks
 * first. A page that answers with something other than HTML (a feed, a file) is not checked.
 */
export function checkEveryPage(page: Page): void {
  const check = async (): Promise<void> => {
    const type = await page.evaluate('document.contentType');
    if (type === 'text/html') await expectAccessible(page);
  };
  const goto = page.goto.bind(page);
  const reload = page.reload.bind(page);
  const waitForURL = page.waitForURL.bind(page);
  const screenshot = page.screenshot.bind(page);
  page.goto = async (...args) => {
    const response = await goto(...args);
    await check();
    return response;
  };
  page.reload = async (...args) => {
    const response = await reload(...args);
    await check();
    return response;
  };
  page.waitForURL = async (...args) => {
    await waitForURL(...args);
    await check();
  };
  page.screenshot = async (...args) => {
    await check();
    return screenshot(...args);
  };
}
