import { decideAccount, foldAccount, type AccountCommand, type AccountEvent, type Assignment } from '../../domain/account';
import type { Actor } from '../../domain/shared/actor';
import { eventId, streamName } from '../../eventstore/envelope';
import type { RecordedEvent } from '../../eventstore/port';
import { currentVersion, validateForWrite } from '../../eventstore/registry';
import { MailDispatcher } from '../../projections/mail/dispatcher';
import type { MailChannel } from '../../projections/mail/channels';
import type { ReadModelDb } from '../../projections/db';
import type { TestLog } from './support';

export const ADMIN: Actor = { userId: 'u-admin', name: 'Admin', role: 'admin', jurisdiction: 'federal' };

/**
 * An account's stream in the test log, command by command through the real account decider, as
 * identity/account-stream.ts records it.
 */
export class AccountScript {
  private events: AccountEvent[] = [];
  constructor(
    private readonly log: TestLog,
    readonly username: string,
    readonly accountId: string,
  ) {}

  create(assignment: Assignment, email: string | undefined, at: string): RecordedEvent[] {
    return this.run(
      {
        type: 'CreateAccount',
        actor: ADMIN,
        data: { accountId: this.accountId, username: this.username, displayName: this.username, credentialId: `cred-${this.username}`, ...(email ? { email } : {}), assignment, grantId: `g-${this.username}`, passwordExpiresAt: new Date(Date.parse(at) + 72 * 3_600_000).toISOString() },
      },
      at,
    );
  }

  run(command: AccountCommand, at: string): RecordedEvent[] {
    const decided = decideAccount(command, foldAccount(this.events), { now: at, enabledAdmins: 1 });
    const stream = streamName('account', this.username);
    const recorded = decided.map((event, i) =>
      this.log.record({
        id: eventId(stream, this.events.length + i),
        stream,
        revision: this.events.length + i,
        type: event.type,
        data: validateForWrite(event.type, event.data),
        metadata: {
          schemaVersion: currentVersion(event.type),
          actor: { userId: command.actor.userId, name: command.actor.name, role: command.actor.role, jurisdiction: command.actor.jurisdiction },
          occurredAt: at,
          correlationId: `account:${this.username}`,
          causationId: `${command.type}-${this.events.length}`,
          policyVersion: 'accounts-test',
        },
      }),
    );
    this.events = [...this.events, ...decided];
    return recorded;
  }
}

/** An entity officer of pse-moitt (the NOC scripts' entity) with an address. */
export function officerAccount(log: TestLog, username: string, email: string | undefined, at: string, org = 'pse-moitt'): AccountScript {
  const account = new AccountScript(log, username, `id-${username}`);
  account.create({ role: 'pse', jurisdiction: 'federal', organisationId: org }, email, at);
  return account;
}

export function notices(db: ReadModelDb): { id: string; kind: string; subject: string; body: string; audience_kind: string; organisation_id: string | null }[] {
  return db.prepare('SELECT * FROM notices ORDER BY created_at_ms, id').all() as never;
}

/** A dispatcher that retries at once: tests never wait for a back-off. */
export function dispatcher(db: ReadModelDb, channel: MailChannel): MailDispatcher {
  return new MailDispatcher({ db, channel, from: 'Cloud Office <office@example.gov.pk>', retryBaseMs: 0, retryMaxMs: 0 });
}
