import type { VerificationProgress } from '../eventstore/integrity/verification-progress';
import { verifyStore, type StoreVerification } from '../eventstore/integrity/verify-store';
import type { EventStore } from '../eventstore/port';
import { allProjections } from '../projections';
import { rebuildAsOf } from '../projections/as-of';
import { asOfFromSnapshot, type AsOfSnapshots } from '../projections/as-of-snapshots';
import { openReadModelDb, type ReadModelDb } from '../projections/db';
import { decodeCursor, pageOf, tableKeysOf, type TablePage } from '../projections/model-dump';
import type { Projection } from '../projections/projection';
import { DomainError } from '../domain/shared/errors';
import type { AsOfView, AsOfViews } from './as-of-views';
import type { AuditThread } from './audit-thread';
import { shareTheThread } from './shared-thread';

/**
 * The auditors' whole-log jobs, written once and run in two places: on the audit thread (api/audit-thread.ts)
 * when the store is a SQLite file it can open for itself, else on the API's own thread in slices.
 */
export type AuditJob =
  | { kind: 'as-of'; model: string; asOf?: string; from: 'snapshot' | 'start'; page: AsOfPage }
  /** record: whether an intact run records how far it got (the UI page's run does not). */
  | { kind: 'verify'; mode: 'full' | 'incremental'; record: boolean };

/**
 * Which rows of the view to answer with: the first `limit` of every table, or of one table after a cursor
 * a previous page gave. A view of a national register holds millions of rows: an answer holds a page.
 */
export interface AsOfPage {
  limit: number;
  table?: string;
  after?: string;
}

export interface AsOfAnswer {
  model: string;
  asOf: string | null;
  events: number;
  tables: Record<string, Record<string, unknown>[]>;
  /** Per table answered, the cursor of its next page (`table` and `after`), or null after its last row. */
  next: Record<string, string | null>;
}

/** The page's problem, naming the field, or undefined when the tables and cursor fit the model. */
export function asOfPageProblem(projection: Projection, page: AsOfPage): { field: 'table' | 'after'; message: string } | undefined {
  const keys = tableKeysOf(projection);
  if (page.table !== undefined && !keys.has(page.table)) {
    return { field: 'table', message: `${projection.name} has no table ${page.table}; its tables are ${[...keys.keys()].join(', ')}` };
  }
  if (page.after === undefined) return undefined;
  if (page.table === undefined) return { field: 'after', message: 'A cursor continues one table: give the table it came with' };
  if (!decodeCursor(page.after, keys.get(page.table) as string[])) return { field: 'after', message: `Not a cursor of table ${page.table}: use a next cursor its answers gave` };
  return undefined;
}

function pageAnswer(db: ReadModelDb, projection: Projection, page: AsOfPage): Pick<AsOfAnswer, 'tables' | 'next'> {
  const keys = tableKeysOf(projection);
  const tables: AsOfAnswer['tables'] = {};
  const next: AsOfAnswer['next'] = {};
  for (const [table, key] of keys) {
    if (page.table !== undefined && table !== page.table) continue;
    const after = page.after === undefined ? undefined : decodeCursor(page.after, key);
    const answered: TablePage = pageOf(db, table, key, page.limit, after);
    tables[table] = answered.rows;
    next[table] = answered.next;
  }
  return { tables, next };
}

export type AuditAnswer<J extends AuditJob> = J extends { kind: 'as-of' } ? AsOfAnswer : StoreVerification;

export interface AuditSources {
  store: EventStore;
  trustedKeys: Record<string, string>;
  progress?: VerificationProgress;
  snapshots?: AsOfSnapshots;
  /** Views kept between answers, so that the next page of one is not a rebuild; without it each answer builds its view. */
  views?: AsOfViews;
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
  // Before any view is built for it: a page the model cannot give is refused at once.
  const problem = asOfPageProblem(projection, job.page);
  if (problem) throw new DomainError('VALIDATION_FAILED', problem.message, problem.field);
  const { store, snapshots, views } = sources;
  const asOf = job.asOf ? { asOf: job.asOf } : {};
  const build = async (): Promise<AsOfView> => {
    if (snapshots && job.from === 'snapshot') return asOfFromSnapshot(store, projection, snapshots, { ...asOf, ...slicing });
    const db = openReadModelDb(':memory:');
    try {
      return { db, ...(await rebuildAsOf(store, [projection], db, { ...asOf, ...slicing })) };
    } catch (err) {
      db.close();
      throw err;
    }
  };
  // A kept view goes on from the last event it applied, over what was recorded since, up to its instant.
  const advance = async (view: AsOfView): Promise<void> => {
    const from = view.position ? { from: { after: view.position, events: view.events, ...(view.lastRecordedAt ? { lastRecordedAt: view.lastRecordedAt } : {}) } } : {};
    // The replay starts its count, position and recording time from the view's, and returns them moved on.
    Object.assign(view, await rebuildAsOf(store, [projection], view.db, { ...asOf, ...from, ...slicing }));
  };
  const answer = (view: AsOfView) => ({ model: projection.name, ...pageAnswer(view.db, projection, job.page), asOf: job.asOf ?? null, events: view.events }) as AuditAnswer<J>;
  if (views) return views.with(JSON.stringify([job.model, job.asOf ?? null, job.from]), build, advance, answer);
  const view = await build();
  try {
    return answer(view);
  } finally {
    view.db.close();
  }
}

/**
 * Runs a job where it belongs: on the audit thread when there is one; else (EventStoreDB, or a store with
 * no file the thread could open) on this thread, paging small and yielding every slice.
 */
export function runAudit<J extends AuditJob>(audit: AuditSources & { thread?: AuditThread }, job: J): Promise<AuditAnswer<J>> {
  return audit.thread ? audit.thread.run(job) : runAuditJob(audit, job, shareTheThread());
}
