import { z } from 'zod';
import { addDays, toMillis } from '../../domain/shared/time';
import { IsoDateTime, Jurisdiction } from '../../domain/shared/vocabulary';
import type { ReadModelDb } from '../db';

/** How far ahead "expiring soon" looks. */
export const EXPIRING_WITHIN_DAYS = 30;

/**
 * At any instant each workload still on its offering is in exactly one of four buckets, in this order
 * of precedence: non-compliant once flagged at its migration deadline; migrating once told its
 * offering's accreditation ended; on an accredited offering when the check allowed it outright; under
 * a NOC while the NOC it was recorded under is in force (approved, within its validity, not revoked
 * nor withdrawn); otherwise — its NOC ended — non-compliant.
 */
export const WORKLOAD_BUCKETS = ['accredited', 'noc', 'migrating', 'non-compliant'] as const;
export type WorkloadBucket = (typeof WORKLOAD_BUCKETS)[number];

const Figures = z.object({
  /** Workloads on offerings the check allowed outright (accredited for the data, or open data on a registered CSP), not migrating. */
  workloadsOnAccredited: z.number().int(),
  /** Workloads allowed by a NOC that is in force at the instant. */
  workloadsUnderNoc: z.number().int(),
  /** NOCs in force at the instant. */
  activeNocs: z.number().int(),
  /** NOCs in force at the instant whose validity ends within EXPIRING_WITHIN_DAYS days. */
  nocsExpiringWithin30Days: z.number().int(),
  /** Workloads on an offering whose accreditation ended (revoked, expired, withdrawn), within the migration period they were told of. */
  workloadsInTransition: z.number().int(),
  /** Workloads past their migration deadline, or whose NOC no longer holds. */
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

/** A workload in the non-compliant bucket, and why. */
export const NonCompliantProcurement = z.object({
  pseId: z.string(),
  name: z.string(),
  ministry: z.string(),
  jurisdiction: Jurisdiction,
  procurementId: z.string(),
  offeringId: z.string(),
  system: z.string(),
  dataClass: z.string(),
  /** `migration-deadline`: still on an offering past its migration deadline; `noc-ended`: its NOC no longer holds. */
  reason: z.enum(['migration-deadline', 'noc-ended']),
  /** The deadline, or the instant the NOC stopped holding. */
  migrateBy: IsoDateTime,
  /** When the workload became non-compliant. */
  flaggedAt: IsoDateTime,
});
export type NonCompliantProcurement = z.infer<typeof NonCompliantProcurement>;

export interface AdoptionQueries {
  /** The figures as they stand at `now`. */
  figures(now: string): AdoptionFigures;
  /** The workloads non-compliant and still open at `now`, oldest deadline first. */
  nonCompliant(now: string, filter?: { jurisdiction?: Jurisdiction }): NonCompliantProcurement[];
  /** Each workload open at `now` with its bucket, by entity and procurement. */
  buckets(now: string): { pseId: string; procurementId: string; bucket: WorkloadBucket }[];
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

/**
 * Each NOC's validity as of @now: it ends where the latest extension approved by then put it, else
 * where the approval did, and earlier if it was revoked or withdrawn.
 */
const NOCS_AS_OF = `
SELECT n.noc_id, n.pse_id, n.jurisdiction, n.valid_from_ms, n.ended_at_ms,
       COALESCE(
         (SELECT e.valid_until_ms FROM adoption_noc_extensions e
          WHERE e.noc_id = n.noc_id AND e.approved_at_ms <= @now
          ORDER BY e.approved_at_ms DESC LIMIT 1),
         n.valid_until_ms) AS valid_until_ms
FROM adoption_nocs n`;

/**
 * Each entity's name, ministry and jurisdiction as they stood at @now: the entry's latest version by
 * then. An entity not yet registered at @now has none, as in a replay of the log up to @now (a NOC of it
 * then counts under no ministry).
 */
const PSES_AS_OF = `
SELECT d.pse_id, d.name, d.ministry, d.jurisdiction FROM adoption_pse_details d
WHERE d.from_ms = (SELECT MAX(x.from_ms) FROM adoption_pse_details x WHERE x.pse_id = d.pse_id AND x.from_ms <= @now)`;

/**
 * The workloads open at @now, each with its bucket (see WORKLOAD_BUCKETS) and, for a NOC that no longer
 * holds, when it stopped. A NOC holds from validFrom until its validity end as of @now or its
 * revocation/withdrawal. A workload is migrating from its first notice and non-compliant from its first
 * flag recorded by @now; that flag gives when it became non-compliant and its deadline.
 */
const BUCKETED = `
WITH marks AS (
  SELECT pse_id, procurement_id,
         MIN(CASE WHEN kind = 'notice' THEN at_ms END) AS noticed_at_ms,
         MIN(CASE WHEN kind = 'flag' THEN at_ms END) AS flagged_at_ms
  FROM adoption_transition_marks
  WHERE at_ms <= @now
  GROUP BY pse_id, procurement_id
),
open_workloads AS (
  SELECT r.*, p.name, p.ministry, p.jurisdiction,
         m.noticed_at_ms, f.at AS flagged_at, f.at_ms AS flagged_at_ms, f.migrate_by, f.migrate_by_ms,
         n.valid_from_ms AS noc_from_ms,
         CASE WHEN n.ended_at_ms IS NOT NULL AND n.ended_at_ms < n.valid_until_ms THEN n.ended_at_ms ELSE n.valid_until_ms END AS noc_end_ms
  FROM adoption_procurements r
  JOIN (${PSES_AS_OF}) p ON p.pse_id = r.pse_id
  LEFT JOIN marks m ON m.pse_id = r.pse_id AND m.procurement_id = r.procurement_id
  LEFT JOIN adoption_transition_marks f
    ON f.pse_id = r.pse_id AND f.procurement_id = r.procurement_id AND f.kind = 'flag' AND f.at_ms = m.flagged_at_ms
  LEFT JOIN (${NOCS_AS_OF}) n ON n.noc_id = r.noc_id
  WHERE r.recorded_at_ms <= @now AND (r.ended_at_ms IS NULL OR r.ended_at_ms > @now)
)
SELECT *,
  CASE
    WHEN flagged_at_ms IS NOT NULL THEN 'non-compliant'
    WHEN noticed_at_ms IS NOT NULL THEN 'migrating'
    WHEN decision = 'allowed' THEN 'accredited'
    WHEN noc_from_ms IS NOT NULL AND noc_from_ms <= @now AND noc_end_ms > @now THEN 'noc'
    ELSE 'non-compliant'
  END AS bucket
FROM open_workloads`;

/** A NOC in force at @now: approved, within its validity as of @now, neither revoked nor withdrawn by then. */
const NOC_IN_FORCE_AT = `n.valid_from_ms <= @now AND n.valid_until_ms > @now AND (n.ended_at_ms IS NULL OR n.ended_at_ms > @now)`;

/** Workloads by bucket and NOCs in force, summed per (jurisdiction, ministry), then rolled up. */
const FIGURES_SQL = `
SELECT jurisdiction, ministry, SUM(accredited) AS accredited, SUM(noc) AS noc, SUM(active) AS active, SUM(expiring) AS expiring,
       SUM(transition) AS transition, SUM(non_compliant) AS nonCompliant FROM (
  SELECT jurisdiction, ministry,
         SUM(bucket = 'accredited') AS accredited, SUM(bucket = 'noc') AS noc, 0 AS active, 0 AS expiring,
         SUM(bucket = 'migrating') AS transition, SUM(bucket = 'non-compliant') AS non_compliant
  FROM (${BUCKETED})
  GROUP BY jurisdiction, ministry
  UNION ALL
  SELECT n.jurisdiction, p.ministry, 0, 0, COUNT(*), SUM(n.valid_until_ms <= @soon), 0, 0
  FROM (${NOCS_AS_OF}) n LEFT JOIN (${PSES_AS_OF}) p ON p.pse_id = n.pse_id
  WHERE ${NOC_IN_FORCE_AT}
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

const iso = (column: string): string => `strftime('%Y-%m-%dT%H:%M:%fZ', ${column} / 1000.0, 'unixepoch')`;

const NON_COMPLIANT_SQL = `
SELECT pse_id AS pseId, name, ministry, jurisdiction, procurement_id AS procurementId, offering_id AS offeringId, system, data_class AS dataClass,
       CASE WHEN flagged_at_ms IS NOT NULL THEN 'migration-deadline' ELSE 'noc-ended' END AS reason,
       CASE WHEN flagged_at_ms IS NOT NULL THEN migrate_by ELSE ${iso('noc_end_ms')} END AS migrateBy,
       CASE WHEN flagged_at_ms IS NOT NULL THEN flagged_at ELSE ${iso('noc_end_ms')} END AS flaggedAt,
       CASE WHEN flagged_at_ms IS NOT NULL THEN migrate_by_ms ELSE noc_end_ms END AS due_ms
FROM (${BUCKETED})
WHERE bucket = 'non-compliant' AND (@jurisdiction IS NULL OR jurisdiction = @jurisdiction)
ORDER BY due_ms, pse_id, procurement_id`;

const BUCKETS_SQL = `SELECT pse_id AS pseId, procurement_id AS procurementId, bucket FROM (${BUCKETED}) ORDER BY pse_id, procurement_id`;

export function createAdoptionQueries(db: ReadModelDb): AdoptionQueries {
  // Prepared on first use: the API may open the database before the projector has created every table.
  let statement: ReturnType<ReadModelDb['prepare']> | undefined;
  let nonCompliantStatement: ReturnType<ReadModelDb['prepare']> | undefined;
  let bucketsStatement: ReturnType<ReadModelDb['prepare']> | undefined;
  return {
    nonCompliant(now, filter = {}) {
      nonCompliantStatement ??= db.prepare(NON_COMPLIANT_SQL);
      const rows = nonCompliantStatement.all({ now: toMillis(now), jurisdiction: filter.jurisdiction ?? null }) as (NonCompliantProcurement & { due_ms: number })[];
      return rows.map(({ due_ms: _due, ...row }) => row);
    },
    buckets(now) {
      bucketsStatement ??= db.prepare(BUCKETS_SQL);
      return bucketsStatement.all({ now: toMillis(now) }) as { pseId: string; procurementId: string; bucket: WorkloadBucket }[];
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
