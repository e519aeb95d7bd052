import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { ChangeCommandOf } from '../../domain/compliance/change-commands';
import { DEFAULT_COMPLIANCE_POLICY } from '../../domain/compliance/policy';
import type { CspCommandOf } from '../../domain/csp/commands';
import type { Actor } from '../../domain/shared/actor';
import { addDays } from '../../domain/shared/time';
import type { EventStore } from '../../eventstore/port';
import { accreditedListProjection, ACCREDITED_LIST_CATALOGUE } from '../../projections/accreditation/accredited-list';
import { PROCUREMENT_CATALOGUE, procurementFactsProjection } from '../../projections/procurement/facts';
import type { changeWorkflow } from '../../workflows/compliance/change.workflow';
import { changeActionUpdate, changeWorkflowId, type ChangeActionType, type ChangeView } from '../../workflows/compliance/change-messages';
import type { cspWorkflow } from '../../workflows/csp/csp.workflow';
import { cspActionUpdate, cspStateQuery, cspWorkflowId, type CspActionType, type CspView } from '../../workflows/csp/messages';
import { buildCaseEvents } from '../../activities/event-activities';
import { reconcileOfferings } from '../../cli/offerings-reconcile';
import { accreditationStandingSignal } from '../../workflows/csp/messages';
import { decodedStream, refusal } from '../support/case-results';
import { trackForExport } from '../support/history-export';
import { useWorkflowTestBed } from '../support/workflow-bed';
import { memoryDb, project } from '../projections/support';
import { CSP_ID, GOV_CLOUD, TASK_QUEUE, granted, people } from './accreditation-harness';

let env: TestWorkflowEnvironment;
let store: EventStore;

useWorkflowTestBed({ taskQueue: TASK_QUEUE, kind: 'offering', title: 'offerings across providers on the time-skipping server' }, (bed) => ({ env, store } = bed));

const rep = (cspId: string): Actor => ({ userId: `u-${cspId}`, name: `Rep of ${cspId}`, role: 'csp', jurisdiction: 'federal', organisationId: cspId });

async function register(cspId: string, actor: Actor = rep(cspId)): Promise<WorkflowHandle<typeof cspWorkflow>> {
  const command: CspCommandOf<'RegisterCsp'> = {
    type: 'RegisterCsp',
    actor,
    data: { cspId, name: `${cspId} (Pvt) Ltd`, registrationNumber: `SECP-${cspId}`, contact: { name: 'Contact', email: 'contact@example.pk' } },
  };
  return trackForExport(
    await env.client.workflow.start<typeof cspWorkflow>('cspWorkflow', {
      workflowId: cspWorkflowId(cspId),
      taskQueue: TASK_QUEUE,
      args: [{ register: command, requestId: `reg-${cspId}` }],
    }),
  );
}

function cspAct<K extends CspActionType>(handle: WorkflowHandle, type: K, actor: Actor, data: CspCommandOf<K>['data']): Promise<CspView> {
  return handle.executeUpdate(cspActionUpdate, { args: [{ type, actor, data: data as never, commandId: randomUUID() }] });
}

function changeAct<K extends ChangeActionType>(handle: WorkflowHandle, type: K, actor: Actor, data: ChangeCommandOf<K>['data']): Promise<ChangeView> {
  return handle.executeUpdate(changeActionUpdate, { args: [{ type, actor, data, commandId: randomUUID() }] });
}

