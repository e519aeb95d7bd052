import { parseArgs } from 'node:util';
import { runToCompletion } from '../cli/output';
import { loadConfig } from '../config/config';
import { OPERATOR_CONSOLE_ACTOR, PRIVILEGED_ROLES } from '../domain/account/policy';
import { DomainError } from '../domain/shared/errors';
import { createEventStore } from '../eventstore';
import { createIdentity, type Identity } from './identity';
import { loadMfaKey } from './secret-box';
import type { PendingGrantEntry } from './accounts';
import { promptHidden } from './prompt';
import { PASSWORD_MIN_LENGTH, type AccountInput, type AccountView } from './schemas';
import { generatePassword } from './tokens';

/** Passwords set here serve once (identity.ts): the person is told so with the password. */
const ONE_TIME_NOTE =
  'That password serves once, within ONE_TIME_PASSWORD_TTL_HOURS (72 by default): at the next sign-in the person enrols an authenticator and chooses their own.';

/**
 * `npm run accounts -- <command>`: the operator's tool for accounts. Every change is recorded as an
 * event of the actor "operator console" (someone at the machine, not a signed-in person). Exit codes:
 * 0 done, 2 bad input (unknown command or option, a field breaking its rule), 1 anything else (no
 * such account, a taken username, a refused change, a broken database).
 */
export const USAGE = `Usage: npm run accounts -- <command> [options]

Commands:
  add --username NAME --role ROLE --jurisdiction J [--organisation ORG] [--name "Display Name"] [--email ADDRESS] [--password PW]
      Creates an account. Without --password you are asked for one (empty: generate one); when not
      at a terminal a password is generated. A generated password is printed once.
      A privileged role (${PRIVILEGED_ROLES.join(', ')}) waits for a second administrator to approve
      it (API or /ui/accounts); the account cannot sign in until then. Only an admin role given while
      no enabled admin account exists takes effect at once (bootstrap).
  set-role NAME | --username NAME --role ROLE --jurisdiction J [--organisation ORG]
      Changes the role, jurisdiction or organisation: at once, or (privileged) as a grant awaiting
      approval, the account keeping its role in force meanwhile.
  set-email NAME | --username NAME --email ADDRESS
      Sets the address the account's notices are mailed to; --email "" removes it (inbox only).
  pending [--json]
      Lists the grants awaiting approval.
  reject NAME | --username NAME --grant GRANT_ID --reason TEXT
      Rejects a pending grant. Approving is for a signed-in administrator, never the console.
  list [--json]
      Lists the accounts.
  disable NAME | --username NAME
      Disables an account and ends its sessions.
  enable NAME | --username NAME
      Enables a disabled account.
  reset-password NAME | --username NAME [--password PW]
      Sets a new password (asked for or generated as for add) and ends the account's sessions.
  reset-mfa NAME | --username NAME
      Forgets the account's authenticator and recovery codes and ends its sessions; the person
      enrols a new authenticator at their next sign-in.

Roles: csp, pse, reviewer, security-reviewer, director, provincial-officer, auditor, admin
Jurisdictions: federal, punjab, sindh, khyber-pakhtunkhwa, balochistan, gilgit-baltistan, azad-jammu-kashmir
--organisation is required for csp and pse accounts and refused for the others.
`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Asks for a password without echo; undefined when there is no terminal to ask at. */
  askPassword?: (question: string) => Promise<string>;
}

class UsageError extends Error {}

