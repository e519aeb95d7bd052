import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DEFAULT_ACCREDITATION_POLICY } from '../../domain/accreditation/policy';
import { DEFAULT_COMPLIANCE_POLICY } from '../../domain/compliance/policy';
import type { EventStore } from '../../eventstore/port';
import { decode } from '../../eventstore/registry';
import { createAdoptionQueries } from '../../projections/adoption/queries';
import { transitionStateQuery, transitionWorkflowId, type TransitionView } from '../../workflows/compliance/transition-messages';
import { pse as pseOfficer } from '../support/actors';
import { useWorkflowTestBed } from '../support/workflow-bed';
import { skipTo } from '../support/temporal';
import { TASK_QUEUE, act, assessed, people, viewWhen } from './accreditation-harness';
import { onPse, procurement, registerPse, trackStarted } from './compliance-harness';
import { agreeOn, startReadModels, step, until, whenStarted, type ReadModels } from './compliance-read-models';

/**
 * A grant that expires gives the PSEs on the offering a migration period from its end date, as a
 * revocation does (SPEC §3.1): at the expiry the accreditation's process starts the transition, and at
 * its deadline the workload still there is flagged. One scenario per file: a long skip after another
 * test in the same file can hang the time-skipping server.
 */
const DAY = 24 * 60 * 60 * 1000;
const policy = { ...DEFAULT_ACCREDITATION_POLICY, endTransitionDays: 10 };

let env: TestWorkflowEnvironment;
let store: EventStore;
let models: ReadModels;

useWorkflowTestBed(
  { taskQueue: TASK_QUEUE, kind: 'compliance', title: 'an expired grant on the time-skipping server', onStore: startReadModels },
  (bed) => ({ env, store, extra: models } = bed),
);

describe('an expired grant on the time-skipping server', () => {
  it('starts a migration period at the end date and flags at its deadline the workload still on the offering', async () => {
    // A grant of 20 days: no anniversary, no review, a short wait for its end.
    const { handle: accreditation } = await assessed(env, { policy, compliance: { policy: DEFAULT_COMPLIANCE_POLICY } });
    const validUntil = new Date((await env.currentTimeMs()) + 20 * DAY).toISOString();
    const approved = await act(accreditation, 'Decide', people.director, {
      decision: 'approve',
      baseline: 'intermediate',
      highestDataClass: 'restricted',
      reasons: 'Meets the intermediate baseline',
      validUntil,
    });
    const applicationId = approved.state.status === 'none' ? '' : approved.state.application.applicationId;
    const moitt = await registerPse(env, 'pse-moitt');
    await onPse(moitt, 'RecordProcurement', pseOfficer('pse-moitt'), procurement('pse-moitt', 'p-1'));
    await agreeOn(store, models, 'accredited');

    step('expiry');
    await skipTo(env, Date.parse(validUntil) + 60_000);
    const expired = await viewWhen(accreditation, (v) => v.state.status === 'expired');
    const transitionUntil = expired.state.status === 'expired' ? expired.state.transitionUntil : undefined;
    expect(transitionUntil).toBe(new Date(Date.parse(validUntil) + 10 * DAY).toISOString());

    step('transition started');
    const transition = await trackStarted(env, (await whenStarted(env, transitionWorkflowId(applicationId))).workflowId);
    const notified = await until(
      () => transition.query(transitionStateQuery).catch((): TransitionView | undefined => undefined),
      (v) => v?.status === 'notified',
      'transition notices issued',
    );
    expect(notified).toMatchObject({ migrateBy: transitionUntil, notices: [{ pseId: 'pse-moitt', procurementId: 'p-1', flaggedNonCompliant: false }] });
    const started = (await store.readStream(`transition-${applicationId}`)).map(decode)[0];
    expect(started).toMatchObject({ type: 'RevocationTransitionStarted', data: { cause: 'expired', migrateBy: transitionUntil } });

    step('to the migration deadline');
    const ended = (await transition.result()) as TransitionView;
    expect(ended.notices.filter((n) => n.flaggedNonCompliant).map((n) => n.procurementId)).toEqual(['p-1']);
    await agreeOn(store, models, 'expired');
    const now = new Date(await env.currentTimeMs()).toISOString();
    expect(createAdoptionQueries(models.db).nonCompliant(now).map((p) => p.procurementId)).toEqual(['p-1']);
  });
});
