import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

/**
 * Accessibility checks with axe-core in the browser tests: every page a test reaches is checked
 * against WCAG 2.1 A and AA, and a serious or critical violation fails the test where it happened.
 * The browser stack hooks `checkEveryPage` into every page it opens.
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

/** What is known of one page's checks: the queue they run in, and a failure no action has reported yet. */
interface PageChecks {
  queue: Promise<void>;
  failure?: AccessibilityViolations;
}
const checksOf = new WeakMap<Page, PageChecks>();
/** The address of every document checked so far, in order, for tests that show a page was reached and checked. */
const checked: string[] = [];
export const checkedPages = (): readonly string[] => [...checked];

/** A page's scripts never set this; the check sets it on the document it has checked, so each is checked once. */
const CHECKED = '__accessibilityChecked';

/** The document was replaced while it was being checked (the test or the page moved on); the next one is checked on its own. */
const isGone = (err: unknown): boolean =>
  err instanceof Error && /Execution context was destroyed|Target (page, context or browser )?(has been )?closed|navigat/i.test(err.message);

/** Checks the page's current document unless it already was; a failure is kept for the test's next step. */
async function checkCurrent(page: Page, checks: PageChecks): Promise<void> {
  if (page.isClosed()) return;
  try {
    if (await page.evaluate(`window.${CHECKED} === true`)) return;
    await page.waitForLoadState('load');
    if ((await page.evaluate('document.contentType')) !== 'text/html') return;
    // A new page's empty document before its first navigation is nothing anybody is shown.
    if (page.url() === 'about:blank' && (await page.evaluate('!document.body || document.body.childElementCount === 0'))) return;
    const found = await accessibilityViolations(page);
    await page.evaluate(`window.${CHECKED} = true`);
    checked.push(page.url());
    if (found.length > 0) checks.failure ??= new AccessibilityViolations(`${page.url()} is not accessible:\n  ${found.join('\n  ')}`);
  } catch (err) {
    if (!isGone(err)) throw err;
  }
}

/** Queues a check of the current document behind those already asked for, and reports any failure so far. */
async function settle(page: Page): Promise<void> {
  const checks = checksOf.get(page);
  if (!checks) return;
  checks.queue = checks.queue.then(() => checkCurrent(page, checks));
  await checks.queue;
  const failure = checks.failure;
  if (failure) {
    checks.failure = undefined;
    throw failure;
  }
}

/** Every step a test takes on a page through a locator: each first settles the checks of the document it acts on. */
const LOCATOR_STEPS = [
  'click', 'dblclick', 'tap', 'hover', 'focus', 'fill', 'clear', 'press', 'pressSequentially', 'type', 'check', 'uncheck', 'setChecked',
  'selectOption', 'setInputFiles', 'textContent', 'innerText', 'innerHTML', 'inputValue', 'isChecked', 'isVisible', 'getAttribute',
  'count', 'allTextContents', 'allInnerTexts', 'evaluate', 'waitFor',
] as const;
const KEYBOARD_STEPS = ['press', 'type', 'insertText', 'down', 'up'] as const;
let locatorsWrapped = false;

/** Locators share one prototype across pages: it is wrapped once, and each call finds its page's checks. */
function wrapLocators(page: Page): void {
  if (locatorsWrapped) return;
  locatorsWrapped = true;
  const proto = Object.getPrototypeOf(page.locator('html')) as Record<string, unknown>;
  for (const name of LOCATOR_STEPS) {
    const original = proto[name];
    if (typeof original !== 'function') continue;
    proto[name] = async function (this: { page(): Page }, ...args: unknown[]) {
      await settle(this.page());
      return (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    };
  }
}

/**
 * Makes every document the page shows checked once, however the browser got there: a goto, a reload,
 * a link or a form's button clicked (a refusal shown again with what was typed, the page after a
 * redirect), a key pressed, the page reloading itself. Each document is checked when it has loaded,
 * and before any step of the test acts on it or reads it, so a violation fails the test at the next
 * step with the rule, its impact and the elements. goto, reload and waitForURL resolve only once the
 * page they reach is checked, and a screenshot checks first. A page that answers with something other
 * than HTML (a feed, a file) is not checked. `allPagesChecked` reports what no step has reported yet.
 */
export function checkEveryPage(page: Page): void {
  const checks: PageChecks = { queue: Promise.resolve() };
  checksOf.set(page, checks);
  opened.push(page);
  wrapLocators(page);
  page.on('load', () => {
    checks.queue = checks.queue.then(() => checkCurrent(page, checks)).catch((err: unknown) => {
      checks.failure ??= new AccessibilityViolations(`${page.url()} could not be checked: ${String(err)}`);
    });
  });
  const goto = page.goto.bind(page);
  const reload = page.reload.bind(page);
  const waitForURL = page.waitForURL.bind(page);
  const screenshot = page.screenshot.bind(page);
  page.goto = async (...args) => {
    await settle(page);
    const response = await goto(...args);
    await settle(page);
    return response;
  };
  page.reload = async (...args) => {
    await settle(page);
    const response = await reload(...args);
    await settle(page);
    return response;
  };
  page.waitForURL = async (...args) => {
    await waitForURL(...args);
    await settle(page);
  };
  page.screenshot = async (...args) => {
    await settle(page);
    return screenshot(...args);
  };
  const keyboard = page.keyboard as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (const name of KEYBOARD_STEPS) {
    const original = keyboard[name]?.bind(page.keyboard);
    if (!original) continue;
    keyboard[name] = async (...args: unknown[]) => {
      await settle(page);
      return original(...args);
    };
  }
}

const opened: Page[] = [];

/** Waits for the checks of every page still open, and fails with any violation no step has reported. */
export async function allPagesChecked(): Promise<void> {
  const pages = opened.splice(0);
  const failures: string[] = [];
  for (const page of pages) {
    try {
      await settle(page);
    } catch (err) {
      failures.push(err instanceof Error ? err.message : String(err));
    }
  }
  if (failures.length > 0) throw new AccessibilityViolations(failures.join('\n'));
}
