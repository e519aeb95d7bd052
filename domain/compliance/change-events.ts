import { z } from 'zod';
import { OfferingChanges } from '../csp/events';
import { IsoDateTime } from '../shared/vocabulary';

const Text = z.string().trim().min(1);

export const CHANGE_KINDS = ['architecture', 'data-centre-location', 'new-service', 'subcontractor', 'security-control', 'other'] as const;
export const ChangeKind = z.enum(CHANGE_KINDS);
export type ChangeKind = z.infer<typeof ChangeKind>;

/** What the provider notifies; fixed once requested. */
export const SignificantChange = z.object({
  changeId: Text,
  applicationId: Text,
  offeringId: Text,
  cspId: Text,
  kind: ChangeKind,
  description: Text.max(10000),
  plannedFor: IsoDateTime,
  /**
   * What the change does to the offering's register entry (e.g. its data centres, its deployment model):
   * once the change is approved, the CSP register applies it. Absent for a change that leaves the entry as it is.
   */
  offeringChanges: OfferingChanges.optional(),
});
export type SignificantChange = z.infer<typeof SignificantChange>;

/** Events of one significant change request, stream `change-<changeId>`: version 1, SignificantChangeRequested version 2 (eventstore/registry.ts). */
export const ChangeEventSchemas = {
  SignificantChangeRequested: SignificantChange.extend({ requestedBy: Text, requestedAt: IsoDateTime }),
  /** Notified with less notice than the policy requires: this counts as a compliance finding. */
  SignificantChangeNotifiedLate: z.object({
    applicationId: Text,
    noticeDays: z.number().int(),
    requiredDays: z.number().int().nonnegative(),
  }),
  SignificantChangeRecommended: z.object({
    recommendation: z.enum(['approve', 'reject']),
    reasons: Text,
    recommendedBy: Text,
    recommendedByName: Text,
  }),
  SignificantChangeApproved: z.object({ applicationId: Text, reasons: Text, decidedBy: Text, decidedByName: Text }),
  SignificantChangeRejected: z.object({ applicationId: Text, reasons: Text, decidedBy: Text, decidedByName: Text }),
} as const;

type Schemas = typeof ChangeEventSchemas;
export type ChangeEventType = keyof Schemas;
export type ChangeEvent = { [K in ChangeEventType]: { type: K; data: z.infer<Schemas[K]> } }[ChangeEventType];
export type ChangeEventOf<K extends ChangeEventType> = Extract<ChangeEvent, { type: K }>;

export const CHANGE_EVENT_TYPES = Object.keys(ChangeEventSchemas) as ChangeEventType[];
