import type { Connection } from '@temporalio/client';
import { z } from 'zod';
import type { EventStore } from '../eventstore/port';

const ComponentHealth = z.object({
  ok: z.boolean(),
  /** Why not, when not ok. */
  error: z.string().optional(),
});

const ProjectionHealth = z.object({
  name: z.string(),
  /** Events in the log that the projection has not applied yet. */
  lag: z.number(),
  /** Its checkpoint in the global log, `commit/prepare`. */
  position: z.string(),
  /** Set when the projection has stopped on an event it could not apply. */
  error: z.string().optional(),
});
export type ProjectionHealth = z.infer<typeof ProjectionHealth>;

export const HealthReport = z.object({
  status: z.enum(['ok', 'unavailable']),
  temporal: ComponentHealth,
  eventStore: ComponentHealth,
  projections: z.array(ProjectionHealth),
  /** Set when the projections' status could not be read. */
  projectionsError: z.string().optional(),
});
export type HealthReport = z.infer<typeof HealthReport>;

export interface HealthCheckDeps {
  /** With withDeadline, a probe that times out also ends its call, which would otherwise go on retrying. */
  temporalConnection: Pick<Connection, 'healthService'> & Partial<Pick<Connection, 'withDeadline'>>;
  eventStore: Pick<EventStore, 'ping'>;
  /** The API's guard against a full store (api/storage-guard.ts): a store it refuses writes for is reported down, saying why. */
  storageGuard?: () => Promise<void>;
  projectionStatus: () => Promise<ProjectionHealth[]>;
  /** Each probe gets this long; a hung dependency must not hang the health check. */
  timeoutMs?: number;
}

/** gRPC health protocol: HealthCheckResponse.ServingStatus.SERVING. */
const SERVING = 1;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function probe(fn: () => Promise<void>, ms: number, what: string): Promise<z.infer<typeof ComponentHealth>> {
  try {
    await withTimeout(fn(), ms, what);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: messageOf(err) };
  }
}

export function createHealthCheck(deps: HealthCheckDeps): () => Promise<HealthReport> {
  const ms = deps.timeoutMs ?? 2000;
  return async () => {
    const [temporal, eventStore, projections] = await Promise.all([
      probe(
        async () => {
          const { temporalConnection: connection } = deps;
          const check = () => connection.healthService.check({});
          // A call left behind by a timed-out probe keeps retrying in the client (for ~20 s) and, with
          // monitors polling /healthz through an outage, such calls would pile up.
          const res = await (connection.withDeadline ? connection.withDeadline(Date.now() + ms, check) : check());
          if (res.status !== SERVING) throw new Error(`Temporal reports status ${String(res.status)}`);
        },
        ms,
        'Temporal',
      ),
      probe(
        async () => {
          await deps.eventStore.ping();
          await deps.storageGuard?.();
        },
        ms,
        'The event store',
      ),
      withTimeout(deps.projectionStatus(), ms, 'The projections').then(
        (list) => ({ list, error: undefined }),
        (err: unknown) => ({ list: [] as ProjectionHealth[], error: messageOf(err) }),
      ),
    ]);
    const ok =
      temporal.ok && eventStore.ok && projections.error === undefined && projections.list.every((p) => p.error === undefined);
    const report: HealthReport = { status: ok ? 'ok' : 'unavailable', temporal, eventStore, projections: projections.list };
    if (projections.error !== undefined) report.projectionsError = projections.error;
    return report;
  };
}
