import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { Actor } from '../../domain/shared/actor';
import type { PseCommandOf } from '../../domain/pse/commands';
import type { EventStore } from '../../eventstore/port';
import { decode } from '../../eventstore/registry';
import type { pseWorkflow } from '../../workflows/pse/pse.workflow';
import { pseActionUpdate, pseStateQuery, pseWorkflowId, type PseActionType, type PseView } from '../../workflows/pse/messages';
import { useWorkflowTestBed } from '../support/workflow-bed';
import { sealedAction, startSeal } from '../support/command-keys';
import { trackForExport } from '../support/history-export';
import { answer } from '../domain/pse-fixtures';
import { refusal } from './accreditation-harness';

const TASK_QUEUE = 'pse-tests';
let env: TestWorkflowEnvironment;
let store: EventStore;

useWorkflowTestBed({ taskQueue: TASK_QUEUE, kind: 'pse', title: 'PSE register process on the time-skipping server' }, (bed) => ({ env, store } = bed));

const ADMIN: Actor = { userId: 'u-admin', name: 'Admin', role: 'admin', jurisdiction: 'federal' };
const officer = (pseId: string, userId = 'u-pse'): Actor => ({ userId, name: 'PSE officer', role: 'pse', jurisdiction: 'federal', organisationId: pseId });

async function register(pseId: string, continueAfterEvents?: number) {
  const command: PseCommandOf<'RegisterPse'> = {
    type: 'RegisterPse',
    actor: ADMIN,
    data: { pseId, name: 'Federal Board of Revenue', ministry: 'Ministry of Finance', jurisdiction: 'federal' },
  };
  const handle = await env.client.workflow.start<typeof pseWorkflow>('pseWorkflow', {
    workflowId: pseWorkflowId(pseId),
    taskQueue: TASK_QUEUE,
    args: [{ register: command, requestId: `reg-${pseId}`, seal: await startSeal(pseWorkflowId(pseId), command, `reg-${pseId}`), ...(continueAfterEvents ? { continueAfterEvents } : {}) }],
  });
  return trackForExport(handle);
}

function act<K extends PseActionType>(handle: WorkflowHandle, type: K, actor: Actor, data: PseCommandOf<K>['data'] | Record<string, unknown>): Promise<PseView> {
  return sealedAction(handle.workflowId, { type, actor, data: data as never, commandId: randomUUID() }).then((action) => handle.executeUpdate(pseActionUpdate, { args: [action] }));
}

const procurement = (pseId: string, procurementId: string, decision: 'allowed' | 'allowed-by-noc' | 'denied' = 'allowed') => ({
  procurementId,
  offeringId: 'off-gov',
  dataClass: 'public' as const,
  system: 'Tax portal',
  check: answer(decision, { pseId }),
});

describe('PSE register process on the time-skipping server', () => {
  it('registers an entity and records and ends its procurements, refusing denied ones before they reach history', async () => {
    const pseId = `pse-${randomUUID().slice(0, 8)}`;
    const handle = await register(pseId);
    const recorded = await act(handle, 'RecordProcurement', officer(pseId), procurement(pseId, 'proc-1'));
    expect(recorded.state.status === 'registered' && recorded.state.procurements['proc-1']?.check.decision).toBe('allowed');

    expect(await refusal(act(handle, 'RecordProcurement', officer(pseId), procurement(pseId, 'proc-2', 'denied')))).toBe('PROCUREMENT_DENIED');
    expect(await refusal(act(handle, 'RecordProcurement', officer('pse-other'), procurement(pseId, 'proc-3')))).toBe('NOT_CASE_OWNER');
    expect(await refusal(act(handle, 'EndProcurement', officer(pseId), { procurementId: 'proc-9', reason: 'x' }))).toBe('PROCUREMENT_NOT_FOUND');

    const ended = await act(handle, 'EndProcurement', officer(pseId, 'u-pse-2'), { procurementId: 'proc-1', reason: 'Decommissioned' });
    expect(ended.revision).toBe(2);

    const events = (await store.readStream(`pse-${pseId}`)).map(decode);
    expect(events.map((e) => e.type)).toEqual(['PseRegistered', 'ProcurementRecorded', 'ProcurementEnded']);
    expect(await handle.query(pseStateQuery)).toEqual(ended);
    const described = await handle.describe();
    expect(described.searchAttributes).toMatchObject({ CaseKind: ['pse'], CaseStatus: ['registered'] });
    const history = await handle.fetchHistory();
    expect(history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(2);
  });

  it('hands its register to a fresh run when the history grows, losing nothing', async () => {
    const pseId = `pse-${randomUUID().slice(0, 8)}`;
    const handle = await register(pseId, 30);
    for (let i = 0; i < 25; i++) {
      await act(handle, 'RecordProcurement', officer(pseId), procurement(pseId, `proc-${i}`, i % 2 === 0 ? 'allowed' : 'allowed-by-noc'));
    }
    const latest = await handle.describe();
    expect(latest.runId).not.toBe(handle.firstExecutionRunId);
    const current = await handle.query(pseStateQuery);
    expect(current.revision).toBe(25);
    expect(current.state.status === 'registered' && Object.keys(current.state.procurements)).toHaveLength(25);
    const revisions = (await store.readStream(`pse-${pseId}`)).map((e) => e.revision);
    expect(revisions).toEqual(revisions.map((_, i) => i));
  });
});
