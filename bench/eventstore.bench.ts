/**
 * Append throughput of the SQLite event store against raw better-sqlite3 doing the same inserts
 * (same tables, same pragmas, same transaction sizes) in the same run: the ratio is what the store's
 * checks (expected revision, idempotency, the async port) cost over the bare writes.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { eventId } from '../eventstore/envelope';
import type { EventToAppend, ExpectedRevision } from '../eventstore/port';
import { openSqliteEventStore } from '../eventstore/sqlite/sqlite-event-store';
import { HashChainedEventStore } from '../eventstore/integrity/hash-chain';
import { EVENTS_SCHEMA, applyPragmas, type SqliteSynchronous } from '../eventstore/sqlite/schema';
import { fillStoreWithNocEvents, generateNocHistories } from './fixtures';
import { formatRate, rate, registerBench, type BenchContext } from './registry';

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

/**
 * Lays the payloads out as appends of `perTx` events: one event per transaction goes to streams of ten
 * events (a case's life, one step at a time); a hundred per transaction fills one stream per batch.
 */
function layout(source: readonly EventToAppend[], perTx: number, label: string): Batch[] {
  const batches: Batch[] = [];
  const streamLength = perTx === 1 ? 10 : perTx;
  for (let i = 0; i < source.length; i += perTx) {
    const stream = `noc-${label}-${Math.floor(i / streamLength)}`;
    const first = i % streamLength;
    batches.push({
      stream,
      expected: first === 0 ? 'no-stream' : first - 1,
      first,
      events: source.slice(i, i + perTx).map((e, k) => ({ ...e, id: eventId(stream, first + k) })),
    });
  }
  return batches;
}

/** Raw better-sqlite3: the inserts the store makes, without its checks. */
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

async function compare(
  ctx: BenchContext,
  synchronous: SqliteSynchronous,
  perTx: number,
  source: readonly EventToAppend[],
  chained = false,
): Promise<void> {
  const tag = `${synchronous.toLowerCase()}-${perTx}${chained ? '-chain' : ''}`;
  const storeBatches = layout(source, perTx, `store-${tag}`);
  const rawBatches = layout(source, perTx, `raw-${tag}`);
  const raw = openRaw(join(ctx.tmpDir, `raw-${tag}.db`), synchronous);
  const adapter = await openSqliteEventStore({ path: join(ctx.tmpDir, `store-${tag}.db`), synchronous });
  // As the app composes it: the hash chain costs one read of the predecessor per append.
  const store = chained ? new HashChainedEventStore(adapter) : adapter;
  let rawMs = 0;
  let storeMs = 0;
  try {
    const size = Math.ceil(storeBatches.length / ROUNDS);
    for (let round = 0; round < ROUNDS; round++) {
      const runRaw = (): void => {
        const started = performance.now();
        for (const b of rawBatches.slice(round * size, (round + 1) * size)) raw.write(b);
        rawMs += performance.now() - started;
      };
      const runStore = async (): Promise<void> => {
        const started = performance.now();
        for (const b of storeBatches.slice(round * size, (round + 1) * size)) await store.append(b.stream, b.events, b.expected);
        storeMs += performance.now() - started;
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
  }
  const storeRate = rate(source.length, storeMs);
  const rawRate = rate(source.length, rawMs);
  const label = `${perTx === 1 ? '  1 event/tx ' : `${perTx} events/tx`} (${source.length.toLocaleString('en-US')} events)`;
  ctx.log(
    `   ${label.padEnd(32)} ${chained ? 'store+chain' : 'store      '} ${formatRate(storeRate).padStart(18)} | raw ${formatRate(rawRate).padStart(18)} | store/raw ${(storeRate / rawRate).toFixed(2)}`,
  );
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
  await compare({ ...ctx, tmpDir: warmDir, log: () => undefined }, 'NORMAL', 100, source.slice(0, 2_000));

  for (const synchronous of ['FULL', 'NORMAL'] as const) {
    ctx.log(`   synchronous=${synchronous}, WAL`);
    await compare(ctx, synchronous, 1, source.slice(0, single));
    await compare(ctx, synchronous, 100, source);
  }
  ctx.log('   synchronous=FULL, WAL, with the hash chain the app writes (eventstore/integrity)');
  await compare(ctx, 'FULL', 1, source.slice(0, single), true);
  await compare(ctx, 'FULL', 100, source, true);
});

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
