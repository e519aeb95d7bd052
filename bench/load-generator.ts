/**
 * The load generator of the HTTP benches, run as a process of its own (`tsx bench/load-generator.ts
 * '<json>'`) so that the server under test does not share its event loop with it. Closed loop (as fast
 * as answers come) is autocannon's; a fixed rate is bench/open-loop.ts's (see there why not autocannon's).
 * Prints one line of JSON: what was measured.
 */
import autocannon from 'autocannon';
import { z } from 'zod';
import { openLoop } from './open-loop';

export const LoadOptions = z.object({
  url: z.string().url(),
  paths: z.array(z.string().startsWith('/')).min(1),
  connections: z.number().int().positive(),
  seconds: z.number().positive(),
  /** Requests per second from all connections together (open loop); absent: as fast as answers come. */
  rate: z.number().positive().optional(),
});
export type LoadOptions = z.infer<typeof LoadOptions>;

export const LoadResult = z.object({
  requestsPerSecond: z.number(),
  /** Successful responses in the whole run. */
  requests: z.number(),
  /** Milliseconds; open loop from the instant each request was due. */
  p50: z.number(),
  p99: z.number(),
  errors: z.number(),
  non2xx: z.number(),
  /** The generator's own CPU time (user + system) per response: on a small machine it competes with the server. */
  generatorCpuMicros: z.number(),
});
export type LoadResult = z.infer<typeof LoadResult>;

async function closedLoop(options: LoadOptions): Promise<Omit<LoadResult, 'generatorCpuMicros'>> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    requests: options.paths.map((path) => ({ method: 'GET', path })),
  });
  return {
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

async function main(): Promise<void> {
  const options = LoadOptions.parse(JSON.parse(process.argv[2] ?? '{}'));
  const cpu = process.cpuUsage();
  const out = options.rate === undefined ? await closedLoop(options) : await openLoop({ ...options, rate: options.rate });
  const used = process.cpuUsage(cpu);
  const result: LoadResult = { ...out, generatorCpuMicros: (used.user + used.system) / Math.max(1, out.requests) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
