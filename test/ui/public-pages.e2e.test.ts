import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { RecordedEvent } from '../../eventstore/port';
import { GOV_CLOUD, PUBLIC_CLOUD, addOffering, application, registerCsp } from '../projections/accredited-fixtures';
import { TestLog } from '../projections/support';
import { childrenNamed, readXml, type XmlTree } from '../support/xml-reader';
import { AccessibilityViolations, accessibilityViolations, expectAccessible } from './axe';
import { SCREENSHOTS, reloadUntil, startBrowserStack, type BrowserStack } from './browser-stack';

/**
 * Every public page in a real headless Chromium, over the real stack, each checked with axe-core by
 * the browser stack as it is reached: home, the accredited list, an offering's page, its change log
 * and Atom feed, the procurement check (a refused form keeps what was typed), adoption, the framework
 * and one of its versions; and the skip link works from the keyboard.
 */
const T0 = '2025-01-06T09:00:00.000Z';
const GRANTED = '2025-02-03T10:00:00.000Z';
const TERMS = { baseline: 'intermediate', highestDataClass: 'restricted', validFrom: GRANTED, validUntil: '2028-02-03T10:00:00.000Z' } as const;

let ui: BrowserStack;

/** A provider with two accredited offerings, one suspended and reinstated, the other revoked, appended as the processes would have. */
async function seedHistory(): Promise<void> {
  const log = new TestLog();
  registerCsp(log, 'csp-one', 'One Cloud (Pvt) Ltd', T0);
  addOffering(log, 'csp-one', GOV_CLOUD, T0);
  addOffering(log, 'csp-one', PUBLIC_CLOUD, T0);
  application(log, 'app-1')
    .submit('csp-one', GOV_CLOUD, T0)
    .grant({ ...TERMS, conditions: ['Quarterly vulnerability report'] }, GRANTED)
    .suspend('Breach <under> investigation', '2025-06-01T08:00:00.000Z')
    .reinstate('Breach remediated', '2025-07-01T08:00:00.000Z');
  application(log, 'app-2')
    .submit('csp-one', PUBLIC_CLOUD, T0)
    .grant({ ...TERMS, baseline: 'baseline', highestDataClass: 'public' }, GRANTED)
    .revoke('Data found abroad', '2025-12-01T00:00:00.000Z', '2025-08-01T08:00:00.000Z');
  const byStream = new Map<string, RecordedEvent[]>();
  for (const event of log.events) byStream.set(event.stream, [...(byStream.get(event.stream) ?? []), event]);
  for (const [stream, events] of byStream) {
    await ui.stack.store.append(stream, events.map(({ id, type, data, metadata }) => ({ id, type, data, metadata })), 'no-stream');
  }
}

beforeAll(async () => {
  ui = await startBrowserStack({ taskQueue: 'ui-public', accounts: {}, password: 'a long enough password' });
  await seedHistory();
});

afterAll(async () => {
  await ui?.close();
});

const text = (page: Page) => page.locator('main').innerText();

