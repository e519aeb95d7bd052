import type { VerificationProgress } from '../eventstore/integrity/verification-progress';
import { verifyStore, type StoreVerification } from '../eventstore/integrity/verify-store';
import type { EventStore } from '../eventstore/port';
import { allProjections } from '../projections';
import { rebuildAsOf } from '../projections/as-of';
import { asOfFromSnapshot, type AsOfSnapshots } from '../projections/as-of-snapshots';
import { openReadModelDb } from '../projections/db';
import { dumpModel } from '../projections/model-dump';
import type { AuditThread } from './audit-thread';
import { shareTheThread } from './shared-thread';

/**
 * The auditors' whole-log jobs, written once and run in two places: on the audit thread (api/audit-thread.ts)
 * when the store is a SQLite file it can open for itself, else on the API's own thread in slices.
 */
export type AuditJob =
  | { kind: 'as-of'; model: string; asOf?: string; from: 'snapshot' | 'start' }
  /** record: whether an intact run records how far it got (the UI page's run does not). */
  | { kind: 'verify'; mode: 'full' | 'incremental'; record: boolean };

export interface AsOfAnswer {
  model: string;
  asOf: string | null;
  events: number;
  tables: Record<string, Record<string, unknown>[]>;
}

export type AuditAnswer<J extends AuditJob> = J extends { kind: 'as-of' } ? AsOfAnswer : StoreVerification;

export interface AuditSources {
  store: EventStore;
  trustedKeys: Record<string, string>;
  progress?: VerificationProgress;
  snapshots?: AsOfSnapshots;
}

/**
 * Runs one job. `slicing` is how a reader sharing its thread pages and yields (api/shared-thread.ts);
 * the audit thread has the thread to itself and reads the readers' default pages.
 */
export async function runAuditJob<J extends AuditJob>(
  sources: AuditSources,
  job: J,
  slicing: { pageSize?: number; betweenPages?: () => Promise<void> } = {},
): Promise<AuditAnswer<J>> {
  if (job.kind === 'verify') {
    const { trustedKeys, progress } = sources;
    return (await verifyStore(sources.store, { trustedKeys, mode: job.mode, ...(progress && job.record ? { progress } : {}), ...slicing })) as AuditAnswer<J>;
  }
  const projection = allProjections().find((p) => p.name === job.model);
  if (!projection) throw new Error(`No read model ${job.model}`);
  if (sources.snapshots && job.from === 'snapshot') {
    const view = await asOfFromSnapshot(sources.store, projection, sources.snapshots, { ...(job.asOf ? { asOf: job.asOf } : {}), ...slicing });
    try {
      return { ...dumpModel(view.db, projection), asOf: job.asOf ?? null, events: view.events } as AuditAnswer<J>;
    } finally {
      view.db.close();
    }
  }
  const db = openReadModelDb(':memory:');
  try {
    const result = await rebuildAsOf(sources.store, [projection], db, { asOf: job.asOf, ...slicing });
    return { ...dumpModel(db, projection), asOf: job.asOf ?? null, events: result.events } as AuditAnswer<J>;
  } finally {
    db.close();
  }
}

/**
 * Runs a job where it belongs: on the audit thread when there is one; else (EventStoreDB, or a store with
 * no file the thread could open) on this thread, paging small and yielding every slice.
 */
export function runAudit<J extends AuditJob>(audit: AuditSources & { thread?: AuditThread }, job: J): Promise<AuditAnswer<J>> {
  return audit.thread ? audit.thread.run(job) : runAuditJob(audit, job, shareTheThread());
}
