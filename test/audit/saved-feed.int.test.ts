import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { eventId, type EventMetadata } from '../../eventstore/envelope';
import { Checkpointer } from '../../eventstore/integrity/checkpoint';
import { parseFeedText } from '../../eventstore/integrity/feed';
import { HashChainedEventStore, linkHash, GENESIS_HASH } from '../../eventstore/integrity/hash-chain';
import { loadAuditSigner, type AuditSigner } from '../../eventstore/integrity/signing';
import { verifyStore } from '../../eventstore/integrity/verify-store';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import type { EventStore } from '../../eventstore/port';
import { startTestApi } from '../api/harness';

/**
 * The operator holds the signing key, so a rewritten history with recomputed chains and freshly signed
 * checkpoints passes the plain verification. An auditor who saved the public checkpoint feed earlier
 * catches it: `verify --against` says which stream and which revisions changed.
 */
const STREAMS = ['noc-A', 'noc-B', 'noc-C', 'noc-D'];
/** A fixed interleaving of the streams, so that two builds write the same log. */
const streamOf = (i: number): string => STREAMS[(i * 3 + Math.floor(i / 4)) % STREAMS.length] as string;
const CHECKPOINT_AFTER = new Set([9, 19, 29, 39]);

const meta = (i: number): EventMetadata => ({
  schemaVersion: 1,
  actor: { userId: `u${i % 3}`, role: 'reviewer' },
  occurredAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
  correlationId: 'noc:t',
  causationId: `c${i}`,
  policyVersion: 'p1',
});

/** Writes events from..to-1 of the script, with checkpoints where the script has them; `answer` may forge one. */
async function write(store: EventStore, signer: AuditSigner, from: number, to: number, answer = (i: number) => `answer ${i}`): Promise<void> {
  const checkpointer = new Checkpointer(store, signer);
  for (let i = from; i < to; i++) {
    const stream = streamOf(i);
    const revision = (await store.readStream(stream)).length;
    await store.append(
      stream,
      [{ id: eventId(stream, revision), type: 'NocInformationProvided', data: { answer: answer(i), providedBy: 'u1' }, metadata: meta(i) }],
      revision === 0 ? 'no-stream' : revision - 1,
    );
    if (CHECKPOINT_AFTER.has(i)) await checkpointer.checkpoint(new Date(Date.UTC(2026, 0, 1, 1, i)).toISOString());
  }
}

const open = async (path: string): Promise<EventStore> => new HashChainedEventStore(await openSqliteEventStore({ path }));

