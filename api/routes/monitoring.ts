import type { Actor } from '../../domain/shared/actor';
import { canSeeCspRecord } from '../../domain/shared/visibility';
import type { ApiDeps } from '../deps';
import { newCommandId } from '../noc-gateway';
import { defineRoute, type AnyRoute } from '../route';
import { MonitoringDetail, MonitoringParams, MonitoringViewSchema, MonthlyReportBody } from '../schemas/monitoring';
import { caseDetail } from './history';
import { complianceGatewayOf } from './reviews';
import { visibleOrNotFound } from './visible';

/** Continuous monitoring of an accredited offering (SPEC §3.1 "while accredited"): the provider's monthly reports. */
export function monitoringRoutes(deps: ApiDeps): AnyRoute[] {
  const gateway = complianceGatewayOf(deps);
  /** Another provider's monitoring is answered as monitoring that does not exist. */
  const visibleMonitoring = (actor: Actor, applicationId: string) =>
    visibleOrNotFound(
      gateway().monitoring(actor, applicationId),
      (live) => live.state.status !== 'none' && canSeeCspRecord(actor, live.state.cspId),
      `No monitoring of application ${applicationId}`,
    );
  return [
    defineRoute({
      method: 'GET',
      url: '/api/monitoring/:applicationId',
      operationId: 'getMonitoring',
      summary: "An accreditation's monthly monitoring: each period's report, late or missed, and its event history",
      description: 'Cloud Office staff see every offering, a provider its own; any other answers 404, as if it did not exist.',
      tag: 'compliance',
      auth: 'bearer',
      params: MonitoringParams,
      caseIdParam: 'applicationId',
      status: 200,
      response: MonitoringDetail,
      errors: [503],
      async handler({ actor, params }) {
        const live = await visibleMonitoring(actor, params.applicationId);
        return caseDetail(deps.eventStore, 'monitoring', params.applicationId, live);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/monitoring/:applicationId/reports',
      operationId: 'submitMonthlyReport',
      summary: "Submit a month's continuous-monitoring report (late reports are accepted and recorded as late)",
      tag: 'compliance',
      auth: 'bearer',
      roles: ['csp'],
      params: MonitoringParams,
      body: MonthlyReportBody,
      bodyName: 'MonthlyReport',
      idempotent: true,
      caseIdParam: 'applicationId',
      status: 200,
      response: MonitoringViewSchema,
      errors: [403, 409, 422, 503],
      async handler({ actor, params, body, idempotencyKey }) {
        await visibleMonitoring(actor, params.applicationId);
        return gateway().submitReport(params.applicationId, { type: 'SubmitMonthlyReport', actor, data: body, commandId: idempotencyKey ?? newCommandId() });
      },
    }),
  ];
}
