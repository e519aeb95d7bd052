/**
 * Append throughput of the SQLite event store against raw better-sqlite3 doing the same inserts
 * (same tables and indexes, same pragmas, same transaction sizes, the same rows) in the
 * same run: the ratio is what the store's checks (expected revision, idempotency, the async port) and,
 * with the hash chain, the linking cost over the bare writes. Streams are named as production names
 * them (`noc-NOC-2026-7K3QX9TB`, random), so each new stream lands at a random place in the indexes.
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { nocIdFor } from '../api/case-ids';
import { eventId } from '../eventstore/envelope';
import { GENESIS_HASH, HashChainedEventStore, linkHash } from '../eventstore/integrity/hash-chain';
import type { EventToAppend, ExpectedRevision } from '../eventstore/port';
import { openSqliteEventStore } from '../eventstore/sqlite/sqlite-event-store';
import { EVENTS_SCHEMA, applyPragmas, type SqliteSynchronous } from '../eventstore/sqlite/schema';
import { fillStoreWithNocEvents, generateNocHistories } from './fixtures';
import { formatRate, rate, registerBench, type BenchContext, type GoalReport } from './registry';

interface Batch {
  stream: string;
  expected: ExpectedRevision;
  /** Revision of the batch's first event. */
  first: number;
  events: EventToAppend[];
}

/** NOC event payloads from the decider, so rows are production-sized (about 0.5 to 1 KB each). */
function payloads(count: number): EventToAppend[] {
  const out: EventToAppend[] = [];
  for (const h of generateNocHistories(count, { seed: 7 })) out.push(...h.events);
  return out;
}

/** Stream names as production's (`noc-NOC-2026-7K3QX9TB`), derived as the API derives them, so every run writes the same ones. */
function streamNames(seed: number): () => string {
  const year = new Date('2026-06-01T00:00:00.000Z');
  let n = 0;
  return () => `noc-${nocIdFor(`bench-${seed}`, String(n++), year)}`;
}

/**
 * Lays the payloads out as appends of `perTx` events: one event per transaction goes to streams of ten
 * events (a case's life, one step at a time); a hundred per transaction fills one stream per batch.
 */
function layout(source: readonly EventToAppend[], perTx: number, seed: number): Batch[] {
  const batches: Batch[] = [];
  const streamLength = perTx === 1 ? 10 : perTx;
  const name = streamNames(seed);
  let stream = '';
  for (let i = 0; i < source.length; i += perTx) {
    const first = i % streamLength;
    if (first === 0) stream = name();
    batches.push({
      stream,
      expected: first === 0 ? 'no-stream' : first - 1,
      first,
      events: source.slice(i, i + perTx).map((e, k) => ({ ...e, id: eventId(stream, first + k) })),
    });
  }
  return batches;
}

/**
 * The batches with the links the hash chain gives them, for the raw baseline: its rows then hold the
 * chained store's values in as many bytes (the store writes the keys in canonical order, raw in
 * JSON.stringify's), and only the linking is left to the clock.
 */
function withLinks(batches: readonly Batch[]): Batch[] {
  const heads = new Map<string, string>();
  return batches.map((b) => ({
    ...b,
    events: b.events.map((e, k) => {
      const prev = heads.get(b.stream) ?? GENESIS_HASH;
      const hash = linkHash(prev, { ...e, stream: b.stream, revision: b.first + k });
      heads.set(b.stream, hash);
      return { ...e, metadata: { ...e.metadata, integrity: { prev, hash } } };
    }),
  }));
}

/** Raw better-sqlite3: the inserts the store makes, without its checks (the tables and indexes are the store's). */
function openRaw(path: string, synchronous: SqliteSynchronous): { write(b: Batch): void; close(): void } {
  const db = new Database(path);
  applyPragmas(db, synchronous);
  db.exec(EVENTS_SCHEMA);
  const insert = db.prepare(
    'INSERT INTO events (event_id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const setRevision = db.prepare(
    'INSERT INTO streams (stream, revision) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET revision = excluded.revision',
  );
  const write = db.transaction((b: Batch) => {
    const recordedAt = new Date().toISOString();
    b.events.forEach((e, k) => {
      insert.run(e.id, b.stream, b.first + k, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), recordedAt);
    });
    setRevision.run(b.stream, b.first + b.events.length - 1);
  });
  return { write: (b) => write.immediate(b), close: () => db.close() };
}

