import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { monthlyReportDueAt, nextPeriod, periodEnd, periodOf } from '../../domain/compliance/period';
import { DEFAULT_COMPLIANCE_POLICY } from '../../domain/compliance/policy';
import type { EventStore } from '../../eventstore/port';
import { decode } from '../../eventstore/registry';
import { createAdoptionQueries } from '../../projections/adoption/queries';
import { monitoringWorkflowId } from '../../workflows/compliance/messages';
import { transitionStateQuery, transitionWorkflowId, type TransitionView } from '../../workflows/compliance/transition-messages';
import { pse as pseOfficer } from '../support/actors';
import { skipTo } from '../support/temporal';
import { useWorkflowTestBed } from '../support/workflow-bed';
import { GOV_CLOUD, TASK_QUEUE, granted, people, streamOf, viewWhen } from './accreditation-harness';
import { monitoring, onPse, onReview, openReview, procurement, registerPse, report, reviewStatus, trackStarted } from './compliance-harness';
import { agreeOn, startReadModels, step, until, whenStarted, type ReadModels } from './compliance-read-models';

/**
 * An accreditation that ends in revocation (issue 4): a review escalates, the director revokes, the
 * accreditation's own process revokes, ends monitoring and starts the PSEs' transition; at the migration
 * deadline the procurement still open is flagged non-compliant in the adoption figures. One scenario per
 * file: a long skip after another test in the same file can hang the time-skipping server.
 */
const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
const policy = DEFAULT_COMPLIANCE_POLICY;

let env: TestWorkflowEnvironment;
let store: EventStore;
let models: ReadModels;

useWorkflowTestBed({ taskQueue: TASK_QUEUE, kind: 'compliance', title: 'compliance regime on the time-skipping server', onStore: startReadModels }, (bed) => ({ env, store, extra: models } = bed));

const serverNow = async (): Promise<number> => env.currentTimeMs();

