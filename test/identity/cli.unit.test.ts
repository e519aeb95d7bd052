import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { runCli, type CliIdentity, type CliIo } from '../../identity/cli';
import { createIdentity, TEST_PASSWORD_COST } from '../../identity';
import { testTotp } from '../support/mfa';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'accounts-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** As the CLI opens it: the identity database and the event store of one deployment. */
const openIdentity = async (): Promise<CliIdentity> => {
  const store = new HashChainedEventStore(await openSqliteEventStore({ path: join(dir, 'events.db') }));
  const identity = createIdentity({ path: join(dir, 'identity.db'), sessionTtlHours: 1, passwordCost: TEST_PASSWORD_COST, store });
  return {
    identity,
    async close() {
      identity.close();
      await store.close();
    },
  };
};

async function run(args: string[], answers?: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l) };
  if (answers) io.askPassword = async () => answers.shift() ?? '';
  const code = await runCli(args, openIdentity, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run accounts', () => {
  it('adds an account with a generated password, printed once, that logs in', async () => {
    const res = await run(['add', '--username', 'Pse.One', '--role', 'pse', '--jurisdiction', 'punjab', '--organisation', 'pse-lahore', '--name', 'Pervez']);
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/Created pse\.one \(pse, punjab\)/);
    const password = /shown once\): (\S+)/.exec(res.out)?.[1] ?? '';
    const opened = await openIdentity();
    // The password is right: the account is refused only for want of an authenticator, enrolled at first sign-in.
    await expect(opened.identity.login({ username: 'pse.one', password })).rejects.toMatchObject({ code: 'MFA_ENROLMENT_REQUIRED' });
    expect(opened.identity.findAccount('pse.one')).toMatchObject({ displayName: 'Pervez', organisationId: 'pse-lahore' });
    await opened.close();
  });

  it('records an email address at creation, changes and removes it, and lists it', async () => {
    expect((await run(['add', '--username', 'rev', '--role', 'reviewer', '--jurisdiction', 'federal', '--email', 'Rev@Office.gov.pk', '--password', 'reviewer password'])).code).toBe(0);
    expect((await run(['list'])).out).toMatch(/rev .*<rev@office\.gov\.pk>/);
    expect(await run(['set-email', 'rev', '--email', 'rania@office.gov.pk'])).toMatchObject({ code: 0, out: 'Notices of rev are mailed to rania@office.gov.pk' });
    expect(await run(['set-email', 'rev', '--email', ''])).toMatchObject({ code: 0, out: 'rev has no email address: notices stay in the inbox' });
    expect((await run(['set-email', 'rev', '--email', 'nope'])).err).toMatch(/email/);
  });

  it('asks for the password twice at a terminal, and refuses two different entries', async () => {
    const asked = await run(['add', '--username', 'rev', '--role', 'reviewer', '--jurisdiction', 'federal'], ['typed at the prompt', 'typed at the prompt']);
    expect(asked.code).toBe(0);
    expect(asked.out).not.toMatch(/shown once/);
    const differ = await run(['add', '--username', 'rev2', '--role', 'reviewer', '--jurisdiction', 'federal'], ['typed at the prompt', 'something else!!']);
    expect(differ.code).toBe(2);
    expect(differ.err).toMatch(/--password: the two entries differ/);
  });

  it.each([
    [['add', '--username', 'x1', '--role', 'reviewer', '--jurisdiction', 'federal'], /--username: must be 3 to 32 characters/],
    [['add', '--username', 'bob', '--role', 'boss', '--jurisdiction', 'federal'], /--role: Invalid option/],
    [['add', '--username', 'bob', '--role', 'pse', '--jurisdiction', 'federal'], /--organisation: is required for the pse role/],
    [['add', '--username', 'bob', '--role', 'director', '--jurisdiction', 'federal', '--organisation', 'acme'], /--organisation: is only for csp and pse accounts/],
    [['add', '--username', 'bob', '--role', 'director', '--jurisdiction', 'federal', '--password', 'short'], /--password: must be at least 12 characters/],
    [['add', '--role', 'director'], /--username: is required/],
    [['frobnicate'], /Unknown command "frobnicate"/],
    [['list', '--colour'], /Unknown option '--colour'/],
    [['list', '--password', 'x'], /--password is not an option of list/],
    [[], /Usage:/],
  ])('exits 2 on bad input with a message naming the field and rule (%#)', async (args, message) => {
    const res = await run(args);
    expect(res.code).toBe(2);
    expect(`${res.err}\n${res.out}`).toMatch(message);
  });

  it('lists, disables, enables and resets passwords, exiting 1 for an unknown account', async () => {
    await run(['add', '--username', 'dir', '--role', 'director', '--jurisdiction', 'federal', '--password', 'director password']);
    expect((await run(['list'])).out).toMatch(/^dir\s+director\s+federal/);
    expect((await run(['disable', 'dir'])).out).toMatch(/dir is disabled/);
    expect((await run(['list'])).out).toMatch(/\[disabled\]/);
    expect((await run(['enable', '--username', 'dir'])).out).toMatch(/dir is enabled/);
    const reset = await run(['reset-password', 'dir']);
    expect(reset.code).toBe(0);
    expect(reset.out).toMatch(/New password for dir \(shown once\): \S+/);
    const missing = await run(['disable', 'ghost']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/No account named ghost/);
    const json = JSON.parse((await run(['list', '--json'])).out);
    expect(json).toEqual([expect.objectContaining({ username: 'dir', disabled: false })]);
  });

  it('resets an account\'s second factor, after which it must enrol again', async () => {
    await run(['add', '--username', 'rev', '--role', 'reviewer', '--jurisdiction', 'federal', '--password', 'reviewer password']);
    const store = new HashChainedEventStore(await openSqliteEventStore({ path: join(dir, 'events.db') }));
    const identity = createIdentity({ path: join(dir, 'identity.db'), sessionTtlHours: 1, passwordCost: TEST_PASSWORD_COST, store, mfaNow: testTotp.now });
    try {
      const { token } = await testTotp.enrol(identity, 'rev', 'reviewer password', 'the reviewer’s own password');
      const reset = await run(['reset-mfa', 'rev']);
      expect(reset).toMatchObject({ code: 0, out: expect.stringMatching(/Second factor of rev reset/) });
      expect(identity.authenticate(token)).toBeUndefined();
      const login = identity.login({ username: 'rev', password: 'the reviewer’s own password', code: testTotp.code('rev') });
      await expect(login).rejects.toMatchObject({ code: 'MFA_ENROLMENT_REQUIRED' });
      expect((await run(['reset-mfa', 'ghost'])).code).toBe(1);
      const last = (await store.readStream('account-rev')).at(-1);
      expect(last).toMatchObject({ type: 'AccountMfaReset', metadata: { actor: { name: 'operator console' } } });
    } finally {
      identity.close();
      await store.close();
    }
  });

  it('exits 1 when the username is taken', async () => {
    await run(['add', '--username', 'aud', '--role', 'auditor', '--jurisdiction', 'federal']);
    const again = await run(['add', '--username', 'aud', '--role', 'auditor', '--jurisdiction', 'federal']);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already exists/);
  });

  it('bootstraps an administrator from the console only while no enabled one exists, recorded as the operator console', async () => {
    const first = await run(['add', '--username', 'root', '--role', 'admin', '--jurisdiction', 'federal', '--password', 'root password!']);
    expect(first.out).toMatch(/^Created root \(admin, federal\), id \S+\nThat password serves once/);
    const second = await run(['add', '--username', 'second', '--role', 'admin', '--jurisdiction', 'federal', '--password', 'second password']);
    expect(second.out).toMatch(/the admin role awaits a second administrator's approval \(grant \S+\)/);
    expect((await run(['pending'])).out).toMatch(/^second\s+admin\s+federal\s+grant \S+ asked by operator-console/);
    const opened = await openIdentity();
    await expect(opened.identity.login({ username: 'second', password: 'second password' })).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    const store = new HashChainedEventStore(await openSqliteEventStore({ path: join(dir, 'events.db') }));
    await opened.close();
    const actors = (await store.readStream('account-second')).map((e) => [e.type, e.metadata.actor.name]);
    await store.close();
    expect(actors).toEqual([
      ['AccountCreated', 'operator console'],
      ['AccountGrantRequested', 'operator console'],
    ]);
  });

  it('changes a role at once or as a pending grant, and rejects a pending grant', async () => {
    await run(['add', '--username', 'rev', '--role', 'reviewer', '--jurisdiction', 'federal', '--password', 'reviewer password']);
    expect((await run(['set-role', 'rev', '--role', 'provincial-officer', '--jurisdiction', 'punjab'])).out).toBe('rev is now provincial-officer (punjab)');
    const asked = await run(['set-role', '--username', 'rev', '--role', 'director', '--jurisdiction', 'federal']);
    expect(asked.out).toMatch(/^rev keeps provincial-officer \(punjab\); the director role awaits/);
    const grant = /grant (\S+)\)/.exec(asked.out)?.[1] ?? '';
    expect((await run(['set-role', 'rev', '--role', 'reviewer', '--jurisdiction', 'federal'])).err).toMatch(/awaiting approval/);
    expect((await run(['reject', 'rev', '--grant', grant])).err).toMatch(/--reason: is required/);
    expect((await run(['reject', 'rev', '--grant', grant, '--reason', 'Not a director'])).out).toBe(`Grant ${grant} of rev rejected`);
    expect((await run(['pending'])).out).toBe('No grants await approval.');
    expect((await run(['reject', 'rev', '--grant', grant, '--reason', 'Again'])).code).toBe(1);
  });
});
