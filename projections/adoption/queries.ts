import { z } from 'zod';
import { NOC_IN_FORCE } from '../../domain/noc/state';
import { addDays, toMillis } from '../../domain/shared/time';
import { IsoDateTime, Jurisdiction } from '../../domain/shared/vocabulary';
import type { ReadModelDb } from '../db';

/** How far ahead "expiring soon" looks. */
export const EXPIRING_WITHIN_DAYS = 30;

const Figures = z.object({
  /** Workloads still on offerings the check allowed outright (accredited for the data, or open data on a registered CSP). */
  workloadsOnAccredited: z.number().int(),
  /** Workloads still on offerings a NOC allowed them on. */
  workloadsUnderNoc: z.number().int(),
  /** NOCs in force now. */
  activeNocs: z.number().int(),
  /** NOCs in force now whose validity ends within EXPIRING_WITHIN_DAYS days. */
  nocsExpiringWithin30Days: z.number().int(),
  /** Workloads still on an offering whose accreditation was revoked, within the migration period the entity was given notice of. */
  workloadsInTransition: z.number().int(),
  /** Workloads still on a revoked offering after their migration deadline: flagged non-compliant. */
  workloadsNonCompliant: z.number().int(),
});
export type Figures = z.infer<typeof Figures>;

export const AdoptionFigures = z.object({
  asOf: z.iso.datetime({ offset: true }),
  totals: Figures,
  byJurisdiction: z.array(Figures.extend({ jurisdiction: Jurisdiction })),
  /** Ministries within a jurisdiction; `ministry` is null for NOCs of entities not on the PSE register. */
  byMinistry: z.array(Figures.extend({ jurisdiction: Jurisdiction, ministry: z.string().nullable() })),
});
export type AdoptionFigures = z.infer<typeof AdoptionFigures>;

/** A workload left on a revoked offering past its migration deadline. */
export const NonCompliantProcurement = z.object({
  pseId: z.string(),
  name: z.string(),
  ministry: z.string(),
  jurisdiction: Jurisdiction,
  procurementId: z.string(),
  offeringId: z.string(),
  system: z.string(),
  dataClass: z.string(),
  migrateBy: IsoDateTime,
  flaggedAt: IsoDateTime,
});
export type NonCompliantProcurement = z.infer<typeof NonCompliantProcurement>;

export interface AdoptionQueries {
  /** The figures as they stand at `now`. */
  figures(now: string): AdoptionFigures;
  /** The workloads flagged non-compliant and still open at `now`, oldest deadline first. */
  nonCompliant(now: string, filter?: { jurisdiction?: Jurisdiction }): NonCompliantProcurement[];
}

interface CountRow {
  jurisdiction: Jurisdiction;
  ministry: string | null;
  accredited: number;
  noc: number;
  active: number;
  expiring: number;
  transition: number;
  nonCompliant: number;
}

const IN_FORCE = NOC_IN_FORCE.map((s) => `'${s}'`).join(', ');

/**
 * Workloads from the adoption tables; NOCs from the NOC register, given a ministry through the PSE
 * register. Both halves are summed per (jurisdiction, ministry), then rolled up.
 */
