import { DomainError } from '../../domain/shared/errors';
import { FakeEventStore, FakeNocGateway } from '../api/fakes';
import type { InjectBrowser } from './inject-browser';
import { NOC_PAGE_PEOPLE, seedNocUnderReview } from './noc-under-review';
import { openPageHarness, type PageHarness } from './page-harness';

/**
 * Issue 14, "nothing doubled", for the UI's forms: a form carries its command id (ui/forms.ts), and a
 * form sent again with it — a double click, a resend after a lost answer, a late back-button post — is
 * answered with its first redirect from the API's idempotency record, without reaching the process;
 * the same command id with other fields is refused; a refused form frees its id for the corrected one.
 */
const NOC = 'NOC-2026-RESENDUI';

let page: PageHarness;
let gateway: FakeNocGateway;

beforeEach(async () => {
  gateway = new FakeNocGateway();
  const store = new FakeEventStore();
  page = await openPageHarness({
    name: 'form-resend-pages',
    people: NOC_PAGE_PEOPLE,
    deps: ({ identity }) => {
      seedNocUnderReview(identity, NOC, gateway, store);
      return { nocGateway: gateway, eventStore: store as never };
    },
  });
});

afterEach(() => page.close());

const casePage = `/ui/nocs/${NOC}`;
const acts = (): unknown[] => gateway.calls.filter((c) => c.method === 'act').map((c) => c.args[1]);

async function post(browser: InjectBrowser, form: Record<string, string>) {
  return browser.request('POST', `${casePage}/request-information`, { _csrf: await browser.csrf(casePage), ...form });
}

describe('UI forms sent again with their command id', () => {
  it('answer a form sent again with its first redirect, taking it once', async () => {
    const reviewer = await page.signedIn('rania');
    const typed = { commandId: '5b0e8a52-8f3c-4d7e-9a61-0c2f4b7d9e13', questions: 'Which region will host the replica?' };
    const first = await post(reviewer, typed);
    expect(first.statusCode).toBe(303);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post(reviewer, typed);
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(acts()).toEqual([expect.objectContaining({ type: 'RequestInformation', commandId: typed.commandId })]);
  });

  it('refuse the same command id with other fields, reaching no process', async () => {
    const reviewer = await page.signedIn('rania');
    const commandId = '0a4c2e6f-1b3d-4f5a-8c7e-9d0b1a2c3e4f';
    expect((await post(reviewer, { commandId, questions: 'Which region?' })).statusCode).toBe(303);
    const reused = await post(reviewer, { commandId, questions: 'Something else entirely?' });
    expect(reused.statusCode).toBe(422);
    expect(reused.body).toContain(`Idempotency-Key ${commandId} already names another request of yours`);
    expect(acts()).toHaveLength(1);
  });

  it('take a form the process refused once it is sent again, corrected, with the same command id', async () => {
    const reviewer = await page.signedIn('rania');
    const commandId = '7e1d3c5b-9a2f-4e6d-8b0c-1f3a5c7e9b2d';
    gateway.failNext = new DomainError('NOC_WRONG_STATE', `NOC ${NOC} is not under review`);
    const refused = await post(reviewer, { commandId, questions: 'Which region?' });
    expect(refused.statusCode).toBe(409);
    const corrected = await post(reviewer, { commandId, questions: 'Which region, and when?' });
    expect(corrected.statusCode).toBe(303);
    expect(corrected.headers['idempotent-replayed']).toBeUndefined();
    expect(acts()).toHaveLength(2);
  });
});
