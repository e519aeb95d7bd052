import { z } from 'zod';
import { ChangeCommandPayloads } from '../../domain/compliance/change-commands';
import { SignificantChange } from '../../domain/compliance/change-events';
import { CHANGE_STATUSES, type ChangeState } from '../../domain/compliance/change-state';
import type { ChangeView } from '../../workflows/compliance/change-messages';
import { CaseHistoryEntry } from './accreditation';
import { CaseId } from './review';
import { IsoDateTime } from '../../domain/shared/vocabulary';
import type { Same } from './same-shape';

/** The significant change endpoints' schemas. */

/** What the provider notifies; the server adds the change id and the offering and provider from the accreditation. */
export const RequestChangeBody = SignificantChange.pick({ kind: true, description: true, plannedFor: true, offeringChanges: true }).extend({ applicationId: CaseId });

export const ChangeIdParams = z.object({ changeId: CaseId });
export const RecommendChangeBody = ChangeCommandPayloads.RecommendChange;
export const DecideChangeBody = ChangeCommandPayloads.DecideChange;


export const ChangeViewSchema = z.object({
  state: z.union([
    z.object({ status: z.literal('none') }),
    z.object({
      status: z.enum(CHANGE_STATUSES),
      change: SignificantChange,
      requestedBy: z.string(),
      requestedAt: IsoDateTime,
      lateNotice: z.boolean(),
      recommendation: z.object({ recommendation: z.enum(['approve', 'reject']), reasons: z.string(), by: z.string() }).optional(),
      decidedBy: z.string().optional(),
    }),
  ]),
  revision: z.number().int(),
});

export const ChangeDetail = z.object({ live: ChangeViewSchema, history: z.array(CaseHistoryEntry) });

const sameShapes: [Same<z.output<typeof ChangeViewSchema>['state'], ChangeState>, Same<z.output<typeof ChangeViewSchema>, ChangeView>] = [true, true];
void sameShapes;