const FIGURES_SQL = `
SELECT jurisdiction, ministry, SUM(accredited) AS accredited, SUM(noc) AS noc, SUM(active) AS active, SUM(expiring) AS expiring,
       SUM(transition) AS transition, SUM(non_compliant) AS nonCompliant FROM (
  SELECT p.jurisdiction, p.ministry,
         SUM(r.decision = 'allowed') AS accredited, SUM(r.decision = 'allowed-by-noc') AS noc, 0 AS active, 0 AS expiring,
         SUM(r.noticed_at_ms IS NOT NULL AND r.noticed_at_ms <= @now AND (r.non_compliant_at_ms IS NULL OR r.non_compliant_at_ms > @now)) AS transition,
         SUM(r.non_compliant_at_ms IS NOT NULL AND r.non_compliant_at_ms <= @now) AS non_compliant
  FROM adoption_procurements r JOIN adoption_pses p ON p.pse_id = r.pse_id
  WHERE r.recorded_at_ms <= @now AND (r.ended_at_ms IS NULL OR r.ended_at_ms > @now)
  GROUP BY p.jurisdiction, p.ministry
  UNION ALL
  SELECT n.jurisdiction, p.ministry, 0, 0, COUNT(*), SUM(n.valid_until_ms <= @soon), 0, 0
  FROM noc_register n LEFT JOIN adoption_pses p ON p.pse_id = n.pse_id
  WHERE n.status IN (${IN_FORCE}) AND n.valid_until_ms > @now
  GROUP BY n.jurisdiction, p.ministry
)
GROUP BY jurisdiction, ministry
ORDER BY jurisdiction, ministry IS NULL, ministry`;

const zero = (): Figures => ({
  workloadsOnAccredited: 0,
  workloadsUnderNoc: 0,
  activeNocs: 0,
  nocsExpiringWithin30Days: 0,
  workloadsInTransition: 0,
  workloadsNonCompliant: 0,
});

function add(into: Figures, row: CountRow): void {
  into.workloadsOnAccredited += row.accredited;
  into.workloadsUnderNoc += row.noc;
  into.activeNocs += row.active;
  into.nocsExpiringWithin30Days += row.expiring;
  into.workloadsInTransition += row.transition;
  into.workloadsNonCompliant += row.nonCompliant;
}

const NON_COMPLIANT_SQL = `
SELECT r.pse_id AS pseId, p.name, p.ministry, p.jurisdiction, r.procurement_id AS procurementId, r.offering_id AS offeringId,
       r.system, r.data_class AS dataClass, r.migrate_by AS migrateBy, r.non_compliant_at AS flaggedAt
FROM adoption_procurements r JOIN adoption_pses p ON p.pse_id = r.pse_id
WHERE r.non_compliant_at_ms <= @now AND (r.ended_at_ms IS NULL OR r.ended_at_ms > @now)
  AND (@jurisdiction IS NULL OR p.jurisdiction = @jurisdiction)
ORDER BY r.migrate_by_ms, r.pse_id, r.procurement_id`;

export function createAdoptionQueries(db: ReadModelDb): AdoptionQueries {
  // Prepared on first use: the API may open the database before the projector has created every table.
  let statement: ReturnType<ReadModelDb['prepare']> | undefined;
  let nonCompliantStatement: ReturnType<ReadModelDb['prepare']> | undefined;
  return {
    nonCompliant(now, filter = {}) {
      nonCompliantStatement ??= db.prepare(NON_COMPLIANT_SQL);
      return nonCompliantStatement.all({ now: toMillis(now), jurisdiction: filter.jurisdiction ?? null }) as NonCompliantProcurement[];
    },
    figures(now) {
      statement ??= db.prepare(FIGURES_SQL);
      const nowMs = toMillis(now);
      const rows = statement.all({ now: nowMs, soon: toMillis(addDays(now, EXPIRING_WITHIN_DAYS)) }) as CountRow[];
      const totals = zero();
      const byJurisdiction = new Map<Jurisdiction, Figures & { jurisdiction: Jurisdiction }>();
      const byMinistry: AdoptionFigures['byMinistry'] = [];
      for (const row of rows) {
        add(totals, row);
        let j = byJurisdiction.get(row.jurisdiction);
        if (!j) byJurisdiction.set(row.jurisdiction, (j = { jurisdiction: row.jurisdiction, ...zero() }));
        add(j, row);
        const m = { jurisdiction: row.jurisdiction, ministry: row.ministry, ...zero() };
        add(m, row);
        byMinistry.push(m);
      }
      return { asOf: new Date(nowMs).toISOString(), totals, byJurisdiction: [...byJurisdiction.values()], byMinistry };
    },
  };
}
