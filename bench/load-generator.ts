/**
 * The load generator of the HTTP benches, run as a process of its own (`tsx bench/load-generator.ts
 * '<json>'`) so that the server under test does not share its event loop with autocannon. Prints one
 * line of JSON: what autocannon measured.
 */
import autocannon from 'autocannon';
import { z } from 'zod';

export const LoadOptions = z.object({
  url: z.string().url(),
  paths: z.array(z.string().startsWith('/')).min(1),
  connections: z.number().int().positive(),
  seconds: z.number().positive(),
  /** Requests per second from all connections together (open loop); absent: as fast as answers come. */
  overallRate: z.number().positive().optional(),
});
export type LoadOptions = z.infer<typeof LoadOptions>;

export const LoadResult = z.object({
  requestsPerSecond: z.number(),
  /** Responses received in the whole run. */
  requests: z.number(),
  p50: z.number(),
  p99: z.number(),
  errors: z.number(),
  non2xx: z.number(),
  bytesPerRequest: z.number(),
});
export type LoadResult = z.infer<typeof LoadResult>;

async function main(): Promise<void> {
  const options = LoadOptions.parse(JSON.parse(process.argv[2] ?? '{}'));
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
    requests: options.paths.map((path) => ({ method: 'GET', path })),
  });
  const out: LoadResult = {
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    bytesPerRequest: result.requests.total > 0 ? Math.round(result.throughput.total / result.requests.total) : 0,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
