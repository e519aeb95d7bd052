import { Gauge, type Registry } from 'prom-client';
import { ACCREDITATION_FINAL } from '../domain/accreditation/state';
import { CHANGE_FINAL } from '../domain/compliance/change-state';
import { REVIEW_FINAL } from '../domain/compliance/review-state';
import { NOC_FINAL } from '../domain/noc/state';
import type { ReadModelDb } from '../projections/db';
import { METRIC_PREFIX } from './registry';

/**
 * Where each kind of case is counted: the read-model table, the SQL expression that gives a case's
 * status, its jurisdiction (a column, or a fixed value for the federal office's own processes) and the
 * statuses that close it.
 */
interface CaseSource {
  kind: string;
  table: string;
  status: string;
  jurisdiction: { column: string } | { fixed: string };
  closed: readonly string[];
}

/**
 * Accreditation and the compliance of accredited offerings (reviews, significant changes) are the
 * federal office's alone, so their cases carry the jurisdiction `federal`. A review's status lives in
 * its folded state (JSON, as the domain's evolve leaves it); a change's status column also holds the
 * read model's `recommended-approve`/`recommended-reject` steps, which are open.
 */
const SOURCES: readonly CaseSource[] = [
  { kind: 'noc', table: 'noc_register', status: 'status', jurisdiction: { column: 'jurisdiction' }, closed: NOC_FINAL },
  { kind: 'accreditation', table: 'acc_queue_cases', status: 'status', jurisdiction: { fixed: 'federal' }, closed: ACCREDITATION_FINAL },
  { kind: 'compliance-review', table: 'cmp_reviews', status: "json_extract(state, '$.status')", jurisdiction: { fixed: 'federal' }, closed: REVIEW_FINAL },
  { kind: 'significant-change', table: 'cmp_changes', status: 'status', jurisdiction: { fixed: 'federal' }, closed: CHANGE_FINAL },
];

/**
 * Open cases by kind, status and jurisdiction, counted from the read models at scrape time (a grouped
 * count over an indexed table): nothing to keep in step with the events, and the figure is the one the
 * screens show. Closed cases (rejected, lapsed, expired, revoked, withdrawn; a review closed; a change
 * decided) are not counted; an active NOC or an accredited offering is, as its process still runs.
 */
export function registerOpenCases(registry: Registry, db: ReadModelDb): void {
  new Gauge({
    name: `${METRIC_PREFIX}open_cases`,
    help: 'Cases not closed yet, by kind, status and jurisdiction (from the read models)',
    labelNames: ['kind', 'status', 'jurisdiction'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const source of SOURCES) {
        if (!hasTable(db, source.table)) continue;
        for (const row of countOpen(db, source)) this.set({ kind: source.kind, status: row.status, jurisdiction: row.jurisdiction }, row.n);
      }
    },
  });
}

function countOpen(db: ReadModelDb, source: CaseSource): { status: string; jurisdiction: string; n: number }[] {
  const jurisdiction = 'column' in source.jurisdiction ? source.jurisdiction.column : '?';
  const jurisdictionBinds = 'fixed' in source.jurisdiction ? [source.jurisdiction.fixed] : [];
  const bindList = source.closed.map(() => '?').join(', ');
  return db
    .prepare(
      `SELECT ${source.status} AS status, ${jurisdiction} AS jurisdiction, COUNT(*) AS n FROM ${source.table}
       WHERE ${source.status} NOT IN (${bindList}) GROUP BY 1, 2`,
    )
    .all(...jurisdictionBinds, ...source.closed) as { status: string; jurisdiction: string; n: number }[];
}

/** The API may open the read models before the projector has created every table. */
function hasTable(db: ReadModelDb, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}