/** The machine is shared: store and raw take turns in rounds, so a burst of load hits both alike. */
const ROUNDS = 10;

/** Issue 15 goal 3: appends with the hash chain at FULL reach this fraction of raw better-sqlite3. */
const CHAIN_GOAL = 0.8;

interface CaseResult {
  label: string;
  perTx: number;
  storeRate: number;
  rawRate: number;
  /** Events per CPU-second of this process (user and system): steadier than the wall on a shared machine. */
  storeCpuRate: number;
  rawCpuRate: number;
  /** The ratio the case must reach, if it has a goal. */
  goal?: number;
}

interface Case {
  synchronous: SqliteSynchronous;
  perTx: number;
  source: readonly EventToAppend[];
  chained?: boolean;
  /** A store already holding these events, copied for both sides to write on (the goal's growth); a new file otherwise. */
  over?: { path: string; events: number };
}

async function compare(ctx: BenchContext, { synchronous, perTx, source, chained = false, over }: Case): Promise<CaseResult> {
  const tag = `${synchronous.toLowerCase()}-${perTx}${chained ? '-chain' : ''}${over ? `-over-${over.events}` : ''}`;
  // Store and raw write the same streams, each to its own file.
  const storeBatches = layout(source, perTx, 1000 * perTx + (chained ? 1 : 0) + (synchronous === 'FULL' ? 0 : 2));
  const rawBatches = chained ? withLinks(storeBatches) : storeBatches;
  const [rawPath, storePath] = [join(ctx.tmpDir, `raw-${tag}.db`), join(ctx.tmpDir, `store-${tag}.db`)];
  if (over) for (const path of [rawPath, storePath]) copyFileSync(over.path, path);
  const raw = openRaw(rawPath, synchronous);
  const adapter = await openSqliteEventStore({ path: storePath, synchronous });
  // As the app composes it (eventstore/index.ts): the SQLite adapter links each batch inside its transaction.
  const store = chained ? new HashChainedEventStore(adapter) : adapter;
  let rawMs = 0;
  let storeMs = 0;
  let rawCpuUs = 0;
  let storeCpuUs = 0;
  const cpuSince = (before: NodeJS.CpuUsage): number => {
    const used = process.cpuUsage(before);
    return used.user + used.system;
  };
  try {
    const size = Math.ceil(storeBatches.length / ROUNDS);
    for (let round = 0; round < ROUNDS; round++) {
      const runRaw = (): void => {
        const batches = rawBatches.slice(round * size, (round + 1) * size);
        const cpu = process.cpuUsage();
        const started = performance.now();
        for (const b of batches) raw.write(b);
        rawMs += performance.now() - started;
        rawCpuUs += cpuSince(cpu);
      };
      const runStore = async (): Promise<void> => {
        const batches = storeBatches.slice(round * size, (round + 1) * size);
        const cpu = process.cpuUsage();
        const started = performance.now();
        for (const b of batches) await store.append(b.stream, b.events, b.expected);
        storeMs += performance.now() - started;
        storeCpuUs += cpuSince(cpu);
      };
      if (round % 2 === 0) {
        runRaw();
        await runStore();
      } else {
        await runStore();
        runRaw();
      }
    }
  } finally {
    raw.close();
    await store.close();
    // A copy of a grown history is large (a gigabyte at 20×): gone once measured.
    if (over) for (const path of [rawPath, storePath]) rmSync(path, { force: true });
  }
  const result: CaseResult = {
    label: `${chained ? 'store+chain' : 'store      '} ${perTx === 1 ? '  1 event/tx ' : `${perTx} events/tx`} ${synchronous.padEnd(6)} (${source.length.toLocaleString('en-US')} events${over ? ` over ${over.events.toLocaleString('en-US')}` : ''})`,
    perTx,
    storeRate: rate(source.length, storeMs),
    rawRate: rate(source.length, rawMs),
    storeCpuRate: rate(source.length, storeCpuUs / 1000),
    rawCpuRate: rate(source.length, rawCpuUs / 1000),
    ...(chained && synchronous === 'FULL' ? { goal: CHAIN_GOAL } : {}),
  };
  ctx.log(`   ${row(result)}`);
  return result;
}

