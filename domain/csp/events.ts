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

/** The CSP register's events (stream `csp-<cspId>`), version 1. */
export const CspEventSchemas = {
  CspRegistered: Organisation.extend({ cspId: Text, registeredBy: Text, registeredAt: IsoDateTime }),
  OfferingAdded: Offering.extend({ addedBy: Text }),
  /** Carries the whole offering after the change, so a reader never has to merge partial updates. */
  OfferingUpdated: Offering.extend({ changed: z.array(Text).min(1), updatedBy: Text }),
  OfferingRetired: z.object({ offeringId: Text, reason: Text, retiredBy: Text }),
} as const;

type Schemas = typeof CspEventSchemas;
export type CspEventType = keyof Schemas;
export type CspEvent = { [K in CspEventType]: { type: K; data: z.infer<Schemas[K]> } }[CspEventType];
export type CspEventOf<K extends CspEventType> = Extract<CspEvent, { type: K }>;

export const CSP_EVENT_TYPES = Object.keys(CspEventSchemas) as CspEventType[];
