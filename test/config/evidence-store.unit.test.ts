import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/config';

/** Where evidence files are kept: the data folder by default, an S3-compatible bucket when one is named. */
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'evidence-store-config-'));
  writeFileSync(join(dir, 'key-id'), 'AKIAEVIDENCE\n');
  writeFileSync(join(dir, 'secret'), 'wJalrXUtnFEMI/s3cret\n');
  writeFileSync(join(dir, 'empty'), '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the evidence store setting', () => {
  it('keeps files in the data folder when no bucket is named', () => {
    expect(loadConfig({}).evidence.store).toEqual({ kind: 'fs' });
  });

  it('names the bucket on AWS with the SDK’s own credentials: virtual-host addressing, no endpoint, no credentials of its own', () => {
    expect(loadConfig({ EVIDENCE_S3_BUCKET: 'office-evidence', EVIDENCE_S3_REGION: 'me-central-1' }).evidence.store).toEqual({
      kind: 's3',
      bucket: 'office-evidence',
      region: 'me-central-1',
      forcePathStyle: false,
    });
  });

  it('addresses an S3-compatible server by path, and reads the key pair from secret files', () => {
    const store = loadConfig({
      EVIDENCE_S3_BUCKET: 'evidence',
      EVIDENCE_S3_ENDPOINT: 'https://s3.example.gov.pk',
      EVIDENCE_S3_ACCESS_KEY_ID_FILE: join(dir, 'key-id'),
      EVIDENCE_S3_SECRET_ACCESS_KEY_FILE: join(dir, 'secret'),
    }).evidence.store;
    expect(store).toEqual({
      kind: 's3',
      bucket: 'evidence',
      region: 'us-east-1',
      endpoint: 'https://s3.example.gov.pk',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIAEVIDENCE', secretAccessKey: 'wJalrXUtnFEMI/s3cret' },
    });
    expect(loadConfig({ EVIDENCE_S3_BUCKET: 'evidence', EVIDENCE_S3_ENDPOINT: 'https://s3.example.gov.pk', EVIDENCE_S3_FORCE_PATH_STYLE: 'false' }).evidence.store).toMatchObject({
      forcePathStyle: false,
    });
  });

  it('refuses a bucket name S3 would refuse, and an endpoint that is not a URL', () => {
    expect(() => loadConfig({ EVIDENCE_S3_BUCKET: 'Office_Evidence' })).toThrow(/EVIDENCE_S3_BUCKET: an S3 bucket name/);
    expect(() => loadConfig({ EVIDENCE_S3_BUCKET: 'evidence', EVIDENCE_S3_ENDPOINT: 's3.example.gov.pk' })).toThrow(/EVIDENCE_S3_ENDPOINT/);
  });

  it('refuses bucket settings without a bucket, rather than keep files in the data folder unasked', () => {
    expect(() => loadConfig({ EVIDENCE_S3_ENDPOINT: 'https://s3.example.gov.pk' })).toThrow(/EVIDENCE_S3_ENDPOINT: set only with EVIDENCE_S3_BUCKET/);
  });

  it('refuses half a key pair, and a secret file it cannot read or that is empty, naming the variable and never the content', () => {
    expect(() => loadConfig({ EVIDENCE_S3_BUCKET: 'evidence', EVIDENCE_S3_ACCESS_KEY_ID_FILE: join(dir, 'key-id') })).toThrow(/go together/);
    const unreadable = { EVIDENCE_S3_BUCKET: 'evidence', EVIDENCE_S3_ACCESS_KEY_ID_FILE: join(dir, 'absent'), EVIDENCE_S3_SECRET_ACCESS_KEY_FILE: join(dir, 'secret') };
    expect(() => loadConfig(unreadable)).toThrow(/EVIDENCE_S3_ACCESS_KEY_ID_FILE: cannot read/);
    const empty = { EVIDENCE_S3_BUCKET: 'evidence', EVIDENCE_S3_ACCESS_KEY_ID_FILE: join(dir, 'key-id'), EVIDENCE_S3_SECRET_ACCESS_KEY_FILE: join(dir, 'empty') };
    expect(() => loadConfig(empty)).toThrow(/EVIDENCE_S3_SECRET_ACCESS_KEY_FILE: .* is empty/);
    const secondUnreadable = { EVIDENCE_S3_BUCKET: 'evidence', EVIDENCE_S3_ACCESS_KEY_ID_FILE: join(dir, 'key-id'), EVIDENCE_S3_SECRET_ACCESS_KEY_FILE: join(dir, 'absent') };
    expect(() => loadConfig(secondUnreadable)).toThrow(/^(?![\s\S]*AKIAEVIDENCE)[\s\S]*EVIDENCE_S3_SECRET_ACCESS_KEY_FILE: cannot read/);
  });
});
