import { z } from 'zod';

/**
 * The accreditation rules the policy sets and the office may tune (SPEC §3.1). They live in
 * configuration and are pinned on each application when it is submitted.
 */
export const AccreditationPolicy = z.object({
  version: z.string().min(1),
  /** Days the applicant has to answer a request for information before the application lapses. */
  informationResponseDays: z.number().int().positive(),
  validityYears: z.number().int().positive(),
  /** The renewal window opens this many days before the accreditation's end. */
  renewalWindowDays: z.number().int().positive(),
  /** After a rejection, the same offering may apply again only after this many days. */
  coolingOffDays: z.number().int().nonnegative(),
  /** After a revocation, PSEs using the offering have this many days to migrate. */
  revocationTransitionDays: z.number().int().nonnegative(),
  /**
   * After an accreditation ends by expiry or by the CSP's withdrawal, PSEs using the offering have this
   * many days to migrate. Optional: policies pinned on applications before it existed lack it, and
   * then the default applies.
   */
  endTransitionDays: z.number().int().nonnegative().optional(),
});
export type AccreditationPolicy = z.infer<typeof AccreditationPolicy>;

export const DEFAULT_ACCREDITATION_POLICY: AccreditationPolicy = {
  version: 'cloud-first-2022/accreditation-1',
  informationResponseDays: 30,
  validityYears: 3,
  renewalWindowDays: 90,
  coolingOffDays: 90,
  revocationTransitionDays: 180,
  endTransitionDays: 180,
};

/** The migration period after an expiry or a withdrawal, in days, under a pinned policy. */
export const endTransitionDaysOf = (policy: AccreditationPolicy): number =>
  policy.endTransitionDays ?? DEFAULT_ACCREDITATION_POLICY.endTransitionDays ?? 180;
