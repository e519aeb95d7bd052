import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { verifyStore } from '../../eventstore/integrity/verify-store';
import type { AppendResult, EventStore, EventToAppend } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { ROOT, TSX } from '../cli/run-tool';
import { reportFigures } from '../support/figures';
import { raceOnStream, type RaceTally } from './racing-writers';
import { answer } from '../support/answers';
import { REVIEWER_METADATA } from '../support/event-metadata';

/**
 * Issue 14, item 3, at the event store: many writers on one stream, in one process over two store
 * instances and in separate processes on one file (as the worker, API and tools run in production).
 * The contract suite (contract.ts) proves the semantics one append at a time; this proves they hold
 * when the appends race.
 */
const meta = REVIEWER_METADATA;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'concurrency-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function openTwo(path: string): Promise<[EventStore, EventStore]> {
  return [new HashChainedEventStore(await openSqliteEventStore({ path })), new HashChainedEventStore(await openSqliteEventStore({ path }))];
}

/** One winner per revision: the winners' revisions are 0..n-1, each once, and each is the event the log holds there. */
async function expectOneWinnerPerRevision(store: EventStore, stream: string, tally: RaceTally, revisions: number): Promise<void> {
  expect(tally.otherErrors).toEqual([]);
  const byRevision = [...tally.wins].sort((a, b) => a.revision - b.revision);
  expect(byRevision.map((w) => w.revision)).toEqual(Array.from({ length: revisions }, (_, r) => r));
  const log = await store.readStream(stream);
  expect(log.map((e) => e.revision)).toEqual(Array.from({ length: revisions }, (_, r) => r));
  expect(log.map((e) => e.id)).toEqual(byRevision.map((w) => w.id));
  const verification = await verifyStore(store);
  expect(verification).toMatchObject({ events: revisions, breaks: [] });
}

const merge = (tallies: readonly RaceTally[]): RaceTally => ({
  wins: tallies.flatMap((t) => t.wins),
  losses: tallies.reduce((sum, t) => sum + t.losses, 0),
  otherErrors: tallies.flatMap((t) => t.otherErrors),
});

interface WriterProcess {
  ready: Promise<void>;
  tally: Promise<RaceTally>;
}

/** A writer process racing on the file; it starts appending once the go file exists. */
function writerProcess(path: string, stream: string, writers: number, revisions: number, label: string, go: string): WriterProcess {
  const child = spawn(TSX, [join(__dirname, 'racing-writer-process.ts'), path, stream, String(writers), String(revisions), label, go], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const err: Buffer[] = [];
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.startsWith('ready\n')) markReady();
  });
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const tally = new Promise<RaceTally>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out.slice('ready\n'.length)) as RaceTally);
      else reject(new Error(`writer process ${label} exited ${String(code)}: ${Buffer.concat(err).toString('utf8')}`));
    });
  });
  return { ready: Promise.race([ready, tally.then(() => undefined)]), tally };
}

describe('writers racing on one stream', () => {
  it('gives each revision to exactly one of 20 writers on two store instances; the others are refused with WRONG_EXPECTED_REVISION and the chain stays intact', async () => {
    const [a, b] = await openTwo(join(dir, 'two-instances.db'));
    try {
      const revisions = 100;
      const tally = await raceOnStream([a, b], 'noc-RACE', 20, revisions, 'in-process');
      await expectOneWinnerPerRevision(b, 'noc-RACE', tally, revisions);
      // The race was real: writers read the same head and lost it.
      expect(tally.losses).toBeGreaterThan(0);
      reportFigures('store race, 20 writers on two instances', { revisions, winners: tally.wins.length, losers: tally.losses, otherErrors: tally.otherErrors.length });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('gives each revision to exactly one writer when 3 processes of 7 writers each race on one file', async () => {
    const path = join(dir, 'processes.db');
    const [store] = await openTwo(path);
    try {
      const revisions = 60;
      const go = join(dir, 'processes.go');
      const processes = ['p1', 'p2', 'p3'].map((label) => writerProcess(path, 'noc-PROC', 7, revisions, label, go));
      await Promise.all(processes.map((p) => p.ready));
      writeFileSync(go, 'go');
      const tallies = await Promise.all(processes.map((p) => p.tally));
      const tally = merge(tallies);
      await expectOneWinnerPerRevision(store, 'noc-PROC', tally, revisions);
      expect(tally.losses).toBeGreaterThan(0);
      reportFigures('store race, 3 processes x 7 writers on one file', {
        revisions,
        winners: tally.wins.length,
        losers: tally.losses,
        winnersByProcess: tallies.map((t) => t.wins.length).join('/'),
        otherErrors: tally.otherErrors.length,
      });
    } finally {
      await store.close();
    }
  });
});

describe('appends retried with the same event ids', () => {
  const appends = 1000;
  const streams = ['noc-R1', 'noc-R2', 'noc-R3', 'noc-R4'];
  const eventAt = (stream: string, revision: number): EventToAppend => answer(stream, revision, meta);
  /** The i-th append of the run: spread over the streams, each at its stream's next revision. */
  const nth = (i: number): { stream: string; revision: number } => ({ stream: streams[i % streams.length] as string, revision: Math.floor(i / streams.length) });
  const expectedFor = (revision: number) => (revision === 0 ? ('no-stream' as const) : revision - 1);

  it('writes nothing twice when each of 1,000 appends is retried from two store instances at once, and answers each retry as the first time', async () => {
    const [a, b] = await openTwo(join(dir, 'retries.db'));
    try {
      const first: AppendResult[] = [];
      for (let i = 0; i < appends; i++) {
        const { stream, revision } = nth(i);
        first.push(await a.append(stream, [eventAt(stream, revision)], expectedFor(revision)));
      }
      // Every append again, from both instances concurrently, as a worker's retried activity would.
      const retried = await Promise.all(
        Array.from({ length: appends }, (_, i) => {
          const { stream, revision } = nth(i);
          return Promise.all([a, b].map((s) => s.append(stream, [eventAt(stream, revision)], expectedFor(revision))));
        }),
      );
      retried.forEach((pair, i) => pair.forEach((result) => expect(result).toEqual(first[i])));

      // And with 'any', as a caller that does not know the revision would retry.
      const anyRetried = await Promise.all(
        Array.from({ length: appends }, (_, i) => {
          const { stream, revision } = nth(i);
          return b.append(stream, [eventAt(stream, revision)], 'any');
        }),
      );
      anyRetried.forEach((result, i) => expect(result).toEqual(first[i]));

      const log = await a.readAll();
      const duplicates = log.length - new Set(log.map((e) => e.id)).size;
      expect(log).toHaveLength(appends);
      expect(duplicates).toBe(0);
      for (const stream of streams) {
        expect((await a.readStream(stream)).map((e) => e.revision)).toEqual(Array.from({ length: appends / streams.length }, (_, r) => r));
      }
      expect(await verifyStore(a)).toMatchObject({ events: appends, breaks: [] });
      reportFigures('idempotent retries', { appends, retries: appends * 3, events: log.length, duplicates });
    } finally {
      await a.close();
      await b.close();
    }
  });
});
