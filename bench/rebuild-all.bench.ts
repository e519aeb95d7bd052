/**
 * Rebuilding every read model from a mixed office log, and replaying them all as of the log's end (the
 * as-of path: an in-memory database, page by page), beside a raw baseline in the same run: one
 * better-sqlite3 scan of the events table, JSON.parse of data and metadata, and a reducer into
 * in-memory Maps. The baseline is the floor of any replay (read, parse, touch state); the goal is that
 * the rebuild and the replay run at 0.7 of it or better, and stay flat as the log grows. Beside them,
 * the floors of bench/rebuild-floor.ts (reading and decoding through the port; writing the rows the
 * read models hold, alone) give the ceiling of any replay into these tables, whatever its code.
 *
 * The log is the one the projector crash test uses (test/support/office-event-mix.ts): NOC histories
 * from the real NOC decider make the bulk, and every other kind the read models consume (accounts,
 * entities, providers, offerings, accreditations, transitions, monitoring, reviews with evidence
 * files, significant changes) is woven through it. It is appended in three steps (a tenth, a half,
 * the whole), and the read models are rebuilt and replayed from position 0 after each: the growth table.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteEventStore, type SqliteEventStore } from '../eventstore/sqlite/sqlite-event-store';
import type { Position } from '../eventstore/port';
import { rebuildAsOf } from '../projections/as-of';
import { openReadModelDb } from '../projections/db';
import { allProjections } from '../projections/index';
import { ProjectionRunner } from '../projections/runner';
import { officeEventMix, type Append } from '../test/support/office-event-mix';
import { generateNocHistories } from './fixtures';
import { readAndDecode, timed, writeRowsAlone, type Cost } from './rebuild-floor';
import { formatRate, rate, registerBench, type BenchContext } from './registry';

const GOAL = 0.7;
const SEED = 20260101;
const NOC_EPOCH = '2026-01-01T00:00:00.000Z';

interface RawRow {
  stream: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

/** What the raw reducer keeps per stream: enough state that every event touches a Map or two. */
interface StreamState {
  type: string;
  revision: number;
  events: number;
  lastAt: string;
  lastData: unknown;
}

/** The floor: read every event once, parse it, fold it into Maps. No validation, no SQL writes. */
function rawScan(eventsPath: string): { events: number; streams: number } {
  const db = new Database(eventsPath, { readonly: true });
  try {
    const streams = new Map<string, StreamState>();
    const byType = new Map<string, number>();
    const byActor = new Map<string, number>();
    let events = 0;
    const scan = db.prepare<[], RawRow>('SELECT stream, revision, type, data, metadata, recorded_at FROM events ORDER BY global_position');
    for (const row of scan.iterate()) {
      const data = JSON.parse(row.data) as unknown;
      const meta = JSON.parse(row.metadata) as { actor?: { userId?: string } };
      const s = streams.get(row.stream);
      if (s) {
        s.type = row.type;
        s.revision = row.revision;
        s.events += 1;
        s.lastAt = row.recorded_at;
        s.lastData = data;
      } else {
        streams.set(row.stream, { type: row.type, revision: row.revision, events: 1, lastAt: row.recorded_at, lastData: data });
      }
      byType.set(row.type, (byType.get(row.type) ?? 0) + 1);
      const actor = meta.actor?.userId ?? 'unknown';
      byActor.set(actor, (byActor.get(actor) ?? 0) + 1);
      events += 1;
    }
    return { events, streams: streams.size };
  } finally {
    db.close();
  }
}

/** `npm run rebuild`'s path: every read model rebuilt into a scratch file and swapped into `target`. */
async function runnerRebuild(store: SqliteEventStore, target: string, head: Position): Promise<void> {
  const db = openReadModelDb(target);
  const runner = new ProjectionRunner({ store, db, projections: allProjections() });
  try {
    await runner.rebuild();
    await runner.waitFor(head, 0);
  } finally {
    await runner.stop();
    db.close();
  }
}

async function asOfReplay(store: SqliteEventStore): Promise<number> {
  const db = new Database(':memory:');
  try {
    return (await rebuildAsOf(store, allProjections(), db)).events;
  } finally {
    db.close();
  }
}

/** The non-NOC part of the office mix, in order, and NOC histories streamed so 2M events never sit in memory. */
function* officeLog(nocEvents: number): Generator<Append> {
  const cases = officeEventMix({ nocEvents: 0, seed: SEED, nocEpoch: NOC_EPOCH });
  const every = Math.max(1, Math.floor(nocEvents / 7 / Math.max(1, cases.length)));
  let c = 0;
  let i = 0;
  for (const h of generateNocHistories(nocEvents, { seed: SEED, epoch: NOC_EPOCH })) {
    yield { stream: h.stream, events: h.events, expected: 'no-stream' };
    if (i++ % every === 0 && c < cases.length) yield cases[c++] as Append;
  }
  while (c < cases.length) yield cases[c++] as Append;
}

