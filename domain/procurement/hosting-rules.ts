import { z } from 'zod';
import { BASELINES, Baseline, DATA_CLASSES, DataClass } from '../shared/vocabulary';

/**
 * The Cloud First Policy's hosting rules (SPEC §2), held as data so the procurement check can quote
 * the rule it applied, and so a later policy version is a new table rather than new code.
 */
export const HOSTING_RULES_VERSION = 'cloud-first-2022/hosting-1';

export const DEPLOYMENT_MODELS = ['public', 'government', 'private', 'hybrid'] as const;
export const DeploymentModel = z.enum(DEPLOYMENT_MODELS);
export type DeploymentModel = z.infer<typeof DeploymentModel>;

/** ISO 3166-1 alpha-2 code of Pakistan, where restricted-and-above data must physically sit. */
export const PAKISTAN = 'PK';

export const HostingRule = z.object({
  /** Stable id, quoted in every answer: `<policy version>/<data class>`. */
  id: z.string(),
  dataClass: DataClass,
  /** Every rule needs a CSP on the register; `open` needs nothing more. */
  requiresRegisteredCsp: z.literal(true),
  /** The offering must hold an accreditation in force that covers the data class. */
  requiresAccreditation: z.boolean(),
  /** The offering must be deployed as a government cloud. */
  requiresGovernmentCloud: z.boolean(),
  /** The lowest security baseline the accreditation must grant; null when any will do. */
  minimumBaseline: Baseline.nullable(),
  /** Every data centre of the offering must be in this country; null when location does not matter. */
  dataCentresOnlyIn: z.literal(PAKISTAN).nullable(),
  summary: z.string(),
});
export type HostingRule = z.infer<typeof HostingRule>;

const governmentCloudRule = (dataClass: DataClass, minimumBaseline: Baseline): HostingRule => ({
  id: `${HOSTING_RULES_VERSION}/${dataClass}`,
  dataClass,
  requiresRegisteredCsp: true,
  requiresAccreditation: true,
  requiresGovernmentCloud: true,
  minimumBaseline,
  dataCentresOnlyIn: PAKISTAN,
  summary:
    `${dataClass} data needs an accredited government cloud with every data centre in Pakistan, ` +
    `accredited at baseline ${minimumBaseline} or higher`,
});

export const HOSTING_RULES: Readonly<Record<DataClass, HostingRule>> = {
  open: {
    id: `${HOSTING_RULES_VERSION}/open`,
    dataClass: 'open',
    requiresRegisteredCsp: true,
    requiresAccreditation: false,
    requiresGovernmentCloud: false,
    minimumBaseline: null,
    dataCentresOnlyIn: null,
    summary: "open data may sit on a registered CSP's cloud, public cloud included",
  },
  public: {
    id: `${HOSTING_RULES_VERSION}/public`,
    dataClass: 'public',
    requiresRegisteredCsp: true,
    requiresAccreditation: true,
    requiresGovernmentCloud: false,
    minimumBaseline: null,
    dataCentresOnlyIn: null,
    summary: 'public data needs an offering accredited for public data or higher',
  },
  restricted: governmentCloudRule('restricted', 'intermediate'),
  confidential: governmentCloudRule('confidential', 'enhanced'),
  secret: governmentCloudRule('secret', 'highest'),
};

export function hostingRuleFor(dataClass: DataClass): HostingRule {
  return HOSTING_RULES[dataClass];
}

/** True when `have` is at least as sensitive as `need` (a NOC or accreditation for more covers less). */
export function dataClassCovers(have: DataClass, need: DataClass): boolean {
  return DATA_CLASSES.indexOf(have) >= DATA_CLASSES.indexOf(need);
}

/** True when baseline `have` meets `need`: a higher baseline satisfies a lower requirement. */
export function baselineMeets(have: Baseline, need: Baseline): boolean {
  return BASELINES.indexOf(have) >= BASELINES.indexOf(need);
}

export interface DataCentre {
  city: string;
  country: string;
}

/** The data centres that are not in `country` (country codes compare case-insensitively). */
export function dataCentresOutside<D extends DataCentre>(dataCentres: readonly D[], country: string): D[] {
  return dataCentres.filter((dc) => dc.country.toUpperCase() !== country.toUpperCase());
}
