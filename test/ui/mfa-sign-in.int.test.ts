import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { totpCode, type Identity } from '../../identity';
import { composeOffice } from '../../server/compose';
import { FakeEventStore, officeWithFakes } from '../api/fakes';
import { createTestIdentity, seedAccount } from '../support/identity';
import { testTotp } from '../support/mfa';
import { InjectBrowser as Browser } from './inject-browser';

/** The UI's two-step sign-in through HTTP: enrolment, wrong codes, recovery codes, dead challenges. */
const PASSWORD = 'a long enough password';
/** What the administrator gave rania: it serves once, to choose her own (PASSWORD) at the enrolment. */
const ONE_TIME = 'the administrator’s one-time password';
const HOUR = 3_600_000;
/** How far the identity's clock runs ahead of the real one, to let one-time passwords expire. */
let ahead = 0;

let dir: string;
let identity: Identity;
let app: FastifyInstance;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ui-mfa-'));
  ahead = 0;
  identity = await createTestIdentity({ now: () => new Date(Date.now() + ahead) });
  await seedAccount(identity, { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer', password: ONE_TIME });
  app = composeOffice(
    officeWithFakes({ dataDir: dir, identity, eventStore: new FakeEventStore() }, { loginThrottle: { perAccountAndAddress: [{ max: 3, windowMs: 60_000 }] } }),
  );
});

afterEach(async () => {
  await app.close();
  identity.close();
  rmSync(dir, { recursive: true, force: true });
});

async function passwordStep(browser: Browser, password = PASSWORD): Promise<{ status: number; body: string; challenge: string }> {
  const _csrf = await browser.csrf('/ui/login');
  const res = await browser.request('POST', '/ui/login', { _csrf, username: 'rania', password, next: '/ui/nocs' });
  return { status: res.statusCode, body: res.body, challenge: /name="challenge" value="([^"]+)"/.exec(res.body)?.[1] ?? '' };
}

const secretShown = (body: string): string => (/id="mfa-secret">([^<]+)</.exec(body)?.[1] ?? '').replace(/\s/g, '');
const anHourAway = (secret: string): string => totpCode(secret, new Date(testTotp.now().getTime() + 3_600_000));

describe('signing in to the UI with a second factor', () => {
  it('gives no session for the password alone: first the secret and a new password of her own, then a code confirms it and shows recovery codes once', async () => {
    const browser = new Browser(app);
    const step = await passwordStep(browser, ONE_TIME);
    expect(step.status).toBe(200);
    expect(browser.cookies.has('co_session')).toBe(false);
    const secret = secretShown(step.body);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(step.body).toContain(`otpauth://totp/Cloud%20Office:rania?issuer=Cloud%20Office&amp;secret=${secret}`);
    expect(step.body).toContain('name="newPassword"');
    expect(step.body).toContain('name="repeatPassword"');

    const wrong = await browser.codeStep(step.challenge, anHourAway(secret), '/ui/nocs', PASSWORD);
    expect(wrong.statusCode).toBe(401);
    expect(secretShown(wrong.body)).toBe(secret);
    expect(browser.cookies.has('co_session')).toBe(false);

    testTotp.remember('rania', secret);
    const withoutOwn = await browser.codeStep(step.challenge, testTotp.code('rania'), '/ui/nocs');
    expect(withoutOwn.statusCode).toBe(403);
    expect(withoutOwn.body).toContain('Choose a new password of your own.');
    const differing = await browser.request('POST', '/ui/login/code', {
      _csrf: await browser.csrf('/ui/login'),
      challenge: step.challenge,
      code: testTotp.code('rania'),
      newPassword: PASSWORD,
      repeatPassword: `${PASSWORD}!`,
    });
    expect(differing.statusCode).toBe(400);
    expect(differing.body).toContain('The two new passwords differ.');
    const same = await browser.codeStep(step.challenge, testTotp.code('rania'), '/ui/nocs', ONE_TIME);
    expect(same.statusCode).toBe(400);
    expect(same.body).toContain('The new password must differ from the password an administrator set.');

    const confirmed = await browser.codeStep(step.challenge, testTotp.code('rania'), '/ui/nocs', PASSWORD);
    expect(confirmed.statusCode).toBe(200);
    expect(browser.cookies.has('co_session')).toBe(true);
    const codes = [...confirmed.body.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]);
    expect(codes).toHaveLength(10);
    expect(confirmed.body).toContain('href="/ui/nocs"');

    // The challenge was spent by the sign-in: replayed from elsewhere, it opens nothing.
    const replayed = await new Browser(app).codeStep(step.challenge, testTotp.code('rania'));
    expect(replayed.statusCode).toBe(401);
    expect(replayed.body).toContain('Sign in again.');

    // The first password served its once; her own signs in, with no new-password fields.
    expect((await passwordStep(new Browser(app), ONE_TIME)).status).toBe(401);
    const later = await passwordStep(new Browser(app));
    expect(later.status).toBe(200);
    expect(later.body).not.toContain('name="newPassword"');
  });

  it('refuses a first password that expired unused, telling her to ask an administrator for a reset', async () => {
    ahead = 72 * HOUR;
    const expired = await passwordStep(new Browser(app), ONE_TIME);
    expect(expired.status).toBe(403);
    expect(expired.body).toContain('ask an administrator to reset your password');
    expect(expired.challenge).toBe('');
    // A wrong password is only that, expired or not.
    expect((await passwordStep(new Browser(app), 'not the password')).status).toBe(401);
  });

  it('signs in with a recovery code once, and counts wrong codes toward the throttle', async () => {
    const { recoveryCodes } = await testTotp.enrol(identity, 'rania', ONE_TIME, PASSWORD);
    const recovery = (recoveryCodes ?? [])[0] as string;
    const browser = new Browser(app);
    const first = await passwordStep(browser);
    expect(first.body).not.toContain('mfa-secret');
    expect((await browser.codeStep(first.challenge, recovery)).statusCode).toBe(303);

    const other = new Browser(app);
    const second = await passwordStep(other);
    expect((await other.codeStep(second.challenge, recovery)).statusCode).toBe(401);
    expect((await other.codeStep(second.challenge, anHourAway(testTotp.secretOf('rania')))).statusCode).toBe(401);
    expect((await other.codeStep(second.challenge, 'abcde-fghjk')).statusCode).toBe(401);
    // Three failures for this username and address: the next attempt waits, even with the right code.
    const limited = await other.codeStep(second.challenge, testTotp.code('rania'));
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
  });
});
