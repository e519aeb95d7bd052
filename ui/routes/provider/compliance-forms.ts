import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { statusOf } from '../../../api/errors';
import { complianceGatewayOf } from '../../../api/routes/reviews';
import { RequestChangeBody } from '../../../api/schemas/change';
import { MonthlyReportBody } from '../../../api/schemas/monitoring';
import { CHANGE_KINDS } from '../../../domain/compliance/change-events';
import { periodOf, previousPeriod } from '../../../domain/compliance/period';
import { DEPLOYMENT_MODELS } from '../../../domain/procurement/hosting-rules';
import type { Actor } from '../../../domain/shared/actor';
import { DomainError } from '../../../domain/shared/errors';
import { canSeeCspRecord } from '../../../domain/shared/visibility';
import { csrfOf, sendPage, seeOther, type UiContext } from '../../context';
import { commandIdField, commandIdOf, csrfField, errorSummary, formValues, selectField, textArea, textField, type FormErrors, type FormValues } from '../../forms';
import { html } from '../../html';
import { label, page } from '../../layout';
import { PROVIDER_HOME } from './home';
import { dataCentresOf, issuesToErrors, requireProvider } from './provider-forms';

const REPORT_LABELS: Record<string, string> = {
  period: 'Month reported on',
  summary: 'Summary',
  high: 'High vulnerabilities open',
  moderate: 'Moderate vulnerabilities open',
  low: 'Low vulnerabilities open',
};
const CHANGE_LABELS: Record<string, string> = {
  applicationId: 'Accreditation',
  kind: 'Kind of change',
  description: 'What changes',
  plannedFor: 'Planned for',
  deploymentModel: 'New deployment model',
  dataCentres: 'New data centres',
  name: 'New offering name',
};

/** A count as typed: a whole number, or what was typed when it is not one (zod names the rule). */
const count = (text: string | undefined): unknown => (text !== undefined && /^\s*\d+\s*$/.test(text) ? Number(text) : text === undefined || text.trim() === '' ? undefined : text);

/** A refusal from the process, as a message next to its field when it names one of the form's. */
function refusalErrors(err: DomainError, labels: Record<string, string>): FormErrors {
  const field = err.field !== undefined ? err.field.split('.').at(-1) ?? '' : '';
  return field in labels ? { [field]: `${labels[field]}: ${err.message}` } : { '': err.message };
}

const shown = (err: unknown): err is DomainError => err instanceof DomainError && err.kind !== 'internal' && err.kind !== 'unavailable';

/**
 * The provider's monthly continuous-monitoring report and its significant change request, as forms
 * over the same processes as POST /api/monitoring/:applicationId/reports and POST /api/changes.
 */
