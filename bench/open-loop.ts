/**
 * An open-loop load: requests sent on a fixed schedule (the k-th at start + k / rate) whether or not
 * earlier ones were answered, over a pool of keep-alive connections, each request's latency measured
 * from the instant it was due. autocannon's `overallRate` is not that: each connection sends back to
 * back until it has spent its share of the second, then waits for the next one, so "half the capacity"
 * is a saturated burst in every second's first half, and its coordinated-omission correction (an
 * expected interval of ⌈1 / per-connection rate⌉ = 1 ms) adds made-up samples for every answer slower
 * than a millisecond. Neither measures a service asked at a steady rate.
 */
import { createHistogram } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { LoadResult } from './load-generator';

export interface OpenLoopOptions {
  url: string;
  paths: readonly string[];
  connections: number;
  seconds: number;
  /** Requests per second, from all connections together. */
  rate: number;
}

/** Requests due in the first second (the first half of a shorter run) are sent but not timed: the generator's JIT and connections warm up. */
const WARM_UP_MS = 1000;

/** How long an answer may take before it counts as an error: far beyond any latency the benches judge. */
const ANSWER_TIMEOUT_MS = 10_000;

export async function openLoop(options: OpenLoopOptions): Promise<Omit<LoadResult, 'generatorCpuMicros'>> {
  const pool = new Pool(options.url, { connections: options.connections, pipelining: 1, headersTimeout: ANSWER_TIMEOUT_MS, bodyTimeout: ANSWER_TIMEOUT_MS });
  // Microseconds from the instant a request was due to its answer's last byte (the tick adds up to 1 ms).
  const latency = createHistogram();
  const intervalMs = 1000 / options.rate;
  const total = Math.round(options.rate * options.seconds);
  const asked: Promise<void>[] = [];
  let errors = 0;
  let non2xx = 0;

  // The dispatcher's handler, not `request()`: no promise or body stream per answer, whose cost the
  // generator would otherwise take from the cores the server runs on.
  const ask = (path: string, dueAt: number): Promise<void> =>
    new Promise<void>((resolve) => {
      let status = 0;
      pool.dispatch(
        { method: 'GET', path },
        {
          onConnect: () => undefined,
          onHeaders: (statusCode) => {
            status = statusCode;
            return true;
          },
          onData: () => true,
          onComplete: () => {
            if (dueAt >= recordFrom) latency.record(Math.max(1, Math.round((performance.now() - dueAt) * 1000)));
            if (status < 200 || status >= 300) non2xx += 1;
            resolve();
          },
          onError: () => {
            errors += 1;
            resolve();
          },
        },
      );
    });

  const started = performance.now();
  const recordFrom = started + Math.min(WARM_UP_MS, (options.seconds * 1000) / 2);
  await new Promise<void>((resolve) => {
    // Timers fire every millisecond at best, later under load: each tick sends every request due by
    // then, each still timed from its own due instant, so a late tick counts against the answers.
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor((performance.now() - started) / intervalMs) + 1);
      for (let k = asked.length; k < due; k++) asked.push(ask(options.paths[k % options.paths.length] as string, started + k * intervalMs));
      if (asked.length === total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await Promise.all(asked);
  const elapsedMs = performance.now() - started;
  await pool.close();
  const ms = (micros: number): number => Math.round(micros / 100) / 10;
  const ok = asked.length - errors;
  return {
    requestsPerSecond: (ok * 1000) / elapsedMs,
    requests: ok,
    p50: ms(latency.percentile(50)),
    p99: ms(latency.percentile(99)),
    errors,
    non2xx,
  };
}
