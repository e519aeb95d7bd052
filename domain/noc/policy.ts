import { z } from 'zod';

/**
 * The NOC rules that the policy sets and the office may tune. They live in configuration and are
 * pinned on each NOC process when it starts, so a later change never alters a case in flight.
 */
export const NocPolicy = z.object({
  version: z.string().min(1),
  maxMonths: z.number().int().positive(),
  maxExtensionMonths: z.number().int().positive(),
  maxExtensions: z.number().int().nonnegative(),
  informationResponseDays: z.number().int().positive(),
  reminderDaysBeforeExpiry: z.array(z.number().int().positive()),
});
export type NocPolicy = z.infer<typeof NocPolicy>;

export const DEFAULT_NOC_POLICY: NocPolicy = {
  version: 'cloud-first-2022/noc-1',
  maxMonths: 12,
  maxExtensionMonths: 6,
  maxExtensions: 1,
  informationResponseDays: 30,
  reminderDaysBeforeExpiry: [30, 7],
};
