import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DEFAULT_ACCREDITATION_POLICY } from '../../domain/accreditation/policy';
import { DEFAULT_COMPLIANCE_POLICY } from '../../domain/compliance/policy';
import type { EventStore } from '../../eventstore/port';
import { decode } from '../../eventstore/registry';
import { createAdoptionQueries } from '../../projections/adoption/queries';
import { transitionStateQuery, transitionWorkflowId, type TransitionView } from '../../workflows/compliance/transition-messages';
import { pse as pseOfficer } from '../support/actors';
import { useWorkflowTestBed } from '../support/workflow-bed';
import { TASK_QUEUE, act, granted, people, viewWhen } from './accreditation-harness';
import { onPse, procurement, registerPse, trackStarted } from './compliance-harness';
import { agreeOn, startReadModels, step, until, whenStarted, type ReadModels } from './compliance-read-models';

/**
 * A grant that ends by the CSP's withdrawal gives the PSEs on the offering a migration period, as a
 * revocation does (SPEC §3.1): the accreditation's process starts the transition with the withdrawal's
 * deadline; a workload recorded on the offering afterwards (under a NOC) is flagged at the deadline too.
 * One scenario per file: a long skip after another test in the same file can hang the time-skipping server.
 */
const DAY = 24 * 60 * 60 * 1000;
const policy = { ...DEFAULT_ACCREDITATION_POLICY, endTransitionDays: 20 };

let env: TestWorkflowEnvironment;
let store: EventStore;
let models: ReadModels;

useWorkflowTestBed(
  { taskQueue: TASK_QUEUE, kind: 'compliance', title: 'a withdrawn grant on the time-skipping server', onStore: startReadModels },
  (bed) => ({ env, store, extra: models } = bed),
);

describe('a withdrawn grant on the time-skipping server', () => {
  it('starts a migration period at the withdrawal and flags at its deadline every workload still on the offering, one recorded after the withdrawal included', async () => {
    const { handle: accreditation, applicationId } = await granted(env, { policy, compliance: { policy: DEFAULT_COMPLIANCE_POLICY } });
    const moitt = await registerPse(env, 'pse-moitt');
    await onPse(moitt, 'RecordProcurement', pseOfficer('pse-moitt'), procurement('pse-moitt', 'p-1'));
    await agreeOn(store, models, 'accredited');

    step('withdrawal');
    const withdrawn = await act(accreditation, 'Withdraw', people.csp, { reason: 'Offering discontinued' });
    const transitionUntil = withdrawn.state.status === 'withdrawn' ? withdrawn.state.transitionUntil : undefined;
    expect(transitionUntil).toEqual(expect.any(String));
    await viewWhen(accreditation, (v) => v.state.status === 'withdrawn');

    step('transition started');
    const transition = await trackStarted(env, (await whenStarted(env, transitionWorkflowId(applicationId))).workflowId);
    const notified = await until(
      () => transition.query(transitionStateQuery).catch((): TransitionView | undefined => undefined),
      (v) => v?.status === 'notified',
      'transition notices issued',
    );
    expect(notified).toMatchObject({ migrateBy: transitionUntil, notices: [{ pseId: 'pse-moitt', procurementId: 'p-1', flaggedNonCompliant: false }] });
    const started = (await store.readStream(`transition-${applicationId}`)).map(decode)[0];
    expect(started).toMatchObject({ type: 'RevocationTransitionStarted', data: { cause: 'withdrawn', migrateBy: transitionUntil } });
    const endedAt = (started?.data as { endedAt: string } | undefined)?.endedAt ?? '';
    expect(Date.parse(transitionUntil ?? '') - Date.parse(endedAt)).toBe(20 * DAY);

    step('a workload recorded during the migration period');
    // Only a NOC in force can let it on now; the check's answer travels with the command.
    await onPse(moitt, 'RecordProcurement', pseOfficer('pse-moitt'), procurement('pse-moitt', 'p-2', { decision: 'allowed-by-noc' }));

    step('to the migration deadline');
    const ended = (await transition.result()) as TransitionView;
    expect(ended.status).toBe('ended');
    expect(ended.notices.filter((n) => n.flaggedNonCompliant).map((n) => n.procurementId)).toEqual(['p-1', 'p-2']);

    await agreeOn(store, models, 'withdrawn');
    const now = new Date(await env.currentTimeMs()).toISOString();
    expect(createAdoptionQueries(models.db).nonCompliant(now).map((p) => p.procurementId)).toEqual(['p-1', 'p-2']);
  });
});
