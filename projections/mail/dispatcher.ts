import pino, { type Logger } from 'pino';
import type { Jurisdiction, Role } from '../../domain/shared/vocabulary';
import type { ReadModelDb } from '../db';
import { NOTICE_TABLES } from '../notices/notices';
import { caseIdOfStream, resolveRecipients, type Audience, type NoticeOrganisation, type NoticePerson, type Recipient, type TaskHolder } from '../notices/recipients';
import { NOTIFICATION_DELIVERY_TABLES } from '../noc/deliveries';
import { messageIdFor, type MailChannel } from './channels';
import { DUE_NOTICES, FILL_PENDING, MAIL_TABLES, PENDING_COUNT } from './outbox';

/**
 * Mails each notice (projections/notices/) to the people it is addressed to, resolved when it is first
 * sent. notice_mail is the dispatcher's own record, which a rebuild of the notices leaves alone: a
 * rebuilt notice has the same id, finds its row, and is not sent again.
 *
 * The row is written before the mail goes (state `sending`, with its recipients and Message-ID) and
 * marked `sent` after. A crash between the two leaves it `sending`: the next run sends it again, with
 * the same Message-ID and recipients. Through SMTP that is at least once, and a second copy carries
 * the first one's Message-ID; into the maildir it is exactly once (the file is named by the notice).
 */
export { MAIL_TABLES } from './outbox';

export interface MailDispatcherOptions {
  db: ReadModelDb;
  channel: MailChannel;
  from: string;
  logger?: Logger;
  pollMs?: number;
  batchSize?: number;
  /** A failed send waits retryBaseMs × 2^(attempts − 1), at most retryMaxMs, before the next try. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /**
   * Mail only notices of events from the dispatcher's first start on (remembered in notice_mail_since):
   * an office that starts mailing with years of history sends nothing stale. Older notices stay in the
   * inbox and are recorded as `before-mail`.
   */
  fromFirstStart?: boolean;
  /**
   * Who holds a task on which case (the work queue's claims): a staff notice about a held case is
   * mailed to its holder rather than to everyone eligible. None when absent.
   */
  holders?: () => readonly TaskHolder[];
  /** Told each pass's outcome (the projector's metrics count sends and failures from it). */
  onPass?: (result: MailPassResult) => void;
}

interface DueRow {
  id: string;
  subject: string;
  body: string;
  audience: string;
  organisation_id: string | null;
  case_stream: string;
  created_at: string;
  created_at_ms: number;
  state: string | null;
  recipients: string | null;
  attempts: number | null;
  told_before: number;
}

interface PersonRow {
  account_id: string;
  username: string;
  display_name: string;
  role: Role | null;
  jurisdiction: Jurisdiction | null;
  organisation_id: string | null;
  email: string | null;
  disabled: 0 | 1;
}

export interface MailPassResult {
  sent: number;
  failed: number;
}

export class MailDispatcher {
  private readonly db: ReadModelDb;
  private readonly channel: MailChannel;
  private readonly from: string;
  private readonly logger: Logger;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly sinceMs: number | null;
  private readonly holders: () => readonly TaskHolder[];
  private readonly onPass: (result: MailPassResult) => void;
  private running: Promise<void> | undefined;
  private stopRequested = false;
  private wakeUp: (() => void) | undefined;
  /** A wake-up that came during a pass: the notices it announced may have missed that pass's query. */
  private wokenDuringPass = false;

  constructor(options: MailDispatcherOptions) {
    this.db = options.db;
    this.channel = options.channel;
    this.from = options.from;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.pollMs = options.pollMs ?? 1000;
    this.batchSize = options.batchSize ?? 50;
    this.retryBaseMs = options.retryBaseMs ?? 5000;
    this.retryMaxMs = options.retryMaxMs ?? 300_000;
    this.holders = options.holders ?? (() => []);
    this.onPass = options.onPass ?? (() => undefined);
    // The notices projection may not have run yet; its tables exist empty meanwhile.
    this.db.exec(NOTICE_TABLES);
    this.db.exec(NOTIFICATION_DELIVERY_TABLES);
    this.db.exec(MAIL_TABLES);
    this.db.exec(FILL_PENDING);
    if (options.fromFirstStart) {
      this.db.prepare('INSERT OR IGNORE INTO notice_mail_since (id, since_ms) VALUES (1, ?)').run(Date.now());
      this.sinceMs = (this.db.prepare('SELECT since_ms FROM notice_mail_since WHERE id = 1').get() as { since_ms: number }).since_ms;
    } else {
      this.sinceMs = null;
    }
  }

  start(): void {
    if (this.running) return;
    this.stopRequested = false;
    this.running = this.loop();
  }

