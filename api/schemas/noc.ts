import { z } from 'zod';
import { Actor } from '../../domain/shared/actor';
import { MonthsRequested, PageOffset, pageLimit } from '../../domain/shared/bounds';
import { DataClass, IsoDateTime, Jurisdiction, Role } from '../../domain/shared/vocabulary';
import { DeviationKind, NocCommandPayloads, NocRequest, NOC_STATUSES, type NocCase, type NocCommandType, type NocState } from '../../domain/noc';
import { EventMetadata } from '../../eventstore/envelope';
import type { NocHistoryRow, NocNotificationRow, NocRegisterRow, NocTaskRow } from '../../projections/noc/read-model';
import type { NocView } from '../../workflows/noc/messages';
import type { Same } from './same-shape';

/**
 * The NOC endpoints' request and response schemas. Requests are parsed with them; responses are
 * described by them in the OpenAPI document, and the compile-time checks at the bottom keep those
 * descriptions equal to the types the code really returns.
 */
export const NocStatus = z.enum(NOC_STATUSES);

/** The PSE's request; the server adds the NOC id, the PSE's organisation and its jurisdiction. */
export const RequestNocBody = NocRequest.omit({ nocId: true, pseId: true, jurisdiction: true }).extend({ requestedMonths: MonthsRequested });

export const NocIdParams = z.object({
  nocId: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9._:-]+$/, 'must be letters, digits, dots, colons, dashes or underscores'),
});

export const NocListQuery = z.object({
  /** Comma-separated, e.g. `active,extension-requested`. */
  status: z
    .string()
    .transform((s) => s.split(',').map((part) => part.trim()))
    .pipe(z.array(NocStatus).min(1))
    .optional()
    .describe(`Comma-separated statuses: ${NOC_STATUSES.join(', ')}`),
  jurisdiction: Jurisdiction.optional(),
  pseId: z.string().min(1).max(100).optional(),
  dataClass: DataClass.optional(),
  expiringBefore: z.iso.datetime({ offset: true }).optional(),
  limit: pageLimit(500, 50),
  offset: PageOffset,
});

/** One POST per action a person takes on a NOC, with the roles that could ever take it. */
export interface NocActionSpec {
  path: string;
  command: Exclude<NocCommandType, 'RequestNoc' | 'Lapse' | 'RecordExpiryReminder' | 'Expire'>;
  summary: string;
  roles: readonly z.infer<typeof Role>[];
}

const REVIEWERS = ['reviewer', 'provincial-officer'] as const;
const DECIDERS = ['director', 'provincial-officer'] as const;
const APPLICANT = ['pse'] as const;

export const NOC_ACTIONS: readonly NocActionSpec[] = [
  { path: 'start-review', command: 'StartReview', summary: 'Start reviewing a requested NOC', roles: REVIEWERS },
  { path: 'request-information', command: 'RequestInformation', summary: 'Ask the PSE for more information', roles: REVIEWERS },
  { path: 'provide-information', command: 'ProvideInformation', summary: "Answer the reviewer's questions", roles: APPLICANT },
  { path: 'recommend', command: 'Recommend', summary: 'Recommend approval or rejection', roles: REVIEWERS },
  { path: 'decide', command: 'Decide', summary: 'Approve or reject the NOC', roles: DECIDERS },
  { path: 'request-extension', command: 'RequestExtension', summary: 'Ask to extend an active NOC', roles: APPLICANT },
  { path: 'decide-extension', command: 'DecideExtension', summary: 'Approve or reject the extension', roles: DECIDERS },
  { path: 'revoke', command: 'Revoke', summary: 'Revoke a NOC in force', roles: DECIDERS },
  { path: 'withdraw', command: 'Withdraw', summary: 'Withdraw the NOC', roles: APPLICANT },
];

export const actionBody = (spec: NocActionSpec): z.ZodType => NocCommandPayloads[spec.command];


export const NocCaseSchema = z.object({
  status: NocStatus,
  request: NocRequest,
  requestedBy: z.string(),
  requestedAt: IsoDateTime,
  reviewerId: z.string().optional(),
  reviewerName: z.string().optional(),
  informationDueBy: IsoDateTime.optional(),
  recommendation: z
    .object({
      recommendation: z.enum(['approve', 'reject']),
      reasons: z.string(),
      conditions: z.array(z.string()),
      by: z.string(),
      byName: z.string(),
    })
    .optional(),
  decidedBy: z.string().optional(),
  validFrom: IsoDateTime.optional(),
  validUntil: IsoDateTime.optional(),
  conditions: z.array(z.string()),
  extensionsGranted: z.number().int(),
  pendingExtensionMonths: z.number().int().optional(),
  remindersSent: z.array(z.number().int()),
});

