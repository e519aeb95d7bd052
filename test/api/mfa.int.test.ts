import { totpCode } from '../../identity';
import { seedAccount } from '../support/identity';
import { PASSWORD, startTestApi, type TestApi } from './harness';

/** The password an administrator gave the new account, which serves once; and the one its holder chooses. */
const ONE_TIME = 'the administrator’s one-time password';
const OWN = 'the officer’s very own password';

/** The second factor through the HTTP API: enrolment, sign-in with a code or a recovery code, reset. */
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  await seedAccount(api.identity, { username: 'new.officer', role: 'provincial-officer', jurisdiction: 'sindh', password: ONE_TIME });
});
afterAll(() => api.close());

const login = (payload: Record<string, unknown>) => api.app.inject({ method: 'POST', url: '/api/auth/login', payload });
/** A code of the account's own secret, but far outside the window around now. */
const anHourAway = (username: string, totp = api.totp): string => totpCode(totp.secretOf(username), new Date(totp.now().getTime() + 3_600_000));
const enrol = (payload: Record<string, unknown>) => api.app.inject({ method: 'POST', url: '/api/auth/mfa/enrolment', payload });

describe('signing in with a second factor', () => {
  it('refuses an enrolled account without a code with 401 MFA_REQUIRED, and a wrong code with MFA_CODE_INVALID', async () => {
    const missing = await login({ username: 'director', password: PASSWORD });
    expect(missing.statusCode).toBe(401);
    expect(missing.json().error).toMatchObject({ code: 'MFA_REQUIRED', field: 'code' });
    const wrong = await login({ username: 'director', password: PASSWORD, code: anHourAway('director') });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toMatchObject({ code: 'MFA_CODE_INVALID', field: 'code' });
  });

  it('answers a wrong password as before, code or no code, so the code reveals nothing', async () => {
    const res = await login({ username: 'director', password: 'not the password', code: api.totp.code('director') });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('INVALID_CREDENTIALS');
  });

  it('refuses a code a second time within its time step', async () => {
    const code = api.totp.code('auditor');
    expect((await login({ username: 'auditor', password: PASSWORD, code })).statusCode).toBe(200);
    const again = await login({ username: 'auditor', password: PASSWORD, code });
    expect(again.statusCode).toBe(401);
    expect(again.json().error.code).toBe('MFA_CODE_INVALID');
  });

  it('enrols a new account: 403 MFA_ENROLMENT_REQUIRED, a secret with a password of its own, then a code that signs in and returns recovery codes once', async () => {
    const refused = await login({ username: 'new.officer', password: ONE_TIME });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('MFA_ENROLMENT_REQUIRED');

    expect((await enrol({ username: 'new.officer', password: 'not the password', newPassword: OWN })).json().error.code).toBe('INVALID_CREDENTIALS');
    const bare = await enrol({ username: 'new.officer', password: ONE_TIME });
    expect(bare.statusCode).toBe(403);
    expect(bare.json().error).toMatchObject({ code: 'PASSWORD_CHANGE_REQUIRED', field: 'newPassword' });
    const same = await enrol({ username: 'new.officer', password: ONE_TIME, newPassword: ONE_TIME });
    expect(same.statusCode).toBe(400);
    expect(same.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'newPassword' });
    const enrolment = await enrol({ username: 'new.officer', password: ONE_TIME, newPassword: OWN });
    expect(enrolment.statusCode).toBe(200);
    const { secret, otpauthUri } = enrolment.json();
    expect(otpauthUri).toContain(`secret=${secret}`);

    // The first password served its once: whoever else has it can neither enrol nor sign in.
    expect((await enrol({ username: 'new.officer', password: ONE_TIME, newPassword: 'an attacker’s password' })).json().error.code).toBe('INVALID_CREDENTIALS');
    api.totp.remember('new.officer', secret);
    expect((await login({ username: 'new.officer', password: ONE_TIME, code: api.totp.code('new.officer') })).json().error.code).toBe('INVALID_CREDENTIALS');

    const signedIn = await login({ username: 'new.officer', password: OWN, code: api.totp.code('new.officer') });
    expect(signedIn.statusCode).toBe(200);
    const recoveryCodes: string[] = signedIn.json().recoveryCodes;
    expect(recoveryCodes).toHaveLength(10);
    const me = await api.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${signedIn.json().token}` } });
    expect(me.json().role).toBe('provincial-officer');

    const later = await login({ username: 'new.officer', password: OWN, code: api.totp.code('new.officer') });
    expect(later.statusCode).toBe(200);
    expect(later.json()).not.toHaveProperty('recoveryCodes');
    expect((await enrol({ username: 'new.officer', password: OWN })).statusCode).toBe(409);
    const notOneTime = await login({ username: 'new.officer', password: OWN, newPassword: 'yet another password', code: api.totp.code('new.officer') });
    expect(notOneTime.statusCode).toBe(409);
    expect(notOneTime.json().error.code).toBe('PASSWORD_NOT_ONE_TIME');

    const byRecovery = await login({ username: 'new.officer', password: OWN, code: recoveryCodes[0] });
    expect(byRecovery.statusCode).toBe(200);
    const reused = await login({ username: 'new.officer', password: OWN, code: recoveryCodes[0] });
    expect(reused.json().error.code).toBe('MFA_CODE_INVALID');

  });

  it('signs in after a password reset only with a new password of the person’s own, given with the code', async () => {
    const reset = await api.app.inject({ method: 'POST', url: '/api/accounts/pse-officer/reset-password', headers: api.as('admin'), payload: { password: ONE_TIME } });
    expect(reset.statusCode).toBe(200);
    const bare = await login({ username: 'pse-officer', password: ONE_TIME, code: api.totp.code('pse-officer') });
    expect(bare.statusCode).toBe(403);
    expect(bare.json().error).toMatchObject({ code: 'PASSWORD_CHANGE_REQUIRED', field: 'newPassword' });
    const chosen = await login({ username: 'pse-officer', password: ONE_TIME, newPassword: OWN, code: api.totp.code('pse-officer') });
    expect(chosen.statusCode).toBe(200);
    expect((await login({ username: 'pse-officer', password: ONE_TIME, newPassword: 'again', code: api.totp.code('pse-officer') })).json().error.code).toBe('INVALID_CREDENTIALS');
    expect((await login({ username: 'pse-officer', password: OWN, code: api.totp.code('pse-officer') })).statusCode).toBe(200);
  });

  it('refuses a one-time password that expired unused with 403 PASSWORD_EXPIRED, telling the person to ask an administrator', async () => {
    let clock = new Date();
    const later = await startTestApi({ identity: { now: () => clock, oneTimePasswordTtlHours: 72 } });
    try {
      await seedAccount(later.identity, { username: 'late.officer', role: 'provincial-officer', jurisdiction: 'sindh', password: ONE_TIME });
      clock = new Date(clock.getTime() + 72 * 3_600_000);
      const attempt = (url: string, payload: Record<string, unknown>) => later.app.inject({ method: 'POST', url, payload });
      for (const [url, payload] of [
        ['/api/auth/mfa/enrolment', { username: 'late.officer', password: ONE_TIME, newPassword: OWN }],
        ['/api/auth/login', { username: 'late.officer', password: ONE_TIME, newPassword: OWN }],
      ] as const) {
        const expired = await attempt(url, payload);
        expect(expired.statusCode).toBe(403);
        expect(expired.json().error).toMatchObject({ code: 'PASSWORD_EXPIRED', message: expect.stringMatching(/ask an administrator to reset your password/) });
      }
    } finally {
      await later.close();
    }
  });

  it('lets an admin reset the second factor: sessions end and the person enrols again', async () => {
    const { token } = (await login({ username: 'csp-rep', password: PASSWORD, code: api.totp.code('csp-rep') })).json();
    const notAdmin = await api.app.inject({ method: 'DELETE', url: '/api/accounts/csp-rep/mfa', headers: api.as('director') });
    expect(notAdmin.statusCode).toBe(403);
    const reset = await api.app.inject({ method: 'DELETE', url: '/api/accounts/csp-rep/mfa', headers: api.as('admin') });
    expect(reset.statusCode).toBe(204);
    expect((await api.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
    expect((await login({ username: 'csp-rep', password: PASSWORD, code: api.totp.code('csp-rep') })).json().error.code).toBe('MFA_ENROLMENT_REQUIRED');
    // The password the person kept serves once more, to enrol and choose a new one in the same request.
    expect((await enrol({ username: 'csp-rep', password: PASSWORD })).json().error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    const again = await enrol({ username: 'csp-rep', password: PASSWORD, newPassword: OWN });
    expect(again.statusCode).toBe(200);
    expect(again.json().secret).not.toBe(api.totp.secretOf('csp-rep'));
    const unknown = await api.app.inject({ method: 'DELETE', url: '/api/accounts/nobody/mfa', headers: api.as('admin') });
    expect(unknown.statusCode).toBe(404);
  });

  it('counts wrong codes toward the sign-in throttle', async () => {
    const limited = await startTestApi({ loginThrottle: { perAccountAndAddress: [{ max: 2, windowMs: 60_000 }] } });
    try {
      const attempt = (code: string) => limited.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'reviewer', password: PASSWORD, code } });
      const wrong = anHourAway('reviewer', limited.totp);
      for (let i = 0; i < 2; i++) expect((await attempt(wrong)).statusCode).toBe(401);
      const refused = await attempt(limited.totp.code('reviewer'));
      expect(refused.statusCode).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
