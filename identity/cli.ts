import { parseArgs } from 'node:util';
import { runToCompletion } from '../cli/output';
import { loadConfig } from '../config/config';
import { DomainError } from '../domain/shared/errors';
import { createIdentity, type Identity } from './identity';
import { loadMfaKey } from './secret-box';
import { promptHidden } from './prompt';
import { PASSWORD_MIN_LENGTH, type AccountInput, type AccountView } from './schemas';
import { generatePassword } from './tokens';

/**
 * `npm run accounts -- <command>`: the operator's tool for accounts. Exit codes: 0 done, 2 bad input
 * (unknown command or option, a field breaking its rule), 1 anything else (no such account, a taken
 * username, a broken database).
 */
export const USAGE = `Usage: npm run accounts -- <command> [options]

Commands:
  add --username NAME --role ROLE --jurisdiction J [--organisation ORG] [--name "Display Name"] [--password PW]
      Creates an account. Without --password you are asked for one (empty: generate one); when not
      at a terminal a password is generated. A generated password is printed once.
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
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ALLOWED: Record<string, readonly (keyof typeof OPTIONS)[]> = {
  add: ['username', 'role', 'jurisdiction', 'organisation', 'name', 'password'],
  list: ['json'],
  disable: ['username'],
  enable: ['username'],
  'reset-password': ['username', 'password'],
  'reset-mfa': ['username'],
};

function formatAccount(a: AccountView): string {
  const org = a.organisationId ? ` org=${a.organisationId}` : '';
  const off = a.disabled ? ' [disabled]' : '';
  return `${a.username.padEnd(20)} ${a.role.padEnd(18)} ${a.jurisdiction.padEnd(18)} ${a.displayName}${org}${off}`;
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

export async function runCli(argv: readonly string[], openIdentity: () => Identity, io: CliIo): Promise<number> {
  let identity: Identity | undefined;
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

    identity = openIdentity();
    switch (command) {
      case 'add': {
        if (values.username === undefined) throw new UsageError('--username: is required');
        const { password, generated } = await choosePassword(values.password, io);
        const account = await identity.createAccount({
          username: values.username,
          displayName: values.name,
          // Checked by the account schema, which names the field when they are not a known role or jurisdiction.
          role: values.role as AccountInput['role'],
          jurisdiction: values.jurisdiction as AccountInput['jurisdiction'],
          organisationId: values.organisation,
          password,
        });
        io.out(`Created ${account.username} (${account.role}, ${account.jurisdiction}), id ${account.id}`);
        if (generated) io.out(`Password for ${account.username} (shown once): ${password}`);
        return 0;
      }
      case 'list': {
        const accounts = identity.listAccounts();
        if (values.json) io.out(JSON.stringify(accounts, null, 2));
        else if (accounts.length === 0) io.out('No accounts.');
        else accounts.forEach((a) => io.out(formatAccount(a)));
        return 0;
      }
      case 'disable':
      case 'enable': {
        if (target === undefined) throw new UsageError(`--username: is required (or: ${command} NAME)`);
        const account = identity.setDisabled(target, command === 'disable');
        io.out(`${account.username} is ${account.disabled ? 'disabled; its sessions have ended' : 'enabled'}`);
        return 0;
      }
      case 'reset-password': {
        if (target === undefined) throw new UsageError('--username: is required (or: reset-password NAME)');
        const { password, generated } = await choosePassword(values.password, io);
        await identity.resetPassword(target, password);
        io.out(`Password of ${target} changed; its sessions have ended`);
        if (generated) io.out(`New password for ${target} (shown once): ${password}`);
        return 0;
      }
      case 'reset-mfa': {
        if (target === undefined) throw new UsageError('--username: is required (or: reset-mfa NAME)');
        identity.resetMfa(target);
        io.out(`Second factor of ${target} reset; its sessions have ended and it enrols again at the next sign-in`);
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
    identity?.close();
  }
}

if (require.main === module) {
  const io: CliIo = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    askPassword: process.stdin.isTTY ? (question) => promptHidden(question) : undefined,
  };
  const open = (): Identity => {
    const config = loadConfig();
    return createIdentity({ path: config.identityPath, sessionTtlHours: config.sessionTtlHours, mfaKey: loadMfaKey(config.mfa) });
  };
  runToCompletion(
    () => runCli(process.argv.slice(2), open, io),
    (err) => {
      process.stderr.write(`error: ${String(err)}\n`);
      return 1;
    },
  );
}
