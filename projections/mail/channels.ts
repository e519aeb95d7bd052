import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Recipient } from '../notices/recipients';

/** One notice as a mail: the same Message-ID every time it is sent, so a second copy can be recognised. */
export interface NoticeMail {
  noticeId: string;
  messageId: string;
  from: string;
  to: readonly Recipient[];
  subject: string;
  text: string;
  /** When the notice happened; the maildir file is named by it. */
  date: Date;
}

export interface MailChannel {
  readonly name: string;
  /** Resolves once the mail is handed over; rejects to have it retried later. */
  send(mail: NoticeMail): Promise<void>;
  close?(): void;
}

/** `<notice.<hash>@<domain of the From address>>`: stable for a notice id, valid whatever the id holds. */
export function messageIdFor(noticeId: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'cloud-office.localhost';
  return `<notice.${createHash('sha256').update(noticeId).digest('hex').slice(0, 40)}@${domain}>`;
}

const message = (mail: NoticeMail) => ({
  from: mail.from,
  to: mail.to.map((r) => ({ name: r.name, address: r.email })),
  subject: mail.subject,
  text: mail.text,
  messageId: mail.messageId,
  date: mail.date,
  headers: { 'X-Cloud-Office-Notice': mail.noticeId },
});

/** Mail through an SMTP server (SMTP_URL). */
export function smtpChannel(url: string): MailChannel {
  const transport = nodemailer.createTransport(url);
  return {
    name: 'smtp',
    async send(mail) {
      const info = await transport.sendMail(message(mail));
      if (info.rejected.length > 0 && info.accepted.length === 0) throw new Error(`The SMTP server refused every recipient: ${info.response}`);
    },
    close() {
      transport.close();
    },
  };
}

/**
 * The default without SMTP_URL: each mail a file in a maildir folder (`new/`, written through `tmp/`
 * and renamed, so a reader never sees half a message). The file's name comes from the notice, so
 * sending one notice again finds its file there (in `new/`, or `cur/` once a reader took it) and
 * writes nothing: delivery into the maildir is exactly once.
 */
export function maildirChannel(folder: string): MailChannel {
  const host = hostname().replace(/[/:]/g, '_');
  const compose = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let ready: Promise<unknown> | undefined;
  const exists = (path: string): Promise<boolean> =>
    stat(path).then(
      () => true,
      () => false,
    );
  return {
    name: 'maildir',
    async send(mail) {
      ready ??= Promise.all(['tmp', 'new', 'cur'].map((d) => mkdir(join(folder, d), { recursive: true })));
      await ready;
      const unique = createHash('sha256').update(mail.noticeId).digest('hex').slice(0, 24);
      const name = `${Math.floor(mail.date.getTime() / 1000)}.M${unique}.${host}`;
      if (await exists(join(folder, 'new', name))) return;
      if ((await readdir(join(folder, 'cur'))).some((f) => f.startsWith(`${name}:`) || f === name)) return;
      const info = await compose.sendMail(message(mail));
      const tmp = join(folder, 'tmp', name);
      await writeFile(tmp, info.message as Buffer);
      await rename(tmp, join(folder, 'new', name));
    },
  };
}
