import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Identity } from '../../identity';
import { composeOffice } from '../../server/compose';
import { createTestIdentity, seedEnrolledAccount } from '../support/identity';
import type { UiOptions } from '../../ui/register-ui';
import { FakeEventStore, FakeNocQueries, officeWithFakes } from '../api/fakes';
import { InjectBrowser as Browser } from './inject-browser';

/** Sessions, CSRF, rate limiting and claims of the UI, through HTTP, without Temporal. */
const PASSWORD = 'a long enough password';

let dir: string;
let identity: Identity;
let queries: FakeNocQueries;
const apps: FastifyInstance[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ui-sessions-'));
  identity = await createTestIdentity();
  await seedEnrolledAccount(identity, { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer', password: PASSWORD });
  await seedEnrolledAccount(identity, { username: 'rafay', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rafay Reviewer', password: PASSWORD });
  queries = new FakeNocQueries();
});

afterEach(async () => {
  while (apps.length > 0) await apps.pop()?.close();
  identity.close();
  rmSync(dir, { recursive: true, force: true });
});

function startUi(options: UiOptions = {}, limit = 10): FastifyInstance {
  const deps = officeWithFakes(
    { dataDir: dir, identity, eventStore: new FakeEventStore() },
    { nocQueries: queries, loginThrottle: { perAccountAndAddress: [{ max: limit, windowMs: 60_000 }] } },
  );
  const app = composeOffice(deps, { ui: options });
  apps.push(app);
  return app;
}


describe('UI sessions', () => {
  it('signs in with a fresh HttpOnly, SameSite=Lax session cookie at each login', async () => {
    const app = startUi();
    const browser = new Browser(app);
    const first = await browser.signIn('rania', PASSWORD);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/ui/queue');
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toMatch(/co_session=[A-Za-z0-9_-]{43}/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const token1 = browser.cookies.get('co_session');
    expect((await browser.request('GET', '/ui/queue')).statusCode).toBe(200);
    const again = new Browser(app);
    await again.signIn('rania', PASSWORD);
    expect(again.cookies.get('co_session')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(again.cookies.get('co_session')).not.toBe(token1);
  });

  it("lands each person on their role's page: an entity's officer on the entity's home, a provider's on the provider's, staff on the queue", async () => {
    await seedEnrolledAccount(identity, { username: 'moitt', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'MoITT Officer', password: PASSWORD });
    await seedEnrolledAccount(identity, { username: 'nimbus', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-nimbus', displayName: 'Nimbus', password: PASSWORD });
    const app = startUi();
    const landings: Record<string, string | undefined> = {};
    for (const username of ['moitt', 'nimbus', 'rania']) {
      const browser = new Browser(app);
      landings[username] = String((await browser.signIn(username, PASSWORD)).headers.location);
      // Already signed in, the sign-in page sends the person to the same place.
      const again = await browser.request('GET', '/ui/login');
      expect({ username, status: again.statusCode, location: again.headers.location }).toEqual({ username, status: 303, location: landings[username] });
    }
    expect(landings).toEqual({ moitt: '/ui/entity', nimbus: '/ui/provider', rania: '/ui/queue' });
    // A page asked for before signing in wins over the landing page.
    expect((await new Browser(app).signIn('moitt', PASSWORD, '/ui/nocs')).headers.location).toBe('/ui/nocs');
  });

  it('refuses a sign-in without the form token and a wrong password with the same message for any user', async () => {
    const app = startUi();
    const browser = new Browser(app);
    const forged = await browser.request('POST', '/ui/login', { username: 'rania', password: PASSWORD });
    expect(forged.statusCode).toBe(403);
    const wrong = await browser.signIn('rania', 'not the password at all');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('The username or the password is wrong.');
    expect(wrong.body).toContain('value="rania"');
    const unknown = await browser.signIn('nobody', 'not the password at all');
    expect(unknown.body).toContain('The username or the password is wrong.');
  });

  it('locks sign-in for a username from an address after its failures, even for the right password', async () => {
    const app = startUi({}, 2);
    const browser = new Browser(app);
    expect((await browser.signIn('rania', 'wrong password one')).statusCode).toBe(401);
    expect((await browser.signIn('rania', 'wrong password two')).statusCode).toBe(401);
    const limited = await browser.signIn('rania', PASSWORD);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(browser.cookies.has('co_session')).toBe(false);
  });

  it('ends a session left idle longer than the idle timeout and revokes its token', async () => {
    const app = startUi({ idleTimeoutMs: 150 });
    const browser = new Browser(app);
    await browser.signIn('rania', PASSWORD);
    const token = browser.cookies.get('co_session') as string;
    expect((await browser.request('GET', '/ui/queue')).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 250));
    const after = await browser.request('GET', '/ui/queue');
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toBe('/ui/login?reason=timeout&next=%2Fui%2Fqueue');
    expect(identity.authenticate(token, 'ui')).toBeUndefined();
  });

  it('does not count the queue’s automatic refreshes as activity, so a screen left open still times out', async () => {
    let now = Date.now();
    const app = startUi({ idleTimeoutMs: 30 * 60_000, now: () => now });
    const left = new Browser(app);
    await left.signIn('rania', PASSWORD);
    const queue = await left.request('GET', '/ui/queue');
    expect(queue.body).toContain('<script src="/ui/static/queue-refresh.js" defer></script>');
    expect(queue.body).toContain('<meta http-equiv="refresh" content="15; url=/ui/queue?refresh=auto">');
    now += 20 * 60_000;
    expect((await left.request('GET', '/ui/queue?refresh=auto')).statusCode).toBe(200);
    now += 20 * 60_000;
    const ended = await left.request('GET', '/ui/queue?refresh=auto');
    expect(ended.statusCode).toBe(303);
    expect(ended.headers.location).toMatch(/^\/ui\/login\?reason=timeout/);
  });

  it('counts a request someone made as activity, which keeps the session alive past the idle timeout', async () => {
    let now = Date.now();
    const app = startUi({ idleTimeoutMs: 30 * 60_000, now: () => now });
    const working = new Browser(app);
    await working.signIn('rania', PASSWORD);
    now += 20 * 60_000;
    expect((await working.request('GET', '/ui/queue')).statusCode).toBe(200);
    now += 20 * 60_000;
    expect((await working.request('GET', '/ui/queue?kind=review')).statusCode).toBe(200);
  });

  it('signs out only by POST with the form token, revoking the token for good', async () => {
    const app = startUi();
    const browser = new Browser(app);
    await browser.signIn('rania', PASSWORD);
    const token = browser.cookies.get('co_session') as string;
    expect((await browser.request('GET', '/ui/logout')).statusCode).toBe(404);
    expect((await browser.request('POST', '/ui/logout', {})).statusCode).toBe(403);
    expect(identity.authenticate(token, 'ui')).toBeDefined();
    const _csrf = await browser.csrf('/ui/queue');
    const out = await browser.request('POST', '/ui/logout', { _csrf });
    expect(out.headers.location).toBe('/ui/login?reason=signed-out');
    expect(identity.authenticate(token, 'ui')).toBeUndefined();
    const replay = await app.inject({ method: 'GET', url: '/ui/queue', headers: { cookie: `co_session=${token}` } });
    expect(replay.statusCode).toBe(303);
  });

  it('keeps its secret in the data directory, readable by the owner only, so forms survive a restart', async () => {
    const browser = new Browser(startUi());
    await browser.signIn('rania', PASSWORD);
    const _csrf = await browser.csrf('/ui/queue');
    expect(statSync(join(dir, 'ui-secret')).mode & 0o777).toBe(0o600);
    await apps.pop()?.close();
    const restarted = new Browser(startUi());
    for (const [k, v] of browser.cookies) restarted.cookies.set(k, v);
    const out = await restarted.request('POST', '/ui/logout', { _csrf });
    expect(out.statusCode).toBe(303);
  });

  it('never redirects after sign-in to another site', async () => {
    const browser = new Browser(startUi());
    const res = await browser.signIn('rania', PASSWORD, '//evil.example/ui/x');
    expect(res.headers.location).toBe('/ui/queue');
  });
});

describe('claims in the queue', () => {
  const task = {
    taskId: 'noc-1:review',
    nocId: 'NOC-1',
    kind: 'review' as const,
    jurisdiction: 'federal' as const,
    role: 'reviewer',
    pseId: null,
    excludedUserIds: [],
    createdAt: '2026-11-01T00:00:00.000Z',
    dueAt: null,
    claimedBy: null,
    claimedAt: null,
  };

  it('lets one reviewer claim a task, shows the holder to the others and blocks their claim', async () => {
    queries.tasks.push(task);
    const app = startUi();
    const rania = new Browser(app);
    const rafay = new Browser(app);
    await rania.signIn('rania', PASSWORD);
    await rafay.signIn('rafay', PASSWORD);
    const raniaToken = await rania.csrf('/ui/queue');
    const rafayToken = await rafay.csrf('/ui/queue');
    const claimed = await rania.request('POST', '/ui/queue/claim', { _csrf: raniaToken, taskId: task.taskId });
    expect(claimed.headers.location).toBe('/ui/queue?done=claimed');
    const seen = await rafay.request('GET', '/ui/queue');
    expect(seen.body).toContain('Claimed by Rania Reviewer');
    // Held by someone else, the task offers no claim button, only who holds it.
    expect(seen.body).toContain('<span>Claimed by Rania Reviewer</span>');
    expect(seen.body).not.toMatch(new RegExp(`name="taskId" value="${task.taskId}"[^]*?Claim</button>`));
    const late = await rafay.request('POST', '/ui/queue/claim', { _csrf: rafayToken, taskId: task.taskId });
    expect(late.headers.location).toBe('/ui/queue?done=taken');
    // Releasing someone else's claim does nothing; releasing one's own frees the task.
    await rafay.request('POST', '/ui/queue/release', { _csrf: rafayToken, taskId: task.taskId });
    expect((await rafay.request('GET', '/ui/queue')).body).toContain('Claimed by Rania Reviewer');
    await rania.request('POST', '/ui/queue/release', { _csrf: raniaToken, taskId: task.taskId });
    expect((await rafay.request('GET', '/ui/queue')).body).not.toContain('Claimed by Rania');
  });

  it('refuses to claim a task that is not in the user’s own queue', async () => {
    queries.tasks.push({ ...task, role: 'director' });
    const rania = new Browser(startUi());
    await rania.signIn('rania', PASSWORD);
    const _csrf = await rania.csrf('/ui/queue');
    const res = await rania.request('POST', '/ui/queue/claim', { _csrf, taskId: task.taskId });
    expect(res.headers.location).toBe('/ui/queue?done=gone');
  });
});