  /** Stops after the mail in progress, if any. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.wakeUp?.();
    await this.running;
    this.running = undefined;
    this.channel.close?.();
  }

  /**
   * Notices may be due now (the projector committed a batch): a sleeping dispatcher passes at once, a
   * busy one passes again straight after, instead of idling a full poll interval.
   */
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.wokenDuringPass = true;
  }

  /** Notices not mailed yet, including those waiting for a retry. */
  pendingCount(): number {
    return (this.db.prepare(PENDING_COUNT).get() as { n: number }).n;
  }

  /** Sends up to one batch of due notices, oldest first. */
  async dispatchOnce(): Promise<MailPassResult> {
    return (await this.pass()).result;
  }

  /** One batch, and how many due notices it looked at (those it recorded without a mail count too). */
  private async pass(): Promise<{ result: MailPassResult; looked: number }> {
    const rows = this.db
      .prepare(DUE_NOTICES)
      .all(Date.now(), this.batchSize) as DueRow[];
    const result: MailPassResult = { sent: 0, failed: 0 };
    for (const row of rows) {
      if (this.stopRequested) break;
      const messageId = messageIdFor(row.id, this.from);
      if (row.state === null && row.told_before === 1) {
        // The NOC outbox this one replaced delivered it already.
        this.write(row.id, 'already-told', [], messageId, 0, null, null);
        continue;
      }
      if (row.state === null && this.sinceMs !== null && row.created_at_ms < this.sinceMs) {
        this.write(row.id, 'before-mail', [], messageId, 0, null, null);
        continue;
      }
      const recipients = row.recipients === null ? this.recipientsOf(row) : (JSON.parse(row.recipients) as Recipient[]);
      if (recipients.length === 0) {
        this.write(row.id, 'no-recipient', [], messageId, 0, null, null);
        continue;
      }
      const attempts = (row.attempts ?? 0) + 1;
      // Recorded before the mail goes: after a crash the next run knows it may have gone (see above).
      this.write(row.id, 'sending', recipients, messageId, attempts, null, null);
      try {
        await this.channel.send({ noticeId: row.id, messageId, from: this.from, to: recipients, subject: row.subject, text: row.body, date: new Date(row.created_at) });
      } catch (err) {
        result.failed += 1;
        const delay = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (attempts - 1));
        const message = err instanceof Error ? err.message : String(err);
        this.write(row.id, 'retrying', recipients, messageId, attempts, message, Date.now() + delay);
        this.logger.warn({ err, noticeId: row.id, attempts, retryInMs: delay }, 'notice mail failed');
        continue;
      }
      this.db.prepare("UPDATE notice_mail SET state = 'sent', sent_at = ?, last_error = NULL, next_attempt_at_ms = NULL WHERE id = ?").run(new Date().toISOString(), row.id);
      this.logger.info({ noticeId: row.id, to: recipients.map((r) => r.email), channel: this.channel.name }, 'notice mailed');
      result.sent += 1;
    }
    this.onPass(result);
    return { result, looked: rows.length };
  }

  private recipientsOf(row: DueRow): Recipient[] {
    const audience = JSON.parse(row.audience) as Audience;
    const people = (this.db.prepare('SELECT * FROM notice_people WHERE role IS NOT NULL').all() as PersonRow[]).map(
      (p): NoticePerson => ({
        accountId: p.account_id,
        username: p.username,
        displayName: p.display_name,
        role: p.role as Role,
        jurisdiction: p.jurisdiction as Jurisdiction,
        organisationId: p.organisation_id,
        email: p.email,
        active: p.disabled === 0,
      }),
    );
    const organisation =
      audience.kind === 'staff'
        ? undefined
        : (this.db
            .prepare('SELECT organisation_id AS organisationId, kind, contact_name AS contactName, contact_email AS contactEmail FROM notice_organisations WHERE kind = ? AND organisation_id = ?')
            .get(audience.kind, audience.organisationId) as NoticeOrganisation | undefined);
    const caseId = caseIdOfStream(row.case_stream);
    const holderIds = audience.kind === 'staff' ? this.holders().flatMap((h) => (h.caseId === caseId ? [h.userId] : [])) : [];
    return resolveRecipients(audience, people, organisation, holderIds);
  }

  private write(id: string, state: string, recipients: Recipient[], messageId: string, attempts: number, error: string | null, nextAttemptAtMs: number | null): void {
    this.db
      .prepare(
        `INSERT INTO notice_mail (id, state, recipients, message_id, channel, attempts, last_error, next_attempt_at_ms, sent_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, recipients = excluded.recipients, channel = excluded.channel,
           attempts = excluded.attempts, last_error = excluded.last_error, next_attempt_at_ms = excluded.next_attempt_at_ms`,
      )
      .run(id, state, JSON.stringify(recipients), messageId, this.channel.name, attempts, error, nextAttemptAtMs);
    // Looked at: from now on notice_mail says whether it still has to go.
    this.db.prepare('DELETE FROM notice_mail_pending WHERE id = ?').run(id);
  }

  private async loop(): Promise<void> {
    while (!this.stopRequested) {
      let looked = 0;
      try {
        looked = (await this.pass()).looked;
      } catch (err) {
        this.logger.error({ err }, 'notice mail pass failed');
      }
      if (this.stopRequested) break;
      // A full batch (mailed or recorded without a mail: no recipient, before mail, told already) may
      // leave more due: the next pass comes at once. Only a batch that emptied the queue waits.
      if (looked < this.batchSize) await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    if (this.wokenDuringPass) {
      this.wokenDuringPass = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.wakeUp = done;
    });
  }
}
