import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/config';

/** SMTP_URL carries the mailer's password, so a deployment hands it over as a secret file (SMTP_URL_FILE). */
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'smtp-url-file-'));
  writeFileSync(join(dir, 'smtp-url'), 'smtp://mailer:s3cret@mail.example.gov.pk:587\n');
  writeFileSync(join(dir, 'empty'), '\n');
  writeFileSync(join(dir, 'wrong'), 'https://mail.example.gov.pk/\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the SMTP URL from a secret file', () => {
  it('reads the URL, with its password, from the file', () => {
    expect(loadConfig({ SMTP_URL_FILE: join(dir, 'smtp-url') }).mail.smtpUrl).toBe('smtp://mailer:s3cret@mail.example.gov.pk:587');
  });

  it('prefers SMTP_URL when both are set, as EVENTSTORE_URL wins over its file', () => {
    expect(loadConfig({ SMTP_URL: 'smtps://mail.example.gov.pk:465', SMTP_URL_FILE: join(dir, 'smtp-url') }).mail.smtpUrl).toBe('smtps://mail.example.gov.pk:465');
  });

  it('takes an empty file as no SMTP, so the mail goes to the maildir as without SMTP_URL', () => {
    expect(loadConfig({ SMTP_URL_FILE: join(dir, 'empty') }).mail.smtpUrl).toBeUndefined();
  });

  it('refuses a file it cannot read, or one that holds no smtp:// URL, naming the variable and never the content', () => {
    expect(() => loadConfig({ SMTP_URL_FILE: join(dir, 'absent') })).toThrow(/SMTP_URL_FILE: cannot read/);
    expect(() => loadConfig({ SMTP_URL_FILE: join(dir, 'wrong') })).toThrow(/SMTP_URL_FILE: .* does not hold an smtp:\/\/ or smtps:\/\/ URL/);
    expect(() => loadConfig({ SMTP_URL_FILE: join(dir, 'wrong') })).not.toThrow(/https:\/\/mail/);
  });
});