export function providerComplianceRoutes(app: FastifyInstance, ctx: UiContext): void {
  const gateway = complianceGatewayOf(ctx.deps);

  /**
   * Another provider's monitoring answers as one that does not exist. The page checks whose it is itself,
   * as GET /api/monitoring/:applicationId does, rather than trusting the gateway alone to hide it.
   */
  const ownMonitoring = async (actor: Actor, applicationId: string): Promise<void> => {
    const monitoring = await gateway().monitoring(actor, applicationId);
    if (monitoring === undefined || monitoring.state.status === 'none' || !canSeeCspRecord(actor, monitoring.state.cspId)) {
      throw new DomainError('NOT_FOUND', `No monitoring of application ${applicationId}`);
    }
  };

  const renderReport = async (request: FastifyRequest, reply: FastifyReply, actor: Actor, applicationId: string, values: FormValues, errors: FormErrors = {}, status = 200) => {
    await ownMonitoring(actor, applicationId);
    const csrf = csrfOf(ctx, request);
    const common = { form: 'report', values, errors };
    return sendPage(
      reply,
      page({
        title: 'Monthly report',
        actor,
        csrf,
        current: 'home',
        main: html`<h1>Monthly continuous-monitoring report</h1>
          <p>Application <a href="/ui/accreditations/${encodeURIComponent(applicationId)}">${applicationId}</a>. A report is due by day
            ${ctx.deps.config.compliancePolicy.monthlyReportDueDay} of the following month; a later one is taken and recorded as late.</p>
          ${errorSummary('report', errors)}
          <form method="post" action="/ui/provider/reports/${encodeURIComponent(applicationId)}">
            ${csrfField(csrf)}${commandIdField(values)}
            ${textField({ ...common, name: 'period', label: REPORT_LABELS.period as string, hint: 'As YYYY-MM, e.g. 2026-11.', required: true })}
            ${textArea({ ...common, name: 'summary', label: REPORT_LABELS.summary as string, hint: 'Incidents, changes and the state of controls this month.', required: true })}
            <fieldset><legend>Vulnerabilities open at the end of the month</legend>
              ${(['high', 'moderate', 'low'] as const).map((k) => textField({ ...common, name: k, label: REPORT_LABELS[k] as string, type: 'number', min: 0, required: true }))}
            </fieldset>
            <button type="submit">Submit the report</button>
          </form>`,
      }),
      status,
    );
  };

  app.get('/provider/reports/:applicationId', async (request, reply) => {
    const actor = requireProvider(request);
    const { applicationId } = request.params as { applicationId: string };
    return renderReport(request, reply, actor, applicationId, { period: previousPeriod(periodOf(ctx.now().toISOString())), high: '0', moderate: '0', low: '0' });
  });

  app.post('/provider/reports/:applicationId', async (request, reply) => {
    const actor = requireProvider(request);
    const { applicationId } = request.params as { applicationId: string };
    const values = formValues(request.body);
    await ownMonitoring(actor, applicationId);
    const parsed = MonthlyReportBody.safeParse({
      period: (values.period ?? '').trim(),
      summary: values.summary ?? '',
      vulnerabilities: { high: count(values.high), moderate: count(values.moderate), low: count(values.low) },
    });
    if (!parsed.success) {
      const errors = issuesToErrors(
        parsed.error.issues.map((i) => (i.path[0] === 'vulnerabilities' ? { ...i, path: i.path.slice(1) } : i)),
        REPORT_LABELS,
      );
      return renderReport(request, reply, actor, applicationId, values, errors, 400);
    }
    try {
      await gateway().submitReport(applicationId, { type: 'SubmitMonthlyReport', actor, data: parsed.data, commandId: commandIdOf(values) });
    } catch (err) {
      if (!shown(err) || err.kind === 'not-found') throw err;
      return renderReport(request, reply, actor, applicationId, values, refusalErrors(err, REPORT_LABELS), statusOf(err));
    }
    return seeOther(reply, `${PROVIDER_HOME}?done=report`);
  });

  const renderChange = (request: FastifyRequest, reply: FastifyReply, actor: Actor, values: FormValues, errors: FormErrors = {}, status = 200) => {
    const csrf = csrfOf(ctx, request);
    const common = { form: 'change', values, errors };
    const noticeDays = ctx.deps.config.compliancePolicy.significantChangeNoticeDays;
    return sendPage(
      reply,
      page({
        title: 'Request a significant change',
        actor,
        csrf,
        current: 'home',
        main: html`<h1>Request a significant change</h1>
          <p>Notify the Cloud Office at least ${noticeDays} days before the change; later notice opens a compliance review in which it is
            a finding. What the change does to the offering's register entry takes effect once a director approves it.</p>
          ${errorSummary('change', errors)}
          <form method="post" action="/ui/provider/changes">
            ${csrfField(csrf)}${commandIdField(values)}
            ${textField({ ...common, name: 'applicationId', label: CHANGE_LABELS.applicationId as string, hint: 'The accreditation the offering holds, e.g. ACC-2026-7K3QX9TB.', required: true })}
            ${selectField({ ...common, name: 'kind', label: CHANGE_LABELS.kind as string, required: true, empty: 'Choose…', options: CHANGE_KINDS.map((k) => [k, label(k)] as const) })}
            ${textArea({ ...common, name: 'description', label: CHANGE_LABELS.description as string, required: true })}
            ${textField({ ...common, name: 'plannedFor', label: CHANGE_LABELS.plannedFor as string, type: 'date', required: true })}
            <fieldset><legend>What it changes in the offering's register entry (leave empty for no change)</legend>
              ${textField({ ...common, name: 'name', label: CHANGE_LABELS.name as string })}
              ${selectField({ ...common, name: 'deploymentModel', label: CHANGE_LABELS.deploymentModel as string, empty: 'No change', options: DEPLOYMENT_MODELS.map((d) => [d, label(d)] as const) })}
              ${textArea({ ...common, name: 'dataCentres', label: CHANGE_LABELS.dataCentres as string, hint: 'The whole new list, one per line, as city and country code: Karachi, PK.' })}
            </fieldset>
            <button type="submit">Send the request</button>
          </form>`,
      }),
      status,
    );
  };

  app.get('/provider/changes/new', async (request, reply) => {
    const actor = requireProvider(request);
    const application = (request.query as Record<string, unknown>).application;
    return renderChange(request, reply, actor, typeof application === 'string' ? { applicationId: application } : {});
  });

  app.post('/provider/changes', async (request, reply) => {
    const actor = requireProvider(request);
    const values = formValues(request.body);
    const planned = (values.plannedFor ?? '').trim();
    const offeringChanges = {
      ...(values.name?.trim() ? { name: values.name } : {}),
      ...(values.deploymentModel ? { deploymentModel: values.deploymentModel } : {}),
      ...(values.dataCentres?.trim() ? { dataCentres: dataCentresOf(values.dataCentres) } : {}),
    };
    const parsed = RequestChangeBody.safeParse({
      applicationId: (values.applicationId ?? '').trim(),
      kind: values.kind || undefined,
      description: values.description ?? '',
      plannedFor: /^\d{4}-\d{2}-\d{2}$/.test(planned) ? `${planned}T00:00:00.000Z` : planned,
      ...(Object.keys(offeringChanges).length > 0 ? { offeringChanges } : {}),
    });
    if (!parsed.success) {
      const errors = issuesToErrors(
        parsed.error.issues.map((i) => (i.path[0] === 'offeringChanges' && i.path.length > 1 ? { ...i, path: i.path.slice(1) } : i)),
        CHANGE_LABELS,
      );
      return renderChange(request, reply, actor, values, errors, 400);
    }
    try {
      await gateway().requestChange(actor, parsed.data, commandIdOf(values));
    } catch (err) {
      if (!shown(err)) throw err;
      return renderChange(request, reply, actor, values, refusalErrors(err, CHANGE_LABELS), statusOf(err));
    }
    return seeOther(reply, `${PROVIDER_HOME}?done=change`);
  });
}