/** Polls the register until `ready` holds: another process's signal gives no answer to wait on. */
async function registerWhen(handle: WorkflowHandle, ready: (v: CspView) => boolean): Promise<CspView> {
  for (let i = 0; i < 400; i++) {
    const current = await handle.query(cspStateQuery);
    if (ready(current)) return current;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('The register never reached the expected state');
}

const offeringOf = (view: CspView, offeringId = GOV_CLOUD.offeringId) => (view.state.status === 'registered' ? view.state.offerings[offeringId] : undefined);

async function requestChange(applicationId: string, offeringChanges: ChangeCommandOf<'RequestSignificantChange'>['data']['offeringChanges']) {
  const changeId = `CHG-${randomUUID().slice(0, 8)}`;
  const now = new Date(await env.currentTimeMs()).toISOString();
  const command: ChangeCommandOf<'RequestSignificantChange'> = {
    type: 'RequestSignificantChange',
    actor: people.csp,
    data: {
      changeId,
      applicationId,
      offeringId: GOV_CLOUD.offeringId,
      cspId: CSP_ID,
      kind: 'data-centre-location',
      description: 'Moving the Islamabad site to Lahore',
      plannedFor: addDays(now, 40),
      ...(offeringChanges === undefined ? {} : { offeringChanges }),
    },
  };
  const handle = trackForExport(
    await env.client.workflow.start<typeof changeWorkflow>('changeWorkflow', {
      workflowId: changeWorkflowId(changeId),
      taskQueue: TASK_QUEUE,
      args: [{ request: command, requestId: `request-${changeId}`, policy: DEFAULT_COMPLIANCE_POLICY }],
    }),
  );
  return { handle, changeId };
}

const LAHORE_AND_KARACHI = [
  { city: 'Lahore', country: 'PK' },
  { city: 'Karachi', country: 'PK' },
];

describe('offerings across providers on the time-skipping server', () => {
  it('refuses a second provider an offering id another provider holds, also when both add it at the same moment', async () => {
    const [alpha, beta] = [`csp-a-${randomUUID().slice(0, 6)}`, `csp-b-${randomUUID().slice(0, 6)}`];
    const [a, b] = [await register(alpha), await register(beta)];
    const shared = { ...GOV_CLOUD, offeringId: `off-shared-${randomUUID().slice(0, 6)}` };

    await cspAct(a, 'AddOffering', rep(alpha), shared);
    expect(await refusal(cspAct(b, 'AddOffering', rep(beta), { ...shared, name: 'Beta Cloud' }))).toBe('OFFERING_ID_TAKEN');
    // The refusal names the field.
    await expect(cspAct(b, 'AddOffering', rep(beta), shared)).rejects.toMatchObject({ cause: { details: [{ field: 'offeringId' }] } });

    const race = { ...GOV_CLOUD, offeringId: `off-race-${randomUUID().slice(0, 6)}` };
    const outcomes = await Promise.allSettled([cspAct(a, 'AddOffering', rep(alpha), race), cspAct(b, 'AddOffering', rep(beta), race)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected');
    expect(await refusal(Promise.reject((refused as PromiseRejectedResult).reason))).toBe('OFFERING_ID_TAKEN');

    // Each id is reserved once, for one provider, and only that provider's register has the offering.
    const [reservation] = await decodedStream(store, `offering-${shared.offeringId}`);
    expect(reservation).toMatchObject({ type: 'OfferingIdReserved', data: { offeringId: shared.offeringId, cspId: alpha } });
    expect(await decodedStream(store, `offering-${race.offeringId}`)).toHaveLength(1);
    expect(offeringOf(await b.query(cspStateQuery), shared.offeringId)).toBeUndefined();
    const holders = [await a.query(cspStateQuery), await b.query(cspStateQuery)].filter((v) => offeringOf(v, race.offeringId) !== undefined);
    expect(holders).toHaveLength(1);

    // The public read models, fed from the store, describe the offering as the first provider's.
    const db = memoryDb(accreditedListProjection, procurementFactsProjection);
    project(db, [accreditedListProjection, procurementFactsProjection], await store.readAll());
    expect(ACCREDITED_LIST_CATALOGUE.offering(db, shared.offeringId)).toMatchObject({ cspId: alpha, name: shared.name });
    expect(PROCUREMENT_CATALOGUE.offering(db, shared.offeringId)).toMatchObject({ cspId: alpha, name: shared.name });
  });

  it('locks an accredited offering’s data centres, changes them through an approved significant change, and not through a rejected one', async () => {
    const csp = await register(CSP_ID, people.csp);
    await cspAct(csp, 'AddOffering', people.csp, GOV_CLOUD);
    const { applicationId } = await granted(env);

    // The grant reaches the register: the offering now holds the accreditation.
    const held = await registerWhen(csp, (v) => offeringOf(v)?.heldBy?.includes(applicationId) === true);
    expect(offeringOf(held)?.heldBy).toEqual([applicationId]);
    expect(await refusal(cspAct(csp, 'UpdateOffering', people.csp, { offeringId: GOV_CLOUD.offeringId, dataCentres: LAHORE_AND_KARACHI }))).toBe(
      'OFFERING_ACCREDITED',
    );
    // The engine's own commands are no person's action.
    expect(
      await refusal(
        csp.executeUpdate(cspActionUpdate, {
          args: [{ type: 'ApplyApprovedChange' as never, actor: people.csp, data: {} as never, commandId: randomUUID() }],
        }),
      ),
    ).toBe('VALIDATION_FAILED');

    const approved = await requestChange(applicationId, { dataCentres: LAHORE_AND_KARACHI });
    await changeAct(approved.handle, 'RecommendChange', people.reviewer, { recommendation: 'approve', reasons: 'Same controls at the new site' });
    await changeAct(approved.handle, 'DecideChange', people.director, { decision: 'approve', reasons: 'As recommended' });
    await approved.handle.result();
    const changed = await registerWhen(csp, (v) => offeringOf(v)?.appliedChanges?.includes(approved.changeId) === true);
    expect(offeringOf(changed)).toMatchObject({ dataCentres: LAHORE_AND_KARACHI, heldBy: [applicationId] });
    const approval = (await decodedStream(store, `change-${approved.changeId}`)).find((e) => e.type === 'SignificantChangeApproved');
    const update = (await decodedStream(store, `csp-${CSP_ID}`)).at(-1);
    expect(update).toMatchObject({
      type: 'OfferingUpdated',
      data: { changed: ['dataCentres'], changeId: approved.changeId, updatedBy: people.director.userId },
      metadata: { causationId: approval?.id, actor: { userId: 'system' } },
    });

    const rejected = await requestChange(applicationId, { dataCentres: [{ city: 'Dubai', country: 'AE' }] });
    await changeAct(rejected.handle, 'RecommendChange', people.reviewer, { recommendation: 'reject', reasons: 'Restricted data must stay in Pakistan' });
    await changeAct(rejected.handle, 'DecideChange', people.director, { decision: 'reject', reasons: 'As recommended' });
    await rejected.handle.result();
    // A rejected change sends the register nothing, so the offering stays as the approved change left it.
    const history = await rejected.handle.fetchHistory();
    expect(history.events?.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes)).toEqual([]);
    const after = await csp.query(cspStateQuery);
    expect(offeringOf(after)?.dataCentres).toEqual(LAHORE_AND_KARACHI);
    expect(after.revision).toBe(changed.revision);
  });

  it('locks an offering accredited before the register tracked accreditations once the reconciliation tells its register', async () => {
    const cspId = `csp-old-${randomUUID().slice(0, 6)}`;
    const owner = rep(cspId);
    const offering = { ...GOV_CLOUD, offeringId: `off-old-${randomUUID().slice(0, 6)}` };
    const csp = await register(cspId);
    await cspAct(csp, 'AddOffering', owner, offering);
    // An application granted by code that did not yet tell the register: only its stream knows.
    const applicationId = `ACC-OLD-${randomUUID().slice(0, 6)}`;
    const now = new Date(await env.currentTimeMs()).toISOString();
    const until = addDays(now, 3 * 365);
    await store.append(
      `accreditation-${applicationId}`,
      buildCaseEvents({
        stream: `accreditation-${applicationId}`,
        expectedRevision: -1,
        actor: people.director,
        occurredAt: now,
        correlationId: `accreditation:${applicationId}`,
        causationId: 'legacy',
        policyVersion: 'cloud-first-2022',
        events: [
          {
            type: 'AccreditationSubmitted',
            data: {
              applicationId,
              cspId,
              offering,
              requestedBaseline: 'intermediate',
              evidence: [{ kind: 'iso-27001', reference: 'ISO/IEC 27001 certificate IS 712345' }],
              frameworkVersion: '1.0',
              submittedBy: owner.userId,
              submittedAt: now,
              policyVersion: 'cloud-first-2022',
            },
          },
          {
            type: 'AccreditationGranted',
            data: {
              baseline: 'intermediate',
              highestDataClass: 'restricted',
              conditions: [],
              reasons: 'Granted before the register tracked accreditations',
              validFrom: now,
              validUntil: until,
              frameworkVersion: '1.0',
              summary: { total: 82, complete: true, highestBaselineMet: 'intermediate' },
              decidedBy: people.director.userId,
              decidedByName: people.director.name,
            },
          },
        ],
      }),
      'no-stream',
    );
    const sites = { offeringId: offering.offeringId, dataCentres: LAHORE_AND_KARACHI };

    const { told } = await reconcileOfferings(store, (held) =>
      held.cspId === cspId ? env.client.workflow.getHandle(cspWorkflowId(held.cspId)).signal(accreditationStandingSignal, { applicationId: held.applicationId }) : Promise.resolve(),
    );
    expect(told).toContainEqual({ applicationId, cspId, offeringId: offering.offeringId });
    await registerWhen(csp, (v) => offeringOf(v, offering.offeringId)?.heldBy?.includes(applicationId) === true);
    expect(await refusal(cspAct(csp, 'UpdateOffering', owner, sites))).toBe('OFFERING_ACCREDITED');
  });
});
