import { createHash } from 'node:crypto';
import type { RecordedEvent } from '../../eventstore/port';
import { collectUnreferencedEvidence } from '../../evidence/gc';
import type { EvidenceStore } from '../../evidence/port';

/** One store made for one test, with a way behind its back to the bytes it keeps. */
export interface ContractSubject {
  store: EvidenceStore;
  /** Replaces the stored bytes of a file without the store's checks, as a tampering operator would. */
  tamper(sha256: string, content: Buffer): Promise<void>;
  dispose(): Promise<void>;
}

/** The largest file the stores under contract accept. */
export const CONTRACT_MAX_BYTES = 64;

export const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]);
const hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const drain = async (stream: AsyncIterable<Uint8Array>): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
};

const listed = async (store: EvidenceStore): Promise<string[]> => {
  const hashes: string[] = [];
  for await (const file of store.list()) hashes.push(file.sha256);
  return hashes.sort();
};

const timesOf = async (store: EvidenceStore): Promise<Date[]> => {
  const times: Date[] = [];
  for await (const file of store.list()) times.push(file.storedAt);
  return times;
};

/** A log in which one review's evidence names the given files. */
function logNaming(files: { sha256: string; size: number }[]): { readAll(): Promise<RecordedEvent[]> } {
  const event = {
    id: 'e1',
    stream: 'review-REV-1',
    revision: 1,
    position: { commit: 1n, prepare: 1n },
    type: 'ReviewEvidenceSubmitted',
    data: { files: files.map((f) => ({ ...f, filename: 'kept.pdf', contentType: 'application/pdf' })) },
    metadata: {},
    recordedAt: new Date().toISOString(),
  } as unknown as RecordedEvent;
  return { readAll: async () => [event] };
}

const HOUR = 60 * 60 * 1000;

/**
 * What every evidence store promises, run over each adapter: the data folder and an S3-compatible
 * bucket behind a real server.
 */
