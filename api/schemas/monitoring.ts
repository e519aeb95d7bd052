import { z } from 'zod';
import { MonitoringCommandPayloads } from '../../domain/compliance/monitoring-commands';
import { VulnerabilityCounts } from '../../domain/compliance/monitoring-events';
import type { MonitoringState } from '../../domain/compliance/monitoring-state';
import type { MonitoringView } from '../../workflows/compliance/messages';
import { CaseHistoryEntry } from './accreditation';
import { CaseId } from './review';
import { IsoDateTime } from '../../domain/shared/vocabulary';
import type { Same } from './same-shape';

/** The continuous-monitoring endpoints' schemas (SPEC §3.1 "while accredited"). */
export const MonitoringParams = z.object({ applicationId: CaseId });

/** The provider's monthly report, as the decider takes it. */
export const MonthlyReportBody = MonitoringCommandPayloads.SubmitMonthlyReport;


const PeriodOutcome = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('submitted'), submittedAt: IsoDateTime, vulnerabilities: VulnerabilityCounts }),
  z.object({ outcome: z.literal('late'), missChain: z.number().int(), submittedAt: IsoDateTime, vulnerabilities: VulnerabilityCounts }),
  z.object({ outcome: z.literal('missed'), missChain: z.number().int() }),
]);

export const MonitoringViewSchema = z.object({
  state: z.union([
    z.object({ status: z.literal('none') }),
    z.object({
      status: z.enum(['monitoring', 'ended']),
      applicationId: z.string(),
      offeringId: z.string(),
      cspId: z.string(),
      firstPeriod: z.string(),
      /** Keyed by period, YYYY-MM. */
      periods: z.record(z.string(), PeriodOutcome),
      consecutiveMisses: z.number().int(),
    }),
  ]),
  revision: z.number().int(),
});

const sameShapes: [Same<z.output<typeof MonitoringViewSchema>['state'], MonitoringState>, Same<z.output<typeof MonitoringViewSchema>, MonitoringView>] = [
  true,
  true,
];
void sameShapes;

export const MonitoringDetail = z.object({ live: MonitoringViewSchema, history: z.array(CaseHistoryEntry) });
