import { createStorageGuard } from '../../api/storage-guard';
import { FakeEventStore, FakeNocGateway } from '../api/fakes';
import type { InjectBrowser } from './inject-browser';
import { NOC_PAGE_PEOPLE, seedNocUnderReview } from './noc-under-review';
import { openPageHarness, type PageHarness } from './page-harness';

/**
 * Issue 14 follow-up: the storage guard covers the UI's forms as it covers the API. While the event
 * store has less room than its reserve, a form post is refused before it reaches a gateway, with a
 * page that says what happened and keeps what was typed (a form that sends it again); signing in and
 * out still work. Once room is back the kept form is taken, once.
 */
const NOC = 'NOC-2026-FULLDISK';
const RESERVE = 64 * 1024;
const FULL_MESSAGE = /The event store has no space left \(1 KiB free, below the 64 KiB kept for running processes\); nothing was done; try again once space is freed/;

let page: PageHarness;
let gateway: FakeNocGateway;
let store: FakeEventStore;
/** What the store says it has left; the tests fill and free it. */
let spaceLeft: number;

beforeEach(async () => {
  spaceLeft = 10 * 1024 * 1024;
  gateway = new FakeNocGateway();
  store = new FakeEventStore();
  page = await openPageHarness({
    name: 'storage-full-pages',
    people: NOC_PAGE_PEOPLE,
    deps: ({ identity }) => {
      seedNocUnderReview(identity, NOC, gateway, store);
      const storageGuard = createStorageGuard({ spaceLeft: async () => spaceLeft }, RESERVE);
      return { nocGateway: gateway, eventStore: store as never, storageGuard };
    },
  });
});

afterEach(() => page.close());

/** The kept form's fields, as a browser would send them on "Send again". */
function keptForm(body: string): { action: string; fields: Record<string, string> } {
  const form = /<h2>What you typed<\/h2>[\s\S]*?<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(body);
  if (!form) throw new Error('no kept form on the page');
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[input[1]!] = decode(input[2]!);
  return { action: decode(form[1]!), fields };
}
const decode = (s: string): string => s.replace(/&#10;/g, '\n').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

const writes = (): string[] => gateway.calls.filter((c) => c.method !== 'state').map((c) => c.method);

async function post(browser: InjectBrowser, formPage: string, url: string, form: Record<string, string>) {
  return browser.request('POST', url, { _csrf: await browser.csrf(formPage), ...form });
}

describe('UI forms while the event store is full', () => {
  it("refuse a reviewer's recommendation with a page saying so and keeping what was typed, write nothing, and take the kept form once room is back", async () => {
    const reviewer = await page.signedIn('rania');
    const casePage = `/ui/nocs/${NOC}`;
    expect((await reviewer.request('GET', casePage)).body).toContain(`action="${casePage}/recommend"`);
    const eventsBefore = (await store.readStream(`noc-${NOC}`)).length;

    spaceLeft = 1024;
    const typed = { commandId: 'b6f7a0c2-5d1e-4c1a-9f3e-2a7d8c9e0f11', recommendation: 'approve', reasons: 'Migration is planned & funded', conditions: 'Quarterly report\nExit by June' };
    const refused = await post(reviewer, casePage, `${casePage}/recommend`, typed);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.body).toContain('<h1>Not done: try again later</h1>');
    expect(refused.body).toMatch(FULL_MESSAGE);
    expect(refused.body).toContain('Migration is planned &amp; funded');
    expect(writes()).toEqual([]);
    expect((await store.readStream(`noc-${NOC}`)).length).toBe(eventsBefore);
    const kept = keptForm(refused.body);
    expect(kept).toEqual({ action: `${casePage}/recommend`, fields: { ...typed, _csrf: expect.any(String) } });

    spaceLeft = 10 * 1024 * 1024;
    const sent = await reviewer.request('POST', kept.action, kept.fields);
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe(`${casePage}?done=recommend`);
    expect(gateway.calls.filter((c) => c.method === 'act').map((c) => c.args)).toEqual([
      [NOC, expect.objectContaining({ type: 'Recommend', commandId: typed.commandId, data: { recommendation: 'approve', reasons: typed.reasons, conditions: ['Quarterly report', 'Exit by June'] } })],
    ]);
  });

  it("refuse an entity's NOC request the same way, starting nothing, and let the officer sign out and in meanwhile", async () => {
    let officer = await page.signedIn('parveen');
    const formPage = '/ui/entity/nocs/new';
    spaceLeft = 1024;
    const typed = {
      commandId: '0d8f3c1e-7a2b-4e5f-8c9d-1b2a3c4d5e6f',
      deviation: 'on-premises-hosting',
      description: 'Keep the payroll system on premises',
      justification: 'Migration is scheduled for next quarter',
      dataClass: 'restricted',
      systems: 'payroll',
      requestedMonths: '6',
    };
    const refused = await post(officer, formPage, '/ui/entity/nocs', typed);
    expect(refused.statusCode).toBe(503);
    expect(refused.body).toMatch(FULL_MESSAGE);
    expect(refused.body).toContain('Keep the payroll system on premises');
    expect(writes()).toEqual([]);
    const kept = keptForm(refused.body);

    // Signing out and in write no case: they are taken while the store is full.
    expect((await officer.request('POST', '/ui/logout', { _csrf: await officer.csrf('/ui/entity') })).statusCode).toBe(303);
    officer = await page.signedIn('parveen');

    spaceLeft = 10 * 1024 * 1024;
    const sent = await officer.request('POST', kept.action, { ...kept.fields, _csrf: await officer.csrf(formPage) });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toMatch(/^\/ui\/entity\/nocs\/NOC-TEST-0001\?done=requested$/);
    expect(gateway.calls.filter((c) => c.method === 'request').map((c) => c.args[2])).toEqual([typed.commandId]);
  });
});