export function evidenceStoreContract(name: string, make: () => Promise<ContractSubject>): void {
  describe(`the ${name} evidence store`, () => {
    let subject: ContractSubject;
    let store: EvidenceStore;
    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => subject.dispose());

    it('stores a file under its SHA-256 hash and gives back the same bytes, whole or streamed', async () => {
      const file = await store.put(PDF, { filename: 'iso-cert.pdf', contentType: 'application/pdf' });
      expect(file).toEqual({ sha256: hex(PDF), filename: 'iso-cert.pdf', size: PDF.length, contentType: 'application/pdf' });
      expect(await store.has(file.sha256)).toBe(true);
      expect(await store.read(file.sha256)).toEqual(PDF);
      const stream = await store.open(file.sha256);
      expect(stream && (await drain(stream))).toEqual(PDF);
      expect(await store.check(file.sha256)).toBe('intact');
    });

    it('answers a hash nobody stored as absent, not as an error', async () => {
      const absent = hex(PNG);
      expect(await store.has(absent)).toBe(false);
      expect(await store.read(absent)).toBeUndefined();
      expect(await store.open(absent)).toBeUndefined();
      expect(await store.check(absent)).toBe('missing');
    });

    it('does not rewrite a file it already holds: a second put of the same bytes leaves the stored object as it was', async () => {
      const first = await store.put(PDF, { filename: 'a.pdf', contentType: 'application/pdf' });
      // Were the second put to write, the damage below would be repaired; it must stay, for verify to see.
      await subject.tamper(first.sha256, Buffer.from('%PDF-forged'));
      const second = await store.put(PDF, { filename: 'b.pdf', contentType: 'application/octet-stream' });
      expect(second).toEqual({ ...first, filename: 'b.pdf' });
      expect(await store.check(first.sha256)).toBe('altered');
      expect(await listed(store)).toEqual([first.sha256]);
    });

    it('stores one file when the same bytes are uploaded several times at once, and answers each upload', async () => {
      const answers = await Promise.all([0, 1, 2, 3].map((i) => store.put(PDF, { filename: `copy-${i}.pdf`, contentType: 'application/pdf' })));
      expect(answers.map((a) => a.sha256)).toEqual([0, 1, 2, 3].map(() => hex(PDF)));
      expect(await listed(store)).toEqual([hex(PDF)]);
      expect(await store.check(hex(PDF))).toBe('intact');
    });

    it('tells bytes that no longer hash to their name from intact ones', async () => {
      const kept = await store.put(PNG, { filename: 'diagram.png', contentType: 'image/png' });
      const changed = await store.put(PDF, { filename: 'a.pdf', contentType: 'application/pdf' });
      await subject.tamper(changed.sha256, Buffer.from('%PDF-1.7 something else'));
      expect(await store.check(kept.sha256)).toBe('intact');
      expect(await store.check(changed.sha256)).toBe('altered');
    });

    it('refuses a file over the size limit, naming the limit, and stores nothing', async () => {
      await expect(store.put(Buffer.alloc(CONTRACT_MAX_BYTES + 1, 'a'), { filename: 'big.txt', contentType: 'text/plain' })).rejects.toMatchObject({
        code: 'EVIDENCE_TOO_LARGE',
        message: expect.stringContaining(`at most ${CONTRACT_MAX_BYTES}`),
      });
      expect(await listed(store)).toEqual([]);
    });

    it('refuses a type outside the allow-list whatever was declared, and an empty file', async () => {
      await expect(store.put(ELF, { filename: 'report.pdf', contentType: 'application/pdf' })).rejects.toMatchObject({ code: 'EVIDENCE_TYPE_NOT_ALLOWED', field: 'contentType' });
      await expect(store.put(Buffer.alloc(0), { filename: 'empty.txt', contentType: 'text/plain' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', field: 'file' });
      expect(await listed(store)).toEqual([]);
    });

    it('never lets something other than a hash become a key', async () => {
      await expect(store.read('../../../etc/passwd')).rejects.toThrow();
      await expect(store.has('sha256/../x')).rejects.toThrow();
    });

    it('lists what it holds, with size and time stored, and removes a file on request', async () => {
      const before = Date.now();
      const a = await store.put(PDF, { filename: 'a.pdf', contentType: 'application/pdf' });
      const b = await store.put(PNG, { filename: 'b.png', contentType: 'image/png' });
      const files = [];
      for await (const file of store.list()) files.push(file);
      expect(files.map((f) => [f.sha256, f.size]).sort()).toEqual([[a.sha256, PDF.length], [b.sha256, PNG.length]].sort());
      // Object stores keep whole seconds.
      for (const file of files) expect(file.storedAt.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      await store.remove(a.sha256);
      await store.remove(a.sha256);
      expect(await listed(store)).toEqual([b.sha256]);
      expect(await store.has(a.sha256)).toBe(false);
    });

    it('counts a file handed in again as stored at that upload, so the clean-up keeps it for a new grace period', async () => {
      const first = await store.put(PDF, { filename: 'draft.pdf', contentType: 'application/pdf' });
      const [stored] = await timesOf(store);
      // Object stores keep whole seconds: the second upload must fall in a later second than the first.
      const cutOff = new Date(stored!.getTime() + 1000);
      while (Date.now() < cutOff.getTime() + 50) await new Promise((resolve) => setTimeout(resolve, 100));
      await store.put(PDF, { filename: 'final.pdf', contentType: 'application/pdf' });
      const [again] = await timesOf(store);
      expect(again!.getTime()).toBeGreaterThanOrEqual(cutOff.getTime());
      const run = await collectUnreferencedEvidence(logNaming([]), store, { olderThan: cutOff, dryRun: false });
      expect(run.removed).toEqual([]);
      expect(await store.check(first.sha256)).toBe('intact');
    });

    it('cleans up only files no event names that are older than the grace period', async () => {
      const named = await store.put(PDF, { filename: 'kept.pdf', contentType: 'application/pdf' });
      const orphan = await store.put(PNG, { filename: 'never-submitted.png', contentType: 'image/png' });
      const log = logNaming([named]);
      const young = await collectUnreferencedEvidence(log, store, { olderThan: new Date(Date.now() - 24 * HOUR), dryRun: false });
      expect({ stored: young.stored, referenced: young.referenced, young: young.young, removed: young.removed.length }).toEqual({ stored: 2, referenced: 1, young: 1, removed: 0 });

      // A day later (the cut-off moved past both files): a dry run names the orphan and removes nothing.
      const later = new Date(Date.now() + HOUR);
      const dry = await collectUnreferencedEvidence(log, store, { olderThan: later, dryRun: true });
      expect(dry.removed.map((f) => f.sha256)).toEqual([orphan.sha256]);
      expect(await listed(store)).toEqual([named.sha256, orphan.sha256].sort());

      const removed: string[] = [];
      const wet = await collectUnreferencedEvidence(log, store, { olderThan: later, dryRun: false, onRemoved: (f) => removed.push(f.sha256) });
      expect(removed).toEqual([orphan.sha256]);
      expect(wet.referenced).toBe(1);
      expect(await listed(store)).toEqual([named.sha256]);
      expect(await store.check(named.sha256)).toBe('intact');
    });
  });
}