interface Rates {
  raw: number;
  rebuild: number;
  asOf: number;
  /** The least any replay into the read models costs (bench/rebuild-floor.ts), as a rate: the ceiling. */
  ceiling: number;
}

/** Events per second of wall time, and per second of this process's CPU time (steadier on a shared machine). */
interface Row {
  events: number;
  wall: Rates;
  cpu: Rates;
  /** The floors' parts, in microseconds per event of CPU time, and the rows the read models hold. */
  floor: { readDecodeUs: number; rowsUs: number; rows: number };
}

async function timeAt(ctx: BenchContext, store: SqliteEventStore, eventsPath: string, tag: string): Promise<Row> {
  const head = await store.headPosition();
  const events = Number(head.commit);
  let scanned = 0;
  const raw = await timed(() => {
    scanned = rawScan(eventsPath).events;
  });
  if (scanned !== events) throw new Error(`The raw scan read ${scanned} events of ${events}`);
  const rebuilt = join(ctx.tmpDir, `rebuild-all-${tag}.db`);
  const rebuild = await timed(() => runnerRebuild(store, rebuilt, head));
  let replayed = 0;
  const asOf = await timed(async () => {
    replayed = await asOfReplay(store);
  });
  if (replayed !== events) throw new Error(`The as-of replay applied ${replayed} events of ${events}`);
  const read = await readAndDecode(store);
  if (read.events !== events) throw new Error(`Reading and decoding met ${read.events} events of ${events}`);
  const rows = writeRowsAlone(rebuilt);
  const floor: Cost = { wallMs: read.wallMs + rows.wallMs, cpuMs: read.cpuMs + rows.cpuMs };
  return {
    events,
    wall: { raw: rate(events, raw.wallMs), rebuild: rate(events, rebuild.wallMs), asOf: rate(events, asOf.wallMs), ceiling: rate(events, floor.wallMs) },
    cpu: { raw: rate(events, raw.cpuMs), rebuild: rate(events, rebuild.cpuMs), asOf: rate(events, asOf.cpuMs), ceiling: rate(events, floor.cpuMs) },
    floor: { readDecodeUs: (read.cpuMs * 1000) / events, rowsUs: (rows.cpuMs * 1000) / events, rows: rows.rows },
  };
}

function logTable(ctx: BenchContext, rows: readonly Row[], kind: 'wall' | 'cpu'): void {
  ctx.log(`   events/s of ${kind === 'wall' ? 'wall time' : 'CPU time'}:`);
  ctx.log('      events   raw scan+parse+reduce   rebuild (runner)        as-of replay            ceiling (floors)        rebuild/raw  as-of/raw  ceiling/raw');
  for (const row of rows) {
    const r = row[kind];
    ctx.log(
      `   ${row.events.toLocaleString('en-US').padStart(9)}   ${formatRate(r.raw).padEnd(22)}  ${formatRate(r.rebuild).padEnd(22)}  ${formatRate(r.asOf).padEnd(22)}  ${formatRate(r.ceiling).padEnd(22)}  ${(r.rebuild / r.raw).toFixed(2).padStart(11)}  ${(r.asOf / r.raw).toFixed(2).padStart(9)}  ${(r.ceiling / r.raw).toFixed(2).padStart(11)}`,
    );
  }
}

/** What the ceiling is made of, per event of CPU time: the floors of bench/rebuild-floor.ts beside the raw scan and the replays. */
function logFloors(ctx: BenchContext, rows: readonly Row[]): void {
  const us = (perSecond: number): string => `${(1e6 / perSecond).toFixed(1)} µs`;
  ctx.log('   CPU per event: the raw scan, the floors (reading + decoding through the port; writing the rows the read models hold, alone), the replays:');
  ctx.log('      events   rows/event   raw scan   read+decode   rows alone   rebuild   as-of');
  for (const row of rows) {
    const f = row.floor;
    ctx.log(
      `   ${row.events.toLocaleString('en-US').padStart(9)}   ${(f.rows / row.events).toFixed(2).padStart(10)}   ${us(row.cpu.raw).padStart(8)}   ${`${f.readDecodeUs.toFixed(1)} µs`.padStart(11)}   ${`${f.rowsUs.toFixed(1)} µs`.padStart(10)}   ${us(row.cpu.rebuild).padStart(7)}   ${us(row.cpu.asOf).padStart(5)}`,
    );
  }
}