describe('compliance regime on the time-skipping server', () => {
  it('ends in revocation: the review escalates, the director revokes, monitoring ends, and the PSEs get transition deadlines', async () => {
    const { handle: accreditation, applicationId, grant } = await granted(env, { compliance: { policy } });
    const monitor = await trackStarted(env, (await whenStarted(env, monitoringWorkflowId(applicationId))).workflowId);
    await until(() => monitoring(monitor), (v) => v.revision >= 0, 'monitoring started');

    // Two entities use the offering, one of them also another; the procurement check allowed each.
    const moitt = await registerPse(env, 'pse-moitt', 'federal');
    const lands = await registerPse(env, 'pse-pb-lands', 'punjab');
    await onPse(moitt, 'RecordProcurement', pseOfficer('pse-moitt'), procurement('pse-moitt', 'p-1'));
    await onPse(moitt, 'RecordProcurement', pseOfficer('pse-moitt'), procurement('pse-moitt', 'p-2', { offeringId: 'off-other' }));
    await onPse(lands, 'RecordProcurement', pseOfficer('pse-pb-lands', 'punjab'), procurement('pse-pb-lands', 'p-7'));
    await agreeOn(store, models, 'accredited', (row) => expect(row.monitoring.status).toBe('monitoring'));

    step('incident review');
    // An incident review: the evidence is not delivered within 30 days, so it escalates.
    const review = await openReview(env, applicationId, 'incident', people.reviewer);
    await onReview(review, 'RequestEvidence', people.reviewer, { request: 'The incident report' });
    // The provider keeps reporting meanwhile: the first month's report is sent before it falls due.
    const first = periodOf(grant.validFrom);
    await skipTo(env, Date.parse(periodEnd(first)) + DAY);
    await report(monitor, people.csp, first);
    await skipTo(env, Date.parse(grant.validFrom) + 31 * DAY);
    expect(Date.parse(monthlyReportDueAt(nextPeriod(first), policy))).toBeGreaterThan(await serverNow());
    await until(() => reviewStatus(review), (s) => s === 'escalated', 'review escalated');
    await agreeOn(store, models, 'accredited', (row) => {
      expect(row.escalations).toMatchObject([{ reason: 'evidence-overdue', outcome: null }]);
      expect(row.overdue.evidence).toHaveLength(1);
      expect(row.monitoring).toMatchObject({ submitted: 1, missed: 0 });
    });

    step('revocation');
    // The director revokes on the review; the accreditation's own process revokes and ends.
    const revokedAt = new Date(await serverNow()).toISOString();
    await onReview(review, 'DecideRevoke', people.director, { reasons: 'No incident report after a breach' });
    // Polled, not awaited with result(): waiting on a result lets the server skip time, and the
    // transition's deadline would then pass before the entities had their say.
    const result = await viewWhen(accreditation, (v) => v.state.status === 'revoked');
    const transitionUntil = result.state.status === 'revoked' ? (result.state.transitionUntil ?? '') : '';
    expect(Date.parse(transitionUntil) - Date.parse(revokedAt)).toBeGreaterThanOrEqual(180 * DAY - HOUR);

    step('monitoring ends');
    // Monitoring ends with the accreditation.
    await until(() => monitoring(monitor), (v) => v.state.status === 'ended', 'monitoring ended');
    await until(() => accreditation.describe(), (d) => d.status.name === 'COMPLETED', 'accreditation process closed');
    const revoked = await agreeOn(store, models, 'revoked', (row) => {
      expect(row.monitoring.status).toBe('ended');
      expect(row.escalations).toMatchObject([{ reason: 'evidence-overdue', outcome: 'revoked' }]);
      expect(row.lastReview).toMatchObject({ trigger: 'incident', status: 'revoked' });
    });
    expect(revoked.changes.map((c) => c.to)).toEqual(['revoked', 'accredited']);
    expect(revoked.changes[0]?.transitionUntil).toBe(transitionUntil);

    step('transition started');
    // The accreditation process started the transition: a notice per open procurement on the offering.
    const transition = await trackStarted(env, (await whenStarted(env, transitionWorkflowId(applicationId))).workflowId);
    expect((await transition.describe()).parentExecution?.workflowId).toBe(accreditation.workflowId);
    const notified = await until(
      () => transition.query(transitionStateQuery).catch((): TransitionView | undefined => undefined),
      (v) => v?.status === 'notified',
      'transition notices issued',
    );
    expect(notified?.migrateBy).toBe(transitionUntil);
    expect(notified?.notices.map((n) => `${n.pseId}/${n.procurementId}`).sort()).toEqual(['pse-moitt/p-1', 'pse-pb-lands/p-7']);
    const started = (await store.readStream(`transition-${applicationId}`)).map(decode)[0];
    expect(started).toMatchObject({ type: 'RevocationTransitionStarted', data: { applicationId, offeringId: GOV_CLOUD.offeringId, migrateBy: transitionUntil } });

    step('to the migration deadline');
    // The federal entity migrates in time; the provincial one does not.
    await onPse(moitt, 'EndProcurement', pseOfficer('pse-moitt'), { procurementId: 'p-1', reason: 'Migrated to an accredited offering' });
    // Waiting for the transition's end lets the server skip to its deadline (nothing else is left to wait for).
    const ended = (await transition.result()) as TransitionView;
    step('transition ended');
    expect(ended.status).toBe('ended');
    expect(await serverNow()).toBeGreaterThanOrEqual(Date.parse(transitionUntil));
    expect(ended.notices.filter((n) => n.flaggedNonCompliant).map((n) => `${n.pseId}/${n.procurementId}`)).toEqual(['pse-pb-lands/p-7']);

    step('adoption figures');
    await agreeOn(store, models, 'revoked');
    const adoption = createAdoptionQueries(models.db);
    const now = new Date(await serverNow()).toISOString();
    expect(adoption.nonCompliant(now).map((p) => `${p.pseId}/${p.procurementId}`)).toEqual(['pse-pb-lands/p-7']);
    expect(adoption.figures(now).totals).toMatchObject({ workloadsNonCompliant: 1 });
    expect((await streamOf(store, applicationId)).at(-1)?.type).toBe('AccreditationRevoked');
  });
});