describe('the public pages in the browser', () => {
  it('shows every public page, accessible and usable by keyboard, with the offering page and the Atom feed', async () => {
    const visitor = await (await ui.context()).newPage();

    // Home, and the skip link: the first Tab reaches it, visibly focused, and Enter moves to the content.
    await visitor.goto('/');
    await visitor.keyboard.press('Tab');
    await expect(visitor.evaluate('document.activeElement.textContent')).resolves.toBe('Skip to main content');
    await expect(visitor.evaluate('getComputedStyle(document.activeElement).outlineStyle')).resolves.not.toBe('none');
    await visitor.keyboard.press('Enter');
    await expect(visitor.evaluate('document.activeElement.id')).resolves.toBe('main');

    // The accredited list, from the home page, with the feed announced; then the offering's own page.
    await visitor.getByRole('link', { name: 'The accredited list', exact: true }).click();
    await visitor.waitForURL('**/accredited-list');
    await reloadUntil(visitor, async () => (await visitor.getByRole('link', { name: 'Sovereign Gov Cloud' }).count()) === 1);
    const feedHref = await visitor.locator('link[rel="alternate"][type="application/atom+xml"]').getAttribute('href');
    expect(feedHref).toBe('/accredited-list/changes.atom');
    await expect(visitor.getByRole('link', { name: 'Follow the changes (Atom feed)' }).getAttribute('href')).resolves.toBe(feedHref);
    await visitor.getByRole('link', { name: 'Sovereign Gov Cloud' }).click();
    await visitor.waitForURL('**/offerings/off-gov');
    const offering = await text(visitor);
    expect(offering).toContain('One Cloud (Pvt) Ltd');
    expect(offering).toMatch(/Security baseline\s+Intermediate/);
    expect(offering).toContain('Up to Restricted: Open, Public, Restricted');
    expect(offering).toContain('Quarterly vulnerability report');
    expect(offering).toContain('Breach <under> investigation');
    await visitor.screenshot({ path: join(SCREENSHOTS, 'offering.png'), fullPage: true });

    // The feed, as a subscriber's reader gets it: well-formed Atom (the browser's own XML parser agrees), one entry per change.
    await expect(visitor.getByRole('link', { name: "Follow this offering's changes (Atom feed)" }).getAttribute('href')).resolves.toBe(
      '/accredited-list/changes.atom?offering=off-gov',
    );
    const feed = await visitor.request.get(feedHref as string);
    expect(feed.status()).toBe(200);
    expect(feed.headers()['content-type']).toBe('application/atom+xml; charset=utf-8');
    const xml = await feed.text();
    const parsed = (await visitor.evaluate(
      `(() => { const d = new DOMParser().parseFromString(${JSON.stringify(xml)}, 'application/xml');
        return { errors: d.getElementsByTagName('parsererror').length, entries: d.getElementsByTagNameNS('http://www.w3.org/2005/Atom', 'entry').length }; })()`,
    )) as { errors: number; entries: number };
    expect(parsed).toEqual({ errors: 0, entries: 5 });
    const entries = childrenNamed(readXml(xml), 'entry');
    expect(entries.map((e) => childrenNamed(e, 'title')[0]?.text)).toEqual([
      'Global Public Cloud accreditation revoked',
      'Sovereign Gov Cloud reinstated',
      'Sovereign Gov Cloud suspended',
      'Sovereign Gov Cloud accredited',
      'Global Public Cloud accredited',
    ]);
    expect(childrenNamed(entries[2] as XmlTree, 'link')[0]?.attributes.href).toBe(`${ui.stack.config.api.publicUrl}/offerings/off-gov`);

    // The change log, and the page of an offering whose accreditation ended, reached from it.
    await visitor.goto('/accredited-list/changes');
    await expect(text(visitor)).resolves.toContain('Data found abroad');
    await visitor.getByRole('link', { name: 'Global Public Cloud' }).first().click();
    await visitor.waitForURL('**/offerings/off-pub');
    await expect(text(visitor)).resolves.toContain('Not accredited. The accreditation was revoked');
    const missing = await visitor.goto('/offerings/no-such-offering');
    expect(missing?.status()).toBe(404);

    // The procurement check: a refused form keeps what was typed and links each problem to its field.
    await visitor.goto('/procurement-check');
    await visitor.getByLabel('Entity').fill('pse-moitt');
    await visitor.getByLabel('Offering').fill('off-gov');
    await visitor.getByLabel('Data class').selectOption('restricted');
    await visitor.getByLabel('At (optional)').fill('not a time');
    await visitor.getByRole('button', { name: 'Check' }).click();
    await visitor.waitForURL(/at=not\+a\+time/);
    await expect(visitor.getByLabel('Entity').inputValue()).resolves.toBe('pse-moitt');
    await expect(visitor.getByLabel('Offering').inputValue()).resolves.toBe('off-gov');
    await expect(visitor.getByLabel('Data class').inputValue()).resolves.toBe('restricted');
    await expect(visitor.getByLabel('At (optional)').inputValue()).resolves.toBe('not a time');
    await visitor.getByRole('link', { name: /^At:/ }).click();
    await expect(visitor.evaluate('document.activeElement.id')).resolves.toBe('pc-at');
    await visitor.keyboard.press('Control+A');
    await visitor.keyboard.press('Delete');
    await visitor.keyboard.press('Enter');
    await visitor.waitForURL(/at=$/);
    await expect(text(visitor)).resolves.toContain('Allowed');

    // Adoption, the framework in force, and one version's own page.
    await visitor.goto('/adoption');
    await visitor.goto('/frameworks');
    await visitor.getByRole('link', { name: '1.0', exact: true }).first().click();
    await visitor.waitForURL('**/frameworks/1.0');
    await expect(text(visitor)).resolves.toContain('Criteria');
    expect(ui.cspViolations).toEqual([]);
  });

  it('fails a page with a serious or critical violation, naming the rule and the element, at the first step taken on it however it was reached', async () => {
    const page = await (await ui.context()).newPage();
    await page.setContent('<!doctype html><html><head><title>Bad</title></head><body><main><img src="/nothing.png"><button></button></main></body></html>');
    await expect(page.locator('main').count()).rejects.toThrow(/critical image-alt: .* at \["img"\]/);
    const found = await accessibilityViolations(page);
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^critical image-alt: .* at \["img"\]$/), expect.stringMatching(/^critical button-name: /)]));
    await expect(expectAccessible(page)).rejects.toBeInstanceOf(AccessibilityViolations);
  });
});
