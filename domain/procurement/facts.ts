import { z } from 'zod';
import { Baseline, DATA_CLASSES, DataClass, IsoDateTime, Jurisdiction } from '../shared/vocabulary';
import { isBefore } from '../shared/time';
import { DeploymentModel } from './hosting-rules';

/**
 * The facts the procurement check reads. They are the check's own types, not the accreditation or NOC
 * deciders' state: a read model assembles them, and the check stays independent of how those
 * processes store their cases.
 */
const Text = z.string().trim().min(1);

const validityInOrder = (v: { validFrom?: string; validUntil?: string }): boolean =>
  v.validFrom === undefined || v.validUntil === undefined || isBefore(v.validFrom, v.validUntil);

export const ACCREDITATION_STATUSES = ['accredited', 'suspended', 'revoked', 'expired', 'withdrawn'] as const;
export const AccreditationStatus = z.enum(ACCREDITATION_STATUSES);
export type AccreditationStatus = z.infer<typeof AccreditationStatus>;

export const AccreditationFacts = z
  .object({
    status: AccreditationStatus,
    baseline: Baseline,
    highestDataClass: DataClass,
    validFrom: IsoDateTime,
    /** Exclusive: at this instant the accreditation no longer counts. */
    validUntil: IsoDateTime,
    /**
     * After a revocation, expiry or withdrawal: the workloads already on the offering must leave by this
     * instant (exclusive). Nothing new may be procured on it meanwhile.
     */
    transitionUntil: IsoDateTime.optional(),
    conditions: z.array(Text),
  })
  .refine(validityInOrder, { path: ['validUntil'], message: 'must be after validFrom' });
export type AccreditationFacts = z.infer<typeof AccreditationFacts>;

export const DataCentreFacts = z.object({
  city: Text,
  /** ISO 3166-1 alpha-2, e.g. PK. */
  country: z.string().regex(/^[A-Za-z]{2}$/, 'must be a two-letter country code'),
});
export type DataCentreFacts = z.infer<typeof DataCentreFacts>;

export const OfferingFacts = z.object({
  offeringId: Text,
  cspId: Text,
  /** Whether the offering's CSP is on the register now. */
  cspRegistered: z.boolean(),
  name: Text,
  deploymentModel: DeploymentModel,
  dataCentres: z.array(DataCentreFacts),
  /** The offering's current accreditation, whatever its status; absent when it never had one. */
  accreditation: AccreditationFacts.optional(),
});
export type OfferingFacts = z.infer<typeof OfferingFacts>;

/** Same values as the NOC decider's statuses and deviation kinds; a unit test keeps them equal. */
export const NOC_FACT_STATUSES = [
  'requested',
  'under-review',
  'awaiting-pse',
  'awaiting-decision',
  'active',
  'extension-requested',
  'rejected',
  'lapsed',
  'expired',
  'revoked',
  'withdrawn',
] as const;
export const NOC_FACT_STATUSES_IN_FORCE: readonly NocFacts['status'][] = ['active', 'extension-requested'];

export const NOC_FACT_DEVIATIONS = [
  'non-accredited-offering',
  'on-premises-hosting',
  'restricted-data-outside-pakistan',
  'new-own-data-centre',
  'other',
] as const;

export const NocFacts = z
  .object({
    nocId: Text,
    pseId: Text,
    status: z.enum(NOC_FACT_STATUSES),
    deviation: z.enum(NOC_FACT_DEVIATIONS),
    dataClass: DataClass,
    /** The offering the deviation is about, when it names one. */
    offeringId: Text.optional(),
    /** Set once approved; exclusive at validUntil. */
    validFrom: IsoDateTime.optional(),
    validUntil: IsoDateTime.optional(),
  })
  .refine(validityInOrder, { path: ['validUntil'], message: 'must be after validFrom' });
export type NocFacts = z.infer<typeof NocFacts>;

/** The jurisdiction is the PSE register's; absent for an entity it does not hold (the hosting rules do not read it). */
export const PseFacts = z.object({ pseId: Text, jurisdiction: Jurisdiction.optional() });
export type PseFacts = z.infer<typeof PseFacts>;

export const ProcurementInput = z
  .object({
    pse: PseFacts,
    dataClass: DataClass,
    /** The offering asked about; kept even when the register does not know it, so NOCs naming it still match. */
    offeringId: Text,
    /** The offering as the register knows it; absent when unknown. */
    offering: OfferingFacts.optional(),
    /** The NOCs that may bear on the question (the PSE's, or the offering's); the check sorts out which apply. */
    nocs: z.array(NocFacts),
  })
  .refine((input) => input.offering === undefined || input.offering.offeringId === input.offeringId, {
    path: ['offering', 'offeringId'],
    message: 'must equal the offeringId asked about',
  });
export type ProcurementInput = z.infer<typeof ProcurementInput>;

const Id = (what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `is required: the id of the ${what}` : `must be the id of the ${what}`) })
    .trim()
    .min(1, { error: `must not be empty: give the id of the ${what}`, abort: true })
    .max(100, 'must be at most 100 characters')
    .regex(/^[A-Za-z0-9._:-]+$/, 'must be letters, digits, dots, colons, dashes or underscores');

/** `?pse=&offering=&dataClass=&at=`, as the public endpoint receives it; `at` defaults to now at the edge. */
export const ProcurementQuery = z.object({
  pse: Id('public service entity'),
  offering: Id('offering'),
  dataClass: z.enum(DATA_CLASSES, {
    error: (issue) =>
      issue.input === undefined ? `is required: one of ${DATA_CLASSES.join(', ')}` : `must be one of ${DATA_CLASSES.join(', ')}`,
  }),
  at: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 instant, e.g. 2025-06-01T00:00:00Z' }).optional(),
});
export type ProcurementQuery = z.infer<typeof ProcurementQuery>;

/** What ProcurementQuery's ids accept, where trimming changes nothing: no whitespace at all. */
const PLAIN_ID = /^[A-Za-z0-9._:-]{1,100}$/;
const DATA_CLASS_NAMES: ReadonlySet<string> = new Set(DATA_CLASSES);
const AT = ProcurementQuery.shape.at;

/**
 * ProcurementQuery's answer for the shape nearly every question has (plain ids, a known data class,
 * no other field), without running the whole schema: the public check is the hottest read, and the
 * schema's object and string checks were a measurable share of it. `at`, when given, is still checked
 * by its schema. Anything else gives undefined, and the caller parses with ProcurementQuery, whose
 * error names the field. It accepts nothing the schema refuses and gives what the schema gives
 * (test/domain/procurement-query.unit.test.ts holds the two equal on random input).
 */
export function plainProcurementQuery(raw: unknown): ProcurementQuery | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { pse, offering, dataClass, at } = raw as Record<string, unknown>;
  if (typeof pse !== 'string' || typeof offering !== 'string' || typeof dataClass !== 'string') return undefined;
  if (!PLAIN_ID.test(pse) || !PLAIN_ID.test(offering) || !DATA_CLASS_NAMES.has(dataClass)) return undefined;
  const fields = Object.keys(raw).length;
  if (at === undefined) return fields === 3 && !Object.hasOwn(raw, 'at') ? { pse, offering, dataClass: dataClass as DataClass } : undefined;
  if (fields !== 4) return undefined;
  const checked = AT.safeParse(at);
  return checked.success && checked.data !== undefined ? { pse, offering, dataClass: dataClass as DataClass, at: checked.data } : undefined;
}