const OPTIONS = {
  username: { type: 'string' },
  role: { type: 'string' },
  jurisdiction: { type: 'string' },
  organisation: { type: 'string' },
  name: { type: 'string' },
  password: { type: 'string' },
  email: { type: 'string' },
  grant: { type: 'string' },
  reason: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ALLOWED: Record<string, readonly (keyof typeof OPTIONS)[]> = {
  add: ['username', 'role', 'jurisdiction', 'organisation', 'name', 'email', 'password'],
  'set-email': ['username', 'email'],
  list: ['json'],
  'set-role': ['username', 'role', 'jurisdiction', 'organisation'],
  pending: ['json'],
  reject: ['username', 'grant', 'reason'],
  disable: ['username'],
  enable: ['username'],
  'reset-password': ['username', 'password'],
  'reset-mfa': ['username'],
};

function formatAccount(a: AccountView): string {
  const org = a.organisationId ? ` org=${a.organisationId}` : '';
  const off = a.status === 'active' ? '' : ` [${a.status}]`;
  const grant = a.pendingGrant ? ` [grant ${a.pendingGrant.grantId}: ${a.pendingGrant.role} awaiting approval]` : '';
  const email = a.email ? ` <${a.email}>` : '';
  return `${a.username.padEnd(20)} ${a.role.padEnd(18)} ${a.jurisdiction.padEnd(18)} ${a.displayName}${email}${org}${off}${grant}`;
}

function formatGrant(p: PendingGrantEntry): string {
  const g = p.grant;
  const org = g.organisationId ? ` org=${g.organisationId}` : '';
  return `${p.username.padEnd(20)} ${g.role.padEnd(18)} ${g.jurisdiction.padEnd(18)} grant ${g.grantId} asked by ${g.requestedBy} at ${g.requestedAt}${org}`;
}

/** What happened to the role asked for: in force, or waiting for a second administrator. */
function roleOutcome(a: AccountView): string {
  if (a.pendingGrant) return `; the ${a.pendingGrant.role} role awaits a second administrator's approval (grant ${a.pendingGrant.grantId})`;
  return '';
}

async function choosePassword(given: string | undefined, io: CliIo): Promise<{ password: string; generated: boolean }> {
  if (given !== undefined) return { password: given, generated: false };
  if (io.askPassword) {
    const first = await io.askPassword(`Password (at least ${PASSWORD_MIN_LENGTH} characters; empty to generate one): `);
    if (first === '') return { password: generatePassword(), generated: true };
    const second = await io.askPassword('Repeat the password: ');
    if (first !== second) throw new UsageError('--password: the two entries differ');
    return { password: first, generated: false };
  }
  return { password: generatePassword(), generated: true };
}

/** Fields are named as the operator typed them: --organisation, not organisationId. */
const FLAG_OF_FIELD: Record<string, string> = { organisationId: 'organisation', displayName: 'name' };

function describe(err: DomainError): string {
  if (err.field === undefined) return err.message;
  const flag = FLAG_OF_FIELD[err.field] ?? err.field;
  const rule = err.message.startsWith(`${err.field}: `) ? err.message.slice(err.field.length + 2) : err.message;
  return `--${flag}: ${rule}`;
}

/** The identity over the deployment's event store; close releases both. */
export interface CliIdentity {
  identity: Identity;
  close(): Promise<void> | void;
}

export async function runCli(argv: readonly string[], openIdentity: () => Promise<CliIdentity>, io: CliIo): Promise<number> {
  let opened: CliIdentity | undefined;
  try {
    const { positionals, values } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    const [command, ...rest] = positionals;
    if (values.help || command === undefined || command === 'help') {
      io.out(USAGE);
      return command === undefined && !values.help ? 2 : 0;
    }
    const allowed = ALLOWED[command];
    if (!allowed) throw new UsageError(`Unknown command "${command}"`);
    for (const key of Object.keys(values) as (keyof typeof OPTIONS)[]) {
      if (key !== 'help' && !allowed.includes(key)) throw new UsageError(`--${key} is not an option of ${command}`);
    }
    const target = values.username ?? rest[0];
    if (rest.length > (values.username === undefined ? 1 : 0)) throw new UsageError(`Unexpected argument "${rest.at(-1)}"`);

    opened = await openIdentity();
    const { identity } = opened;
    const actor = OPERATOR_CONSOLE_ACTOR;
    switch (command) {
      case 'add': {
        if (values.username === undefined) throw new UsageError('--username: is required');
        const { password, generated } = await choosePassword(values.password, io);
        const account = await identity.createAccount(actor, {
          username: values.username,
          displayName: values.name,
          // Checked by the account schema, which names the field when they are not a known role or jurisdiction.
          role: values.role as AccountInput['role'],
          jurisdiction: values.jurisdiction as AccountInput['jurisdiction'],
          organisationId: values.organisation,
          ...(values.email === undefined ? {} : { email: values.email }),
          password,
        });
        io.out(`Created ${account.username} (${account.role}, ${account.jurisdiction}), id ${account.id}${roleOutcome(account)}`);
        if (generated) io.out(`Password for ${account.username} (shown once): ${password}`);
        io.out(ONE_TIME_NOTE);
        return 0;
      }
      case 'list': {
        await identity.catchUp();
        const accounts = identity.listAccounts();
        if (values.json) io.out(JSON.stringify(accounts, null, 2));
        else if (accounts.length === 0) io.out('No accounts.');
        else accounts.forEach((a) => io.out(formatAccount(a)));
        return 0;
      }
      case 'disable':
      case 'enable': {
        if (target === undefined) throw new UsageError(`--username: is required (or: ${command} NAME)`);
        const account = await identity.setDisabled(actor, target, command === 'disable');
        io.out(`${account.username} is ${account.disabled ? 'disabled; its sessions have ended' : 'enabled'}`);
        return 0;
      }
      case 'reset-password': {
        if (target === undefined) throw new UsageError('--username: is required (or: reset-password NAME)');
        const { password, generated } = await choosePassword(values.password, io);
        await identity.resetPassword(actor, target, password);
        io.out(`Password of ${target} changed; its sessions have ended`);
        if (generated) io.out(`New password for ${target} (shown once): ${password}`);
        io.out(ONE_TIME_NOTE);
        return 0;
      }
      case 'reset-mfa': {
        if (target === undefined) throw new UsageError('--username: is required (or: reset-mfa NAME)');
        await identity.resetMfa(actor, target);
        io.out(`Second factor of ${target} reset; its sessions have ended and it enrols again at the next sign-in`);
        io.out(ONE_TIME_NOTE);
        return 0;
      }
      case 'set-role': {
        if (target === undefined) throw new UsageError('--username: is required (or: set-role NAME)');
        const account = await identity.changeAssignment(actor, target, {
          role: values.role as AccountInput['role'],
          jurisdiction: values.jurisdiction as AccountInput['jurisdiction'],
          organisationId: values.organisation,
        });
        io.out(
          account.pendingGrant
            ? `${account.username} keeps ${account.role} (${account.jurisdiction})${roleOutcome(account)}`
            : `${account.username} is now ${account.role} (${account.jurisdiction})`,
        );
        return 0;
      }
      case 'set-email': {
        if (target === undefined) throw new UsageError('--username: is required (or: set-email NAME)');
        if (values.email === undefined) throw new UsageError('--email: is required ("" removes the address)');
        const account = await identity.changeEmail(actor, target, values.email.trim() === '' ? null : values.email);
        io.out(account.email ? `Notices of ${account.username} are mailed to ${account.email}` : `${account.username} has no email address: notices stay in the inbox`);
        return 0;
      }
      case 'pending': {
        await identity.catchUp();
        const grants = identity.listPendingGrants();
        if (values.json) io.out(JSON.stringify(grants, null, 2));
        else if (grants.length === 0) io.out('No grants await approval.');
        else grants.forEach((g) => io.out(formatGrant(g)));
        return 0;
      }
      case 'reject': {
        if (target === undefined) throw new UsageError('--username: is required (or: reject NAME)');
        if (values.grant === undefined) throw new UsageError('--grant: is required');
        if (values.reason === undefined) throw new UsageError('--reason: is required');
        await identity.rejectGrant(actor, target, values.grant, values.reason);
        io.out(`Grant ${values.grant} of ${target} rejected`);
        return 0;
      }
      default:
        throw new UsageError(`Unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`error: ${err.message}`);
      io.err('Run "npm run accounts -- help" for usage.');
      return 2;
    }
    if (err instanceof DomainError) {
      io.err(`error: ${describe(err)}`);
      return err.kind === 'validation' ? 2 : 1;
    }
    // parseArgs reports unknown options and missing values with these codes.
    const code = (err as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      io.err(`error: ${(err as Error).message}`);
      io.err('Run "npm run accounts -- help" for usage.');
      return 2;
    }
    io.err(`error: ${(err as Error).message ?? String(err)}`);
    return 1;
  } finally {
    await opened?.close();
  }
}

if (require.main === module) {
  const io: CliIo = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    askPassword: process.stdin.isTTY ? (question) => promptHidden(question) : undefined,
  };
  const open = async (): Promise<CliIdentity> => {
    const config = loadConfig();
    const store = await createEventStore(config.eventStore);
    const identity = createIdentity({ path: config.identityPath, sessionTtlHours: config.sessionTtlHours, oneTimePasswordTtlHours: config.oneTimePasswordTtlHours, store, mfaKey: loadMfaKey(config.mfa) });
    return {
      identity,
      async close() {
        identity.close();
        await store.close();
      },
    };
  };
  runToCompletion(
    () => runCli(process.argv.slice(2), open, io),
    (err) => {
      process.stderr.write(`error: ${String(err)}\n`);
      return 1;
    },
  );
}
