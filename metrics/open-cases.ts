import { Gauge, type Registry } from 'prom-client';
import { ACCREDITATION_FINAL } from '../domain/accreditation/state';
import { NOC_FINAL } from '../domain/noc/state';
import type { ReadModelDb } from '../projections/db';
import { METRIC_PREFIX } from './registry';

/**
 * Open cases by kind, status and jurisdiction, counted from the read models at scrape time (a grouped
 * count over an indexed table): nothing to keep in step with the events, and the figure is the one the
 * screens show. Closed cases (rejected, lapsed, expired, revoked or withdrawn) are not counted; an
 * active NOC or an accredited offering is, as its process still runs. Accreditation is the federal
 * office's alone, so its cases carry the jurisdiction `federal`.
 */
export function registerOpenCases(registry: Registry, db: ReadModelDb): void {
  const bindList = (statuses: readonly string[]): string => statuses.map(() => '?').join(', ');
  new Gauge({
    name: `${METRIC_PREFIX}open_cases`,
    help: 'Cases not closed yet, by kind, status and jurisdiction (from the read models)',
    labelNames: ['kind', 'status', 'jurisdiction'] as const,
    registers: [registry],
    collect() {
      this.reset();
      if (hasTable(db, 'noc_register')) {
        const rows = db
          .prepare(`SELECT status, jurisdiction, COUNT(*) AS n FROM noc_register WHERE status NOT IN (${bindList(NOC_FINAL)}) GROUP BY status, jurisdiction`)
          .all(...NOC_FINAL) as { status: string; jurisdiction: string; n: number }[];
        for (const row of rows) this.set({ kind: 'noc', status: row.status, jurisdiction: row.jurisdiction }, row.n);
      }
      if (hasTable(db, 'acc_queue_cases')) {
        const rows = db
          .prepare(`SELECT status, COUNT(*) AS n FROM acc_queue_cases WHERE status NOT IN (${bindList(ACCREDITATION_FINAL)}) GROUP BY status`)
          .all(...ACCREDITATION_FINAL) as { status: string; n: number }[];
        for (const row of rows) this.set({ kind: 'accreditation', status: row.status, jurisdiction: 'federal' }, row.n);
      }
    },
  });
}

/** The API may open the read models before the projector has created every table. */
function hasTable(db: ReadModelDb, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}