export const NocStateSchema = z.union([z.object({ status: z.literal('none') }), NocCaseSchema]);

export const NocViewSchema = z.object({
  state: NocStateSchema,
  /** Revision of the NOC's event stream after its last event. */
  revision: z.number().int(),
});

const nullable = <T extends z.ZodType>(t: T) => t.nullable();

export const NocRegisterRowSchema = z.object({
  nocId: z.string(),
  pseId: z.string(),
  jurisdiction: Jurisdiction,
  deviation: DeviationKind,
  description: z.string(),
  dataClass: DataClass,
  systems: z.array(z.string()),
  offeringId: nullable(z.string()),
  requestedMonths: z.number().int(),
  status: NocStatus,
  requestedBy: z.string(),
  requestedAt: IsoDateTime,
  reviewerId: nullable(z.string()),
  recommendation: nullable(z.enum(['approve', 'reject'])),
  recommendedBy: nullable(z.string()),
  decidedBy: nullable(z.string()),
  decidedAt: nullable(IsoDateTime),
  validFrom: nullable(IsoDateTime),
  validUntil: nullable(IsoDateTime),
  conditions: z.array(z.string()),
  extensionsGranted: z.number().int(),
  informationDueBy: nullable(IsoDateTime),
  pendingExtensionMonths: nullable(z.number().int()),
  updatedAt: IsoDateTime,
  revision: z.number().int(),
});

export const NocTaskRowSchema = z.object({
  taskId: z.string(),
  nocId: z.string(),
  kind: z.enum(['review', 'decide', 'decide-extension', 'answer-information']),
  jurisdiction: Jurisdiction,
  role: z.string(),
  pseId: nullable(z.string()),
  excludedUserIds: z.array(z.string()),
  createdAt: IsoDateTime,
  dueAt: nullable(IsoDateTime),
  claimedBy: nullable(z.string()),
  claimedAt: nullable(IsoDateTime),
});

export const NocTimelineRowSchema = z.object({
  nocId: z.string(),
  revision: z.number().int(),
  from: nullable(NocStatus),
  to: NocStatus,
  at: IsoDateTime,
  byUserId: z.string(),
  byRole: z.string(),
  byName: nullable(z.string()),
  eventType: z.string(),
});

export const NocNotificationRowSchema = z.object({
  id: z.string(),
  nocId: z.string(),
  pseId: z.string(),
  kind: z.enum([
    'expiry-reminder',
    'decision',
    'information-requested',
    'expired',
    'revoked',
    'migration-notice',
    'non-compliant',
    'offering-suspended',
    'offering-reinstated',
  ]),
  message: z.string(),
  createdAt: IsoDateTime,
  deliveredAt: nullable(IsoDateTime),
});

export const NocHistoryEntry = z.object({
  type: z.string(),
  revision: z.number().int(),
  /** Global log position, as `commit/prepare`. */
  position: z.string(),
  recordedAt: IsoDateTime,
  actor: EventMetadata.shape.actor,
  data: z.unknown(),
  metadata: EventMetadata,
  /** Set when the stored event no longer decodes; data and metadata are then shown as stored. */
  decodeError: z.string().optional(),
});

export const NocDetail = z.object({
  /** The register row; null while the projection has not caught up with a just-requested NOC. */
  register: NocRegisterRowSchema.nullable(),
  /** The process's own view, given when the register row is not there yet. */
  live: NocViewSchema.nullable(),
  /** Its status changes from the register, oldest first (empty until projected). */
  timeline: z.array(NocTimelineRowSchema),
  /** Every event of its stream, decoded. */
  history: z.array(NocHistoryEntry),
});

export const NocList = z.object({ items: z.array(NocRegisterRowSchema), limit: z.number().int(), offset: z.number().int() });
export const NocQueue = z.object({ items: z.array(NocTaskRowSchema) });
export const NocNotifications = z.object({ items: z.array(NocNotificationRowSchema) });
export const ActorSchema = Actor;

/** Holds only when A and B are the same type. */
const sameShapes: [
  Same<z.output<typeof NocCaseSchema>, NocCase>,
  Same<z.output<typeof NocStateSchema>, NocState>,
  Same<z.output<typeof NocViewSchema>, NocView>,
  Same<z.output<typeof NocRegisterRowSchema>, NocRegisterRow>,
  Same<z.output<typeof NocTaskRowSchema>, NocTaskRow>,
  Same<z.output<typeof NocNotificationRowSchema>, NocNotificationRow>,
  Same<z.output<typeof NocTimelineRowSchema>, NocHistoryRow>,
] = [true, true, true, true, true, true, true];
void sameShapes;