registerBench('projections: rebuild and as-of replay of every read model vs a raw scan into maps', async (ctx) => {
  const total = Math.max(8_000, Math.round(200_000 * ctx.scale));
  // 1x, 5x and 10x of a base: at BENCH_SCALE=10 that is 200 000, 1 000 000 and 2 000 000 events.
  const steps = [total / 10, total / 2, total].map(Math.round);
  const eventsPath = join(ctx.tmpDir, 'rebuild-all-events.db');
  const store = await openSqliteEventStore({ path: eventsPath, synchronous: 'OFF' });
  const names = allProjections().map((p) => p.name);
  ctx.log(`   read models (${names.length}): ${names.join(', ')}`);
  try {
    // Warm every path up (JIT) on a small log of its own before anything is timed.
    const warmPath = join(ctx.tmpDir, 'rebuild-all-warm.db');
    const warm = await openSqliteEventStore({ path: warmPath, synchronous: 'OFF' });
    for (const a of officeLog(4_000)) await warm.append(a.stream, a.events, a.expected);
    await timeAt(ctx, warm, warmPath, 'warm');
    await warm.close();

    const log = officeLog(total);
    const rows: Row[] = [];
    let fillMs = 0;
    for (const step of steps) {
      const started = performance.now();
      let next = log.next();
      while (!next.done) {
        await store.append(next.value.stream, next.value.events, next.value.expected);
        if (Number((await store.headPosition()).commit) >= step) break;
        next = log.next();
      }
      fillMs += performance.now() - started;
      rows.push(await timeAt(ctx, store, eventsPath, String(step)));
    }
    ctx.log(`   log filled in ${(fillMs / 1000).toFixed(1)} s`);
    logTable(ctx, rows, 'wall');
    logTable(ctx, rows, 'cpu');
    logFloors(ctx, rows);
    const last = (rows[rows.length - 1] as Row).wall;
    const first = (rows[0] as Row).wall;
    const events = (rows[rows.length - 1] as Row).events.toLocaleString('en-US');
    const met = last.rebuild >= GOAL * last.raw && last.asOf >= GOAL * last.raw;
    ctx.log(`   goal (rebuild and as-of >= ${GOAL} x raw, wall time, at ${events} events): ${met ? 'met' : 'NOT met'}`);
    ctx.log(
      `   ceiling of any replay into these tables (the floors' sum) at ${events} events: ${formatRate(last.ceiling)}, x${(last.ceiling / last.raw).toFixed(2)} of raw (wall); the rebuild reaches x${(last.rebuild / last.ceiling).toFixed(2)} of it, the as-of replay x${(last.asOf / last.ceiling).toFixed(2)}`,
    );
    ctx.log(`   growth to ${events} events (wall): rebuild rate x${(last.rebuild / first.rebuild).toFixed(2)}, as-of rate x${(last.asOf / first.asOf).toFixed(2)}, raw rate x${(last.raw / first.raw).toFixed(2)}`);
    const lastCpu = (rows[rows.length - 1] as Row).cpu;
    const firstCpu = (rows[0] as Row).cpu;
    ctx.log(`   growth to ${events} events (CPU): rebuild rate x${(lastCpu.rebuild / firstCpu.rebuild).toFixed(2)}, as-of rate x${(lastCpu.asOf / firstCpu.asOf).toFixed(2)}, raw rate x${(lastCpu.raw / firstCpu.raw).toFixed(2)}`);
    for (const [what, key] of [['rebuild', 'rebuild'], ['as-of replay from position 0', 'asOf']] as const) {
      ctx.goal({
        goal: 2,
        what: `${what} of every read model ≥ ${GOAL}× a raw scan + parse + reduce into maps, by wall time, flat in the log's size`,
        figure: formatRate(last[key]),
        baseline: `raw ${formatRate(last.raw)}; ceiling of any replay into these tables ${formatRate(last.ceiling)} (×${(last.ceiling / last.raw).toFixed(2)})`,
        ratio: `×${(last[key] / last.raw).toFixed(2)}`,
        growth: `${rows.map((r) => r.events.toLocaleString('en-US')).join(' → ')} events: rate ×${(last[key] / first[key]).toFixed(2)} (raw ×${(last.raw / first.raw).toFixed(2)})`,
        met: last[key] >= GOAL * last.raw,
      });
    }
  } finally {
    await store.close();
  }
});
