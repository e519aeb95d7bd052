import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { ChangeCommandOf } from '../../domain/compliance/change-commands';
import { DEFAULT_COMPLIANCE_POLICY } from '../../domain/compliance/policy';
import type { Actor } from '../../domain/shared/actor';
import { addDays } from '../../domain/shared/time';
import type { EventStore } from '../../eventstore/port';
import type { changeWorkflow } from '../../workflows/compliance/change.workflow';
import { changeActionUpdate, changeStateQuery, changeWorkflowId, type ChangeActionType, type ChangeView } from '../../workflows/compliance/change-messages';
import { reviewStateQuery, reviewWorkflowId } from '../../workflows/compliance/messages';
import { decodedStream, refusal } from '../support/case-results';
import { sealedAction, startSeal } from '../support/command-keys';
import { trackForExport } from '../support/history-export';
import { useWorkflowTestBed } from '../support/workflow-bed';
import { CSP_ID, GOV_CLOUD, as, people } from './accreditation-harness';
import { trackStarted } from './compliance-harness';

const TASK_QUEUE = 'change-tests';
const APPLICATION_ID = 'APP-CHANGE';

let env: TestWorkflowEnvironment;
let store: EventStore;

useWorkflowTestBed({ taskQueue: TASK_QUEUE, kind: 'change', title: 'significant change requests on the time-skipping server' }, (bed) => ({ env, store } = bed));

async function request(plannedInDays: number) {
  const changeId = `CHG-${randomUUID().slice(0, 8)}`;
  const now = new Date(await env.currentTimeMs()).toISOString();
  const command: ChangeCommandOf<'RequestSignificantChange'> = {
    type: 'RequestSignificantChange',
    actor: people.csp,
    data: {
      changeId,
      applicationId: APPLICATION_ID,
      offeringId: GOV_CLOUD.offeringId,
      cspId: CSP_ID,
      kind: 'data-centre-location',
      description: 'A second data centre in Karachi',
      plannedFor: addDays(now, plannedInDays),
    },
  };
  const handle = trackForExport(
    await env.client.workflow.start<typeof changeWorkflow>('changeWorkflow', {
      workflowId: changeWorkflowId(changeId),
      taskQueue: TASK_QUEUE,
      args: [{ request: command, requestId: `request-${changeId}`, seal: await startSeal(changeWorkflowId(changeId), command, `request-${changeId}`), policy: DEFAULT_COMPLIANCE_POLICY }],
    }),
  );
  return { handle, changeId };
}

/** Polls until the read answers and is ready: a process answers queries only once its worker has run it. */
async function until<T>(read: () => Promise<T>, ready: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i += 1) {
    try {
      const value = await read();
      if (ready(value)) return value;
    } catch {
      // Not started yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('never ready');
}

function act<K extends ChangeActionType>(handle: WorkflowHandle, type: K, actor: Actor, data: ChangeCommandOf<K>['data']): Promise<ChangeView> {
  return sealedAction(handle.workflowId, { type, actor, data, commandId: randomUUID() }).then((action) => handle.executeUpdate(changeActionUpdate, { args: [action] }));
}

describe('significant change requests on the time-skipping server', () => {
  it('takes a request made in time to a reviewer’s recommendation and a director’s decision, four eyes kept', async () => {
    const { handle, changeId } = await request(40);

    expect(await refusal(act(handle, 'DecideChange', people.director, { decision: 'approve', reasons: 'Too early' }))).toBe('CHANGE_WRONG_STATE');
    const recommended = await act(handle, 'RecommendChange', people.reviewer, { recommendation: 'approve', reasons: 'Same controls in both sites' });
    expect(recommended.state.status).toBe('awaiting-decision');
    // The recommender cannot also decide, even as a director.
    expect(await refusal(act(handle, 'DecideChange', as(people.director, people.reviewer.userId), { decision: 'approve', reasons: 'Mine' }))).toBe(
      'FOUR_EYES_VIOLATION',
    );
    expect(await refusal(act(handle, 'DecideChange', people.reviewer, { decision: 'approve', reasons: 'Not mine' }))).toBe('ROLE_NOT_ALLOWED');
    await act(handle, 'DecideChange', people.director, { decision: 'approve', reasons: 'As recommended' });

    const done = await handle.result();
    expect(done.state).toMatchObject({ status: 'approved', lateNotice: false, decidedBy: people.director.userId });
    expect((await decodedStream(store, `change-${changeId}`)).map((e) => e.type)).toEqual([
      'SignificantChangeRequested',
      'SignificantChangeRecommended',
      'SignificantChangeApproved',
    ]);
    // In time: no review was opened.
    await expect(env.client.workflow.getHandle(reviewWorkflowId(`${APPLICATION_ID}-change-${changeId}`)).describe()).rejects.toThrow();
  });

  it('opens a compliance review on a request made late, so the lateness is assessed as a finding', async () => {
    const { handle, changeId } = await request(10);
    const view = await until(() => handle.query(changeStateQuery), (v) => v.revision >= 1);
    expect(view.state).toMatchObject({ status: 'requested', lateNotice: true });

    const reviewId = `${APPLICATION_ID}-change-${changeId}`;
    const review = await until(() => trackStarted(env, reviewWorkflowId(reviewId)), () => true);
    const opened = await until(() => review.query(reviewStateQuery), (v) => v.revision >= 0);
    expect(opened.state).toMatchObject({ status: 'opened', subject: { reviewId, applicationId: APPLICATION_ID } });
    const [openedEvent] = await decodedStream(store, `review-${reviewId}`);
    // Whole days, rounded down: the server's clock may move past the instant read before the request.
    expect(openedEvent?.data).toMatchObject({ trigger: 'significant-change', description: expect.stringMatching(/notified (9|10) days ahead; 30 days are required/) });
    expect(openedEvent?.metadata.causationId).toBe(`request-${changeId}`);

    // The request itself is still decided on its merits.
    await act(handle, 'RecommendChange', people.reviewer, { recommendation: 'reject', reasons: 'Not enough notice to assess' });
    await act(handle, 'DecideChange', people.director, { decision: 'reject', reasons: 'As recommended' });
    expect((await handle.result()).state.status).toBe('rejected');
  });
});
