import { createFrameworkRegister, type FrameworkRegister } from '../../api/framework-register';
import { MemoryStreams } from '../api/framework-register-store';
import { FRAMEWORK_1_0 } from '../domain/framework-fixtures';
import { nextFramework } from '../domain/framework-fixtures-register';
import type { InjectBrowser as Browser } from './inject-browser';
import { openPageHarness, type PageHarness } from './page-harness';

/** The directors' framework version pages and their queue tasks, through HTTP, over the real register on an in-memory store. */
const NEXT = JSON.stringify(nextFramework('1.1', '2027-01-01T00:00:00.000Z'), null, 2);

let register: FrameworkRegister;
let page: PageHarness;

beforeEach(async () => {
  register = createFrameworkRegister({ eventStore: new MemoryStreams(), genesis: FRAMEWORK_1_0, now: () => new Date('2026-12-01T09:00:00.000Z') });
  page = await openPageHarness({
    name: 'framework-versions',
    people: [
      { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
      { username: 'dua', role: 'director', jurisdiction: 'federal', displayName: 'Dua Director' },
      { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
    ],
    deps: () => ({ frameworkRegister: register }),
  });
});

afterEach(() => page.close());

const signedIn = (username: string) => page.signedIn(username);

async function propose(director: Browser): Promise<void> {
  const _csrf = await director.csrf('/ui/frameworks');
  const res = await director.request('POST', '/ui/frameworks', { _csrf, framework: NEXT, effectiveFrom: '', changes: 'Key rotation becomes a criterion', intent: 'propose' });
  expect(res.statusCode).toBe(303);
  expect(res.headers.location).toBe('/ui/frameworks/1.1?done=proposed');
}

describe("the directors' framework version pages", () => {
  it('preview a pasted version against the one in force without proposing it, then propose it', async () => {
    const director = await signedIn('dawood');
    const list = await director.request('GET', '/ui/frameworks');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('href="/ui/frameworks" aria-current="page"');
    expect(list.body).toContain('In force now: <strong>1.0</strong>');
    expect(list.body).toContain('No version awaits a decision.');

    const _csrf = await director.csrf('/ui/frameworks');
    const preview = await director.request('POST', '/ui/frameworks', { _csrf, framework: NEXT, effectiveFrom: '2027-02-01', changes: 'Key rotation', intent: 'preview' });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('Version 1.1 against 1.0, in force now');
    expect(preview.body).toContain('Added SEC-09 Key rotation');
    expect(preview.body).toContain('value="2027-02-01"');
    expect(await register.versions()).toHaveLength(1);

    const proposed = await director.request('POST', '/ui/frameworks', { _csrf, framework: NEXT, effectiveFrom: '2027-02-01', changes: 'Key rotation', intent: 'propose' });
    expect(proposed.statusCode).toBe(303);
    expect((await register.version('1.1'))?.effectiveFrom).toBe('2027-02-01T00:00:00.000Z');
    const page = await director.request('GET', '/ui/frameworks/1.1?done=proposed');
    expect(page.body).toContain('Against the version in force (1.0)');
    expect(page.body).toContain('Added SEC-09 Key rotation');
    expect(page.body).toContain('You proposed this version: another director approves or rejects it.');
  });

  it('keep what was typed and name the field when a proposal is refused', async () => {
    const director = await signedIn('dawood');
    const _csrf = await director.csrf('/ui/frameworks');
    const notJson = await director.request('POST', '/ui/frameworks', { _csrf, framework: '{"version": "1.1",', effectiveFrom: '', changes: 'Half a document', intent: 'propose' });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.body).toContain('<a href="#propose-framework">Framework document: is not JSON');
    expect(notJson.body).toContain('>Half a document</textarea>');

    const past = await director.request('POST', '/ui/frameworks', { _csrf, framework: NEXT, effectiveFrom: '2026-01-01', changes: 'Backdated', intent: 'propose' });
    expect(past.statusCode).toBe(422);
    expect(past.body).toContain('<a href="#propose-effectiveFrom">In force from: effectiveFrom must be in the future');
    expect(past.body).toContain('>Backdated</textarea>');

    await propose(director);
    const again = await director.request('POST', '/ui/frameworks', { _csrf, framework: NEXT, effectiveFrom: '', changes: 'Twice', intent: 'propose' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('<a href="#propose-framework">Framework document: Framework version 1.1 already exists</a>');
  });

  it("refuse the proposer's own decision on the page, keeping the reasons typed, and let another director approve", async () => {
    const dawood = await signedIn('dawood');
    await propose(dawood);
    const csrfA = await dawood.csrf('/ui/frameworks/1.1');
    const ownApproval = await dawood.request('POST', '/ui/frameworks/1.1/approve', { _csrf: csrfA });
    expect(ownApproval.statusCode).toBe(403);
    expect(ownApproval.body).toContain('The director who proposed 1.1 cannot also approve it');
    const ownRejection = await dawood.request('POST', '/ui/frameworks/1.1/reject', { _csrf: csrfA, reasons: 'Changed my mind' });
    expect(ownRejection.statusCode).toBe(403);
    expect(ownRejection.body).toContain('>Changed my mind</textarea>');

    const dua = await signedIn('dua');
    const csrfB = await dua.csrf('/ui/frameworks/1.1');
    const unreasoned = await dua.request('POST', '/ui/frameworks/1.1/reject', { _csrf: csrfB, reasons: '' });
    expect(unreasoned.statusCode).toBe(400);
    expect(unreasoned.body).toContain('href="#decide-reasons"');
    const approved = await dua.request('POST', '/ui/frameworks/1.1/approve', { _csrf: csrfB });
    expect(approved.statusCode).toBe(303);
    const page = await dua.request('GET', '/ui/frameworks/1.1?done=approved');
    expect(page.body).toContain('The version is approved: it takes effect on its date.');
    expect(page.body).not.toContain('Reject version 1.1');
    expect((await register.version('1.1'))?.status).toBe('approved');
  });

  it("put a pending proposal in every other director's queue, due by its effectiveFrom, and take it out once decided", async () => {
    const dawood = await signedIn('dawood');
    await propose(dawood);
    const dua = await signedIn('dua');
    const queue = await dua.request('GET', '/ui/queue');
    expect(queue.body).toContain('<a href="/ui/frameworks/1.1">framework-1.1</a>');
    expect(queue.body).toContain('Decide framework version');
    expect(queue.body).toContain('datetime="2027-01-01T00:00:00.000Z"');
    expect((await dawood.request('GET', '/ui/queue')).body).not.toContain('framework-1.1');

    const _csrf = await dua.csrf('/ui/queue');
    const claimed = await dua.request('POST', '/ui/queue/claim', { _csrf, taskId: 'framework:1.1:decide' });
    expect(claimed.headers.location).toBe('/ui/queue?done=claimed');

    await register.reject({ userId: 'someone-else', name: 'Other', role: 'director', jurisdiction: 'federal' }, '1.1', 'Not consulted');
    expect((await dua.request('GET', '/ui/queue')).body).not.toContain('framework-1.1');
  });

  it('are for directors only', async () => {
    const reviewer = await signedIn('rania');
    expect((await reviewer.request('GET', '/ui/frameworks')).statusCode).toBe(403);
    expect((await reviewer.request('GET', '/ui/queue')).body).not.toContain('href="/ui/frameworks"');
  });
});
