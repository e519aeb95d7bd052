import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openThrottleStore, passwordHashGate } from '../../identity';
import { DEFAULT_HASH_CONCURRENCY, HashGate } from '../../identity/passwords';
import type { LoginThrottleOptions } from '../../api/login-throttle';
import { PASSWORD, startTestApi, type TestApi } from './harness';

/** Sign-in throttling through POST /api/auth/login; each test starts with fresh limits. */
const ATTACKER = '203.0.113.7';
const OTHER_ATTACKER = '203.0.113.8';
const OWNER = '198.51.100.20';
const NEW_PLACE = '192.0.2.44';
const MINUTE = 60_000;

let api: TestApi;
let now: number;

async function start(throttle: Partial<LoginThrottleOptions>): Promise<void> {
  api = await startTestApi({ loginThrottle: throttle });
}

/** With the right password comes the account's current code, as a person's sign-in would. */
function login(username: string, password: string, from: string) {
  const code = password === PASSWORD ? api.totp.code(username) : undefined;
  return api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password, code }, remoteAddress: from });
}

beforeEach(() => {
  now = Date.parse('2026-12-01T09:00:00Z');
  // The limits count in the rate limiter's clock (Date.now); moving it passes their windows.
  jest.spyOn(Date, 'now').mockImplementation(() => now);
});

afterEach(async () => {
  jest.restoreAllMocks();
  await api.close();
});

describe('sign-in throttling', () => {
  it('refuses an address after too many failures, whatever the usernames, and no other address', async () => {
    await start({ perAddress: { max: 3, windowMs: MINUTE } });
    // Sign-ins that succeed do not count: many people behind one address sign in freely.
    for (let i = 0; i < 4; i++) expect((await login('auditor', PASSWORD, ATTACKER)).statusCode).toBe(200);
    for (const username of ['reviewer', 'auditor', 'nobody-at-all']) expect((await login(username, 'wrong password', ATTACKER)).statusCode).toBe(401);
    const refused = await login('director', PASSWORD, ATTACKER);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual({ error: { code: 'RATE_LIMITED', message: expect.stringMatching(/^Too many sign-in attempts; try again in \d+ seconds$/) } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await login('director', PASSWORD, OWNER)).statusCode).toBe(200);
  });

  it('locks a username at one address after its failures, with a longer wait at each later lockout', async () => {
    await start({ perAccountAndAddress: [{ max: 2, windowMs: MINUTE }, { max: 4, windowMs: 60 * MINUTE }] });
    for (let i = 0; i < 2; i++) expect((await login('reviewer', 'wrong password', ATTACKER)).statusCode).toBe(401);
    const first = await login('reviewer', PASSWORD, ATTACKER);
    expect(first.statusCode).toBe(429);
    const firstWait = Number(first.headers['retry-after']);
    expect(firstWait).toBeLessThanOrEqual(60);

    now += MINUTE + 1000;
    for (let i = 0; i < 2; i++) expect((await login('reviewer', 'wrong password', ATTACKER)).statusCode).toBe(401);
    const second = await login('reviewer', PASSWORD, ATTACKER);
    expect(second.statusCode).toBe(429);
    expect(Number(second.headers['retry-after'])).toBeGreaterThan(firstWait);
    expect(second.json().error.message).toMatch(/minutes$/);

    // The lockout is of that address: the same account signs in from elsewhere.
    expect((await login('reviewer', PASSWORD, OWNER)).statusCode).toBe(200);
  });

  it('counts failures, not sign-ins: a right password does not bring the lockout closer', async () => {
    await start({ perAccountAndAddress: [{ max: 2, windowMs: MINUTE }] });
    for (let i = 0; i < 4; i++) expect((await login('auditor', PASSWORD, OWNER)).statusCode).toBe(200);
    expect((await login('auditor', 'wrong password', OWNER)).statusCode).toBe(401);
    expect((await login('auditor', PASSWORD, OWNER)).statusCode).toBe(200);
  });

  it('does not let an attacker at other addresses lock the owner out of an address they signed in from before', async () => {
    await start({ perAccountAndAddress: [{ max: 2, windowMs: MINUTE }], perAccount: { max: 4, windowMs: 60 * MINUTE } });
    expect((await login('director', PASSWORD, OWNER)).statusCode).toBe(200);
    for (const from of [ATTACKER, ATTACKER, OTHER_ATTACKER, OTHER_ATTACKER]) expect((await login('director', 'wrong password', from)).statusCode).toBe(401);
    // Both attackers are locked out, and so is the account for addresses it has never signed in from...
    expect((await login('director', PASSWORD, ATTACKER)).statusCode).toBe(429);
    expect((await login('director', PASSWORD, NEW_PLACE)).statusCode).toBe(429);
    // ...but not for its owner where they signed in before.
    expect((await login('director', PASSWORD, OWNER)).statusCode).toBe(200);
    // Other accounts are untouched.
    expect((await login('auditor', PASSWORD, NEW_PLACE)).statusCode).toBe(200);
  });
});

