import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsEvidenceStore } from '../../evidence/fs-store';
import type { EvidenceStore } from '../../evidence/port';
import { sniffContentType } from '../../evidence/sniff';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0]);
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]);
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let dir: string;
let store: EvidenceStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'evidence-'));
  store = createFsEvidenceStore(dir, { maxBytes: 64 });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the filesystem evidence store', () => {
  it('stores a file under its SHA-256 hash, split after two digits, and answers what it found', async () => {
    const file = await store.put(PDF, { filename: 'iso-cert.pdf', contentType: 'application/pdf' });
    expect(file).toEqual({ sha256: hex(PDF), filename: 'iso-cert.pdf', size: PDF.length, contentType: 'application/pdf' });
    const path = join(dir, 'evidence', 'sha256', file.sha256.slice(0, 2), file.sha256.slice(2));
    expect(readFileSync(path)).toEqual(PDF);
    expect(await store.has(file.sha256)).toBe(true);
    expect(await store.read(file.sha256)).toEqual(PDF);
  });

  it('stores the same content once: a second upload writes nothing, answers the same hash and moves the file\'s time to now', async () => {
    const first = await store.put(PDF, { filename: 'a.pdf', contentType: 'application/pdf' });
    const path = join(dir, 'evidence', 'sha256', first.sha256.slice(0, 2), first.sha256.slice(2));
    const longAgo = new Date('2020-01-01T00:00:00.000Z');
    utimesSync(path, longAgo, longAgo);
    const written = statSync(path);
    const second = await store.put(PDF, { filename: 'b.pdf', contentType: 'application/octet-stream' });
    expect(second.sha256).toBe(first.sha256);
    expect(statSync(path).ino).toBe(written.ino);
    expect(readFileSync(path)).toEqual(PDF);
    // The clean-up's grace period runs from this upload, not the first.
    expect(statSync(path).mtimeMs).toBeGreaterThan(longAgo.getTime());
  });

  it('leaves no temporary file behind: the file appears whole, by rename', async () => {
    const file = await store.put(PNG, { filename: 'diagram.png', contentType: 'image/png' });
    expect(readdirSync(join(dir, 'evidence', 'sha256', file.sha256.slice(0, 2)))).toEqual([file.sha256.slice(2)]);
  });

  it('refuses a file over the limit, naming the limit, and stores nothing', async () => {
    await expect(store.put(Buffer.alloc(65, 'a'), { filename: 'big.txt', contentType: 'text/plain' })).rejects.toMatchObject({
      code: 'EVIDENCE_TOO_LARGE',
      message: expect.stringContaining('at most 64'),
    });
    expect(() => readdirSync(join(dir, 'evidence'))).toThrow();
  });

  it('refuses a type outside the allow-list whatever the client declared, and an empty file', async () => {
    await expect(store.put(ELF, { filename: 'report.pdf', contentType: 'application/pdf' })).rejects.toMatchObject({ code: 'EVIDENCE_TYPE_NOT_ALLOWED', field: 'contentType' });
    await expect(store.put(Buffer.alloc(0), { filename: 'empty.txt', contentType: 'text/plain' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', field: 'file' });
  });

  it('tells an intact file from an altered or a missing one', async () => {
    const file = await store.put(PDF, { filename: 'a.pdf', contentType: 'application/pdf' });
    expect(await store.check(file.sha256)).toBe('intact');
    writeFileSync(join(dir, 'evidence', 'sha256', file.sha256.slice(0, 2), file.sha256.slice(2)), Buffer.from('%PDF-forged'));
    expect(await store.check(file.sha256)).toBe('altered');
    expect(await store.check(hex(PNG))).toBe('missing');
  });

  it('never lets something other than a hash become a path', async () => {
    await expect(store.read('../../../etc/passwd')).rejects.toThrow();
  });
});

describe('sniffing the content type from the bytes', () => {
  it('knows the binary formats by their leading bytes, whatever was declared', () => {
    expect(sniffContentType(PDF, 'text/plain')).toBe('application/pdf');
    expect(sniffContentType(PNG, 'image/jpeg')).toBe('image/png');
    expect(sniffContentType(JPEG, undefined)).toBe('image/jpeg');
  });

  it('takes a ZIP for the office document it is declared as, and for a ZIP otherwise', () => {
    expect(sniffContentType(ZIP, DOCX)).toBe(DOCX);
    expect(sniffContentType(ZIP, 'application/pdf')).toBe('application/zip');
    expect(sniffContentType(OLE, 'application/msword')).toBe('application/msword');
    expect(sniffContentType(OLE, 'application/octet-stream')).toBeUndefined();
  });

  it('takes UTF-8 text as CSV or JSON when declared so (JSON only when it parses), as plain text otherwise', () => {
    expect(sniffContentType(Buffer.from('a,b\n1,2\n'), 'text/csv; charset=utf-8')).toBe('text/csv');
    expect(sniffContentType(Buffer.from('{"a":1}'), 'application/json')).toBe('application/json');
    expect(sniffContentType(Buffer.from('{"a":'), 'application/json')).toBeUndefined();
    expect(sniffContentType(Buffer.from('notes'), 'image/png')).toBe('text/plain');
    expect(sniffContentType(Buffer.from([0x61, 0x00, 0x62]), 'text/plain')).toBeUndefined();
    expect(sniffContentType(ELF, undefined)).toBeUndefined();
    expect(sniffContentType(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]), 'text/plain')).toBeUndefined();
    expect(sniffContentType(Buffer.from('a\tb\r\nc\n'), 'text/plain')).toBe('text/plain');
  });
});