let dir: string;
let signer: AuditSigner;
let trusted: Record<string, string>;
let savedFeed: string;
/** Event 14 of the script: the one the forgeries change. */
const FORGED = 14;
let forgedStream: string;
let forgedRevision: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'saved-feed-'));
  signer = loadAuditSigner({ file: join(dir, 'operator-key.pem') });
  trusted = { [signer.keyId]: signer.publicKeyPem };
  writeFileSync(join(dir, 'public.pem'), signer.publicKeyPem);
  mkdirSync(join(dir, 'honest'));
  const honest = await open(join(dir, 'honest', 'events.db'));
  await write(honest, signer, 0, 30);
  forgedStream = streamOf(FORGED);
  forgedRevision = Array.from({ length: FORGED }, (_, i) => streamOf(i)).filter((s) => s === forgedStream).length;
  // The auditor saves the public feed, as anyone can, without signing in.
  const api = await startTestApi({ deps: { eventStore: honest } });
  try {
    const res = await api.app.inject({ method: 'GET', url: '/api/audit/checkpoints?format=jsonl' });
    expect(res.statusCode).toBe(200);
    savedFeed = res.body;
  } finally {
    await api.close();
  }
  await honest.close();
  writeFileSync(join(dir, 'saved-feed.jsonl'), savedFeed);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('verify --against a saved checkpoint feed', () => {
  it('serves the feed publicly as JSON or JSON lines, cacheable, with what is new after a sequence', async () => {
    const store = await open(join(dir, 'honest', 'events.db'));
    const api = await startTestApi({ deps: { eventStore: store } });
    try {
      const res = await api.app.inject({ method: 'GET', url: '/api/audit/checkpoints' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=60');
      const body = res.json() as { checkpoints: { checkpoint: { sequence: number; tree: { size: number; root: string; consistency: string[] }; keyId: string } }[] };
      expect(body.checkpoints.map((e) => [e.checkpoint.sequence, e.checkpoint.tree.size])).toEqual([
        [0, 10],
        [1, 20],
        [2, 30],
      ]);
      expect(body.checkpoints[0]?.checkpoint.keyId).toBe(signer.keyId);
      expect(body.checkpoints[1]?.checkpoint.tree.consistency.length).toBeGreaterThan(0);
      expect(parseFeedText(savedFeed)).toEqual(body.checkpoints);
      const again = await api.app.inject({ method: 'GET', url: '/api/audit/checkpoints', headers: { 'if-none-match': res.headers.etag as string } });
      expect(again.statusCode).toBe(304);
      const newer = await api.app.inject({ method: 'GET', url: '/api/audit/checkpoints?after=1' });
      expect((newer.json() as typeof body).checkpoints.map((e) => e.checkpoint.sequence)).toEqual([2]);
    } finally {
      await api.close();
      await store.close();
    }
  });

  it('finds a history rebuilt with one event changed, every chain recomputed and every checkpoint re-signed, and says where', async () => {
    mkdirSync(join(dir, 'rebuilt'));
    const forged = await open(join(dir, 'rebuilt', 'events.db'));
    try {
      await write(forged, signer, 0, 30, (i) => (i === FORGED ? 'a different answer' : `answer ${i}`));
      // On its own the forgery is flawless: that is why the auditor keeps the feed.
      const alone = await verifyStore(forged, { trustedKeys: trusted });
      expect(alone.breaks).toEqual([]);
      expect(alone.checkpoints).toEqual({ verified: 3, findings: [] });

      const result = await verifyStore(forged, { trustedKeys: trusted, against: parseFeedText(savedFeed) });
      const against = result.against as NonNullable<typeof result.against>;
      expect(against.checkpoints).toBe(3);
      expect(against.unchanged).toBe(1); // checkpoint 0 covers events before the forged one
      expect(against.findings).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ sequence: 1, problem: 'feed-rewritten' }),
          expect.objectContaining({ sequence: 2, problem: 'feed-rewritten' }),
          expect.objectContaining({ sequence: 1, problem: 'history-rewritten', events: { from: 11, to: 20 } }),
          expect.objectContaining({ problem: 'history-rewritten', stream: forgedStream }),
        ]),
      );
      const located = against.findings.find((f) => f.stream === forgedStream);
      expect(located?.revisions?.from).toBeLessThanOrEqual(forgedRevision);
      expect(located?.revisions?.to).toBeGreaterThanOrEqual(forgedRevision);
      expect(against.findings.filter((f) => f.stream !== undefined)).toHaveLength(1);
    } finally {
      await forged.close();
    }
  });

  it('finds an event edited in place, its chain recomputed, and a new checkpoint signed over it', async () => {
    mkdirSync(join(dir, 'edited'));
    const path = join(dir, 'edited', 'events.db');
    copyFileSync(join(dir, 'honest', 'events.db'), path);
    const raw = new Database(path);
    const rows = raw.prepare('SELECT global_position, event_id, stream, revision, type, data, metadata FROM events WHERE stream = ? ORDER BY revision').all(forgedStream) as {
      global_position: number;
      event_id: string;
      stream: string;
      revision: number;
      type: string;
      data: string;
      metadata: string;
    }[];
    let prev = GENESIS_HASH;
    for (const row of rows) {
      const data = JSON.parse(row.data) as { answer: string };
      if (row.revision === forgedRevision) data.answer = 'a different answer';
      const metadata = JSON.parse(row.metadata) as EventMetadata;
      const hash = linkHash(prev, { id: row.event_id, stream: row.stream, revision: row.revision, type: row.type, data, metadata });
      metadata.integrity = { prev, hash };
      prev = hash;
      raw.prepare('UPDATE events SET data = ?, metadata = ? WHERE global_position = ?').run(JSON.stringify(data), JSON.stringify(metadata), row.global_position);
    }
    raw.close();
    const store = await open(path);
    try {
      await new Checkpointer(store, signer).checkpoint('2026-01-02T00:00:00.000Z');
      const result = await verifyStore(store, { trustedKeys: trusted, against: parseFeedText(savedFeed) });
      expect(result.breaks).toEqual([]);
      expect(result.against?.unchanged).toBe(3);
      const located = result.against?.findings.find((f) => f.stream === forgedStream);
      expect(located).toEqual(expect.objectContaining({ problem: 'history-rewritten', sequence: 1 }));
      expect(located?.revisions?.to).toBeGreaterThanOrEqual(forgedRevision);
      expect(located?.revisions?.from).toBeLessThanOrEqual(forgedRevision);
      // The new checkpoint cannot prove its tree an extension of the last published one.
      expect(result.checkpoints.findings).toEqual(expect.arrayContaining([expect.objectContaining({ sequence: 3, problem: 'inconsistent' })]));
    } finally {
      await store.close();
    }
  });

  it('passes an honest history that grew since the feed was saved', async () => {
    const store = await open(join(dir, 'honest', 'events.db'));
    try {
      await write(store, signer, 30, 45);
      const result = await verifyStore(store, { trustedKeys: trusted, against: parseFeedText(savedFeed) });
      expect(result.breaks).toEqual([]);
      expect(result.checkpoints).toEqual({ verified: 4, findings: [] });
      expect(result.against).toEqual({ checkpoints: 3, unchanged: 3, findings: [] });
    } finally {
      await store.close();
    }
  });

  it('makes npm run verify -- --against exit 1 naming the stream and revisions, and 0 on the honest history', async () => {
    const run = (dataDir: string) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/verify.ts', '--public-key', join(dir, 'public.pem'), '--against', join(dir, 'saved-feed.jsonl')], {
        env: { ...process.env, DATA_DIR: dataDir, EVENTSTORE: 'sqlite' },
      }).then(
        (r) => ({ code: 0, stdout: r.stdout }),
        (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
      );
    const forged = await run(join(dir, 'rebuilt'));
    expect(forged.code).toBe(1);
    expect(forged.stdout).toMatch(new RegExp(`REWRITTEN checkpoint \\d+: history-rewritten \\(${forgedStream} changed in revisions? [\\d.]+`));
    expect(forged.stdout).toContain('FEED checkpoint 1: feed-rewritten');
    const honest = await run(join(dir, 'honest'));
    expect(honest.stdout).toContain("the saved history is a prefix of today's");
    expect(honest.code).toBe(0);
  });
});
