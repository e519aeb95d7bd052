import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { Actor } from '../../domain/shared/actor';
import type { CspCommandOf } from '../../domain/csp/commands';
import type { EventStore } from '../../eventstore/port';
import { decode } from '../../eventstore/registry';
import type { cspWorkflow } from '../../workflows/csp/csp.workflow';
import { cspActionUpdate, cspStateQuery, cspWorkflowId, type CspActionType, type CspView } from '../../workflows/csp/messages';
import { useWorkflowTestBed } from '../support/workflow-bed';
import { sealedAction, startSeal } from '../support/command-keys';
import { trackForExport } from '../support/history-export';
import { GOV_CLOUD, refusal } from './accreditation-harness';

const TASK_QUEUE = 'csp-tests';
let env: TestWorkflowEnvironment;
let store: EventStore;

useWorkflowTestBed({ taskQueue: TASK_QUEUE, kind: 'csp', title: 'CSP register process on the time-skipping server' }, (bed) => ({ env, store } = bed));

const rep = (cspId: string, userId = 'u-csp'): Actor => ({ userId, name: 'CSP rep', role: 'csp', jurisdiction: 'federal', organisationId: cspId });

async function register(cspId: string, continueAfterEvents?: number) {
  const command: CspCommandOf<'RegisterCsp'> = {
    type: 'RegisterCsp',
    actor: rep(cspId),
    data: {
      cspId,
      name: 'Nimbus Cloud (Pvt) Ltd',
      registrationNumber: '0123456',
      contact: { name: 'Ayesha Khan', email: 'compliance@nimbus.example.pk' },
    },
  };
  const handle = await env.client.workflow.start<typeof cspWorkflow>('cspWorkflow', {
    workflowId: cspWorkflowId(cspId),
    taskQueue: TASK_QUEUE,
    args: [{ register: command, requestId: `reg-${cspId}`, seal: await startSeal(cspWorkflowId(cspId), command, `reg-${cspId}`), ...(continueAfterEvents ? { continueAfterEvents } : {}) }],
  });
  return trackForExport(handle);
}

function act<K extends CspActionType>(handle: WorkflowHandle, type: K, actor: Actor, data: CspCommandOf<K>['data'] | Record<string, unknown>): Promise<CspView> {
  return sealedAction(handle.workflowId, { type, actor, data: data as never, commandId: randomUUID() }).then((action) => handle.executeUpdate(cspActionUpdate, { args: [action] }));
}

describe('CSP register process on the time-skipping server', () => {
  it('registers a provider and keeps its offerings through updates, refusing what the decider refuses', async () => {
    const cspId = `csp-${randomUUID().slice(0, 8)}`;
    const handle = await register(cspId);
    const added = await act(handle, 'AddOffering', rep(cspId, 'u-csp-2'), GOV_CLOUD);
    expect(added.state.status === 'registered' && added.state.offerings[GOV_CLOUD.offeringId]?.status).toBe('active');

    expect(await refusal(act(handle, 'AddOffering', rep(cspId), GOV_CLOUD))).toBe('OFFERING_ALREADY_EXISTS');
    expect(await refusal(act(handle, 'AddOffering', rep('csp-other'), { ...GOV_CLOUD, offeringId: 'x' }))).toBe('NOT_CASE_OWNER');
    expect(await refusal(act(handle, 'UpdateOffering', rep(cspId), { offeringId: GOV_CLOUD.offeringId }))).toBe('VALIDATION_FAILED');

    const updated = await act(handle, 'UpdateOffering', rep(cspId), { offeringId: GOV_CLOUD.offeringId, name: 'Nimbus GovCloud' });
    expect(updated.state.status === 'registered' && updated.state.offerings[GOV_CLOUD.offeringId]?.name).toBe('Nimbus GovCloud');
    const retired = await act(handle, 'RetireOffering', rep(cspId), { offeringId: GOV_CLOUD.offeringId, reason: 'Replaced' });
    expect(retired.revision).toBe(3);

    const events = (await store.readStream(`csp-${cspId}`)).map(decode);
    expect(events.map((e) => e.type)).toEqual(['CspRegistered', 'OfferingAdded', 'OfferingUpdated', 'OfferingRetired']);
    expect(await handle.query(cspStateQuery)).toEqual(retired);
    const described = await handle.describe();
    expect(described.searchAttributes).toMatchObject({ CaseKind: ['csp'], CaseStatus: ['registered'] });
    const history = await handle.fetchHistory();
    expect(history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(3);
  });

  it('hands its register to a fresh run when the history grows, losing nothing', async () => {
    const cspId = `csp-${randomUUID().slice(0, 8)}`;
    const handle = await register(cspId, 30);
    for (let i = 0; i < 25; i++) {
      await act(handle, 'AddOffering', rep(cspId), { ...GOV_CLOUD, offeringId: `off-${i}` });
    }
    const latest = await handle.describe();
    expect(latest.runId).not.toBe(handle.firstExecutionRunId);
    const current = await handle.query(cspStateQuery);
    expect(current.revision).toBe(25);
    expect(current.state.status === 'registered' && Object.keys(current.state.offerings)).toHaveLength(25);
    const revisions = (await store.readStream(`csp-${cspId}`)).map((e) => e.revision);
    expect(revisions).toEqual(revisions.map((_, i) => i));
  });
});