/** One case as a row: this code, the raw baseline, the ratio and whether it meets its goal. */
function row(r: CaseResult): string {
  const ratio = r.storeRate / r.rawRate;
  const goal = r.goal === undefined ? 'no goal' : `goal >= ${r.goal.toFixed(2)} ${ratio >= r.goal ? 'met' : 'NOT met'}`;
  const cpu = `${(r.storeCpuRate / r.rawCpuRate).toFixed(2)} (${formatRate(r.storeCpuRate)} vs ${formatRate(r.rawCpuRate)} per CPU-s)`;
  return `${r.label.padEnd(64)} ${formatRate(r.storeRate).padStart(18)} | raw ${formatRate(r.rawRate).padStart(18)} | ${ratio.toFixed(2)} | ${goal} | cpu ${cpu}`;
}

registerBench('eventstore: SQLite append, store vs raw better-sqlite3', async (ctx) => {
  const single = Math.max(100, Math.round(20_000 * ctx.scale));
  const batched = Math.max(1_000, Math.round(200_000 * ctx.scale));
  const generated = performance.now();
  const source = payloads(batched);
  const avgBytes = Math.round(source.slice(0, 1000).reduce((n, e) => n + JSON.stringify(e.data).length + JSON.stringify(e.metadata).length, 0) / Math.min(1000, source.length));
  ctx.log(`   ${source.length.toLocaleString('en-US')} NOC events generated in ${((performance.now() - generated) / 1000).toFixed(1)} s, ~${avgBytes} bytes of JSON each`);

  // Warm both paths up (JIT) before anything is timed.
  const warmDir = join(ctx.tmpDir, 'warm-up');
  mkdirSync(warmDir);
  await compare({ ...ctx, tmpDir: warmDir, log: () => undefined }, { synchronous: 'NORMAL', perTx: 100, source: source.slice(0, 2_000) });

  ctx.log(`   ${'case (WAL)'.padEnd(64)} ${'this code'.padStart(18)} | raw ${'baseline'.padStart(18)} | ratio | goal | cpu ratio (events per CPU-second)`);
  const results: CaseResult[] = [];
  for (const synchronous of ['FULL', 'NORMAL'] as const) {
    results.push(await compare(ctx, { synchronous, perTx: 1, source: source.slice(0, single) }));
    results.push(await compare(ctx, { synchronous, perTx: 100, source }));
  }
  // With the hash chain the app writes (eventstore/integrity): issue 15 goal 3.
  const chained = [
    await compare(ctx, { synchronous: 'FULL', perTx: 1, source: source.slice(0, single), chained: true }),
    await compare(ctx, { synchronous: 'FULL', perTx: 100, source, chained: true }),
  ];
  results.push(...chained);
  const growth = await chainGrowth(ctx, source);
  const goals = [...results, ...growth.flat()].filter((r) => r.goal !== undefined);
  const met = goals.filter(meetsGoal);
  ctx.log(`   issue 15 goal 3 (hash chain >= ${CHAIN_GOAL.toFixed(2)} x raw at FULL, on a new store and over every history): ${met.length === goals.length ? 'met' : 'NOT met'} (${met.length}/${goals.length} cases)`);
  chained.forEach((c, i) => ctx.goal(goalReport(c, growth.map((g) => g[i] as CaseResult))));
});

const meetsGoal = (r: CaseResult): boolean => r.storeRate / r.rawRate >= (r.goal ?? 0);