describe('counts kept in the identity database', () => {
  let dir: string;
  const others: { close(): Promise<void> }[] = [];
  const stores: { close(): void }[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'throttle-'));
  });
  afterEach(async () => {
    for (const other of others.splice(0)) await other.close();
    for (const store of stores.splice(0)) store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An API process of its own, counting in the identity database file every process of the test shares. */
  async function apiProcess(throttle: Partial<LoginThrottleOptions>): Promise<TestApi> {
    const throttleStore = openThrottleStore(join(dir, 'identity.db'));
    stores.push(throttleStore);
    return startTestApi({ loginThrottle: throttle, deps: { throttleStore } });
  }
  const guess = (on: TestApi, username: string, from: string) =>
    on.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'wrong password' }, remoteAddress: from });

  it('counts the failures sent to two API processes together, so splitting a guess between them gains nothing', async () => {
    const limits = { perAccountAndAddress: [{ max: 4, windowMs: 15 * MINUTE }] };
    api = await apiProcess(limits);
    const second = await apiProcess(limits);
    others.push(second);
    for (const on of [api, second, api, second]) expect((await guess(on, 'reviewer', ATTACKER)).statusCode).toBe(401);
    for (const on of [api, second]) {
      const refused = await guess(on, 'reviewer', ATTACKER);
      expect(refused.statusCode).toBe(429);
      expect(refused.json().error.code).toBe('RATE_LIMITED');
    }
    expect((await guess(second, 'reviewer', OWNER)).statusCode).toBe(401);
  });

  it('keeps a lockout across a restart: a new process on the same database refuses until the window ends', async () => {
    const limits = { perAccountAndAddress: [{ max: 3, windowMs: 15 * MINUTE }] };
    const before = await apiProcess(limits);
    for (let i = 0; i < 3; i++) expect((await guess(before, 'auditor', ATTACKER)).statusCode).toBe(401);
    await before.close();

    api = await apiProcess(limits);
    const refused = await guess(api, 'auditor', ATTACKER);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    now += 15 * MINUTE;
    expect((await guess(api, 'auditor', ATTACKER)).statusCode).toBe(401);
  });

  it('remembers across processes where an account signed in, so the owner is not locked out by a distributed guess', async () => {
    const limits = { perAccountAndAddress: [{ max: 2, windowMs: MINUTE }], perAccount: { max: 2, windowMs: 60 * MINUTE } };
    const first = await apiProcess(limits);
    others.push(first);
    const code = first.totp.code('director');
    const signedIn = await first.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'director', password: PASSWORD, code }, remoteAddress: OWNER });
    expect(signedIn.statusCode).toBe(200);
    api = await apiProcess(limits);
    for (const from of [ATTACKER, OTHER_ATTACKER]) expect((await guess(api, 'director', from)).statusCode).toBe(401);
    expect((await guess(api, 'director', NEW_PLACE)).statusCode).toBe(429);
    expect((await guess(api, 'director', OWNER)).statusCode).toBe(401);
  });
});

describe('the cap on password hashes in flight', () => {
  afterEach(() => passwordHashGate.setLimit(DEFAULT_HASH_CONCURRENCY));

  it('refuses a sign-in with 429 and Retry-After while every hash slot is taken, and serves it once one frees', async () => {
    await start({});
    passwordHashGate.setLimit(1);
    let release: () => void = () => undefined;
    const held = passwordHashGate.run(() => new Promise<void>((resolve) => (release = resolve)));
    const refused = await login('reviewer', PASSWORD, OWNER);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('RATE_LIMITED');
    expect(refused.headers['retry-after']).toBe('1');
    release();
    await held;
    expect((await login('reviewer', PASSWORD, OWNER)).statusCode).toBe(200);
  });

  it('lets as many hashes run as its limit and refuses the next, which is no failed sign-in', async () => {
    const gate = new HashGate(2);
    const releases: (() => void)[] = [];
    const running = [0, 1].map(() => gate.run(() => new Promise<void>((resolve) => releases.push(resolve))));
    await expect(gate.run(async () => 'third')).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    releases.forEach((release) => release());
    await Promise.all(running);
    await expect(gate.run(async () => 'after')).resolves.toBe('after');
  });
});
