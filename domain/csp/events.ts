import { z } from 'zod';
import { DeploymentModel } from '../procurement/hosting-rules';
import { IsoDateTime } from '../shared/vocabulary';

const Text = z.string().trim().min(1);

export const SERVICE_MODELS = ['IaaS', 'PaaS', 'SaaS'] as const;
export const ServiceModel = z.enum(SERVICE_MODELS);
export type ServiceModel = z.infer<typeof ServiceModel>;

export const DataCentre = z.object({
  city: Text.max(100),
  /** ISO 3166-1 alpha-2, upper case, e.g. PK. */
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code in upper case, e.g. PK'),
});
export type DataCentre = z.infer<typeof DataCentre>;

const distinct = <T>(values: readonly T[]): boolean => new Set(values).size === values.length;

/** What a CSP offers and may have accredited: a named cloud service (SPEC §2, "Offering"). */
export const OfferingDetails = z.object({
  name: Text.max(200),
  serviceModels: z.array(ServiceModel).min(1).max(3).refine(distinct, 'must not repeat a service model'),
  deploymentModel: DeploymentModel,
  dataCentres: z.array(DataCentre).min(1).max(50),
});
export type OfferingDetails = z.infer<typeof OfferingDetails>;

export const Offering = OfferingDetails.extend({ offeringId: Text.max(100) });
export type Offering = z.infer<typeof Offering>;

/** A change to an offering's details: only the fields that change, at least one. */
export const OfferingChanges = OfferingDetails.partial().refine((d) => Object.values(d).some((v) => v !== undefined), {
  message: 'must change at least one of name, serviceModels, deploymentModel, dataCentres',
});
export type OfferingChanges = z.infer<typeof OfferingChanges>;

/**
 * The fields an accreditation is judged on (the hosting rules read the deployment model and where the
 * data centres are): while the offering holds an accreditation they change only through an approved
 * significant change.
 */
export const ACCREDITED_FIELDS = ['deploymentModel', 'dataCentres'] as const satisfies readonly (keyof OfferingDetails)[];

export const Organisation = z.object({
  name: Text.max(200),
  /** The company's registration number with the SECP. */
  registrationNumber: Text.max(50),
  contact: z.object({
    name: Text.max(200),
    email: z.email(),
    phone: Text.max(30).optional(),
  }),
});
export type Organisation = z.infer<typeof Organisation>;

/** The CSP register's events (stream `csp-<cspId>`): version 1, OfferingUpdated version 2 (eventstore/registry.ts). */
export const CspEventSchemas = {
  CspRegistered: Organisation.extend({ cspId: Text, registeredBy: Text, registeredAt: IsoDateTime }),
  OfferingAdded: Offering.extend({ addedBy: Text }),
  /**
   * Carries the whole offering after the change, so a reader never has to merge partial updates. With
   * `changeId`, the change is an approved significant change taking effect (`updatedBy` is the director
   * who approved it); without, the provider changed the offering directly.
   */
  OfferingUpdated: Offering.extend({ changed: z.array(Text).min(1), updatedBy: Text, changeId: Text.optional() }),
  OfferingRetired: z.object({ offeringId: Text, reason: Text, retiredBy: Text }),
  /** An accreditation application for the offering was granted (or reinstated into a held status). */
  OfferingAccreditationHeld: z.object({ offeringId: Text, applicationId: Text, status: Text }),
  /** The application's accreditation ended (revoked, expired, withdrawn). */
  OfferingAccreditationReleased: z.object({ offeringId: Text, applicationId: Text, status: Text }),
} as const;

type Schemas = typeof CspEventSchemas;
export type CspEventType = keyof Schemas;
export type CspEvent = { [K in CspEventType]: { type: K; data: z.infer<Schemas[K]> } }[CspEventType];
export type CspEventOf<K extends CspEventType> = Extract<CspEvent, { type: K }>;

export const CSP_EVENT_TYPES = Object.keys(CspEventSchemas) as CspEventType[];

/**
 * The register-wide identity of an offering (stream `offering-<offeringId>`): its first and only event
 * names the CSP that owns the id. Appended with expected revision no-stream before the offering is
 * added, so of two providers adding the same id at once exactly one succeeds (SPEC §3.1).
 */
export const OfferingIdentityEventSchemas = {
  OfferingIdReserved: z.object({ offeringId: Text, cspId: Text, reservedBy: Text }),
} as const;
export const offeringStream = (offeringId: string): string => `offering-${offeringId}`;