/** Goal 3's figure for one transaction size: on a new store, and how its ratio held as the log grew. */
function goalReport(fresh: CaseResult, grown: readonly CaseResult[]): GoalReport {
  const ratio = (r: CaseResult): string => `×${(r.storeRate / r.rawRate).toFixed(2)}`;
  return {
    goal: 3,
    what: `append with the hash chain, ${fresh.perTx === 1 ? '1 event/tx' : `${fresh.perTx} events/tx`}, FULL ≥ ${CHAIN_GOAL}× raw (on a new store and over ${GROWTH_MULTIPLES.map((m) => `${m}×`).join(', ')} a history)`,
    figure: formatRate(fresh.storeRate),
    baseline: `raw ${formatRate(fresh.rawRate)}`,
    ratio: ratio(fresh),
    growth: `ratio ${grown.map(ratio).join(' → ')}; rate ×${((grown.at(-1) as CaseResult).storeRate / (grown[0] as CaseResult).storeRate).toFixed(2)} (raw ×${((grown.at(-1) as CaseResult).rawRate / (grown[0] as CaseResult).rawRate).toFixed(2)})`,
    met: [fresh, ...grown].every(meetsGoal),
  };
}

/** Goal 3's growth: the chained appends again, into a store already holding 1×, 5× and 20× a base of events. */
const GROWTH_MULTIPLES = [1, 5, 20] as const;

/**
 * The two chained cases at FULL over a log of each multiple of a base (50 000 events at BENCH_SCALE=1,
 * so 1 000 000 at 20×), both sides writing on a copy of the same file: does the chain's lookup of a
 * stream's head, or anything else the store does per append, cost more as its indexes deepen? The log
 * is written with the chain (as the app writes it) at synchronous=OFF, on streams of its own.
 */
async function chainGrowth(ctx: BenchContext, source: readonly EventToAppend[]): Promise<CaseResult[][]> {
  const base = Math.max(2_000, Math.round(50_000 * ctx.scale));
  const single = source.slice(0, Math.max(100, Math.round(10_000 * ctx.scale)));
  const batched = source.slice(0, Math.max(1_000, Math.round(100_000 * ctx.scale)));
  const historyPath = join(ctx.tmpDir, 'chain-growth-history.db');
  ctx.log(`   goal 3 as the log grows: the chained cases at FULL over a store already holding ${GROWTH_MULTIPLES.map((m) => (m * base).toLocaleString('en-US')).join(', ')} events`);
  const rows: CaseResult[][] = [];
  let held = 0;
  let layouts = 0;
  for (const multiple of GROWTH_MULTIPLES) {
    const history = new HashChainedEventStore(await openSqliteEventStore({ path: historyPath, synchronous: 'OFF' }));
    const started = performance.now();
    try {
      while (held < multiple * base) {
        // Streams of their own for each pass over the payloads: seeds apart from the measured cases'.
        for (const b of layout(source, 100, 1_000_000 + layouts++)) {
          if (held >= multiple * base) break;
          await history.append(b.stream, b.events, b.expected);
          held += b.events.length;
        }
      }
    } finally {
      // Closing checkpoints the write-ahead log into the file: the copies then hold every event.
      await history.close();
    }
    ctx.log(`   history at ${multiple}×: ${held.toLocaleString('en-US')} events, written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const over = { path: historyPath, events: held };
    rows.push([
      await compare(ctx, { synchronous: 'FULL', perTx: 1, source: single, chained: true, over }),
      await compare(ctx, { synchronous: 'FULL', perTx: 100, source: batched, chained: true, over }),
    ]);
  }
  return rows;
}

registerBench('eventstore: fill with NOC fixtures, then replay through a subscription', async (ctx) => {
  const count = Math.max(1_000, Math.round(200_000 * ctx.scale));
  const store = await openSqliteEventStore({ path: join(ctx.tmpDir, 'fixtures.db'), synchronous: 'NORMAL' });
  try {
    const filled = await fillStoreWithNocEvents(store, count);
    ctx.log(
      `   fill: ${filled.events.toLocaleString('en-US')} events in ${filled.streams.toLocaleString('en-US')} NOC streams, ${(filled.millis / 1000).toFixed(1)} s (${formatRate(rate(filled.events, filled.millis))}, synchronous=NORMAL)`,
    );
    let delivered = 0;
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const sub = store.subscribeToAll({
        onEvent: () => {
          delivered += 1;
        },
        onCaughtUp: () => void sub.close().then(resolve, reject),
        onError: reject,
      });
    });
    const ms = performance.now() - started;
    ctx.log(`   replay: ${delivered.toLocaleString('en-US')} events to a no-op handler in ${(ms / 1000).toFixed(1)} s (${formatRate(rate(delivered, ms))})`);
  } finally {
    await store.close();
  }
});
