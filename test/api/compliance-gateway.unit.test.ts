import { testCommandSigner, testSigning } from '../support/command-keys';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { createTemporalComplianceGateway } from '../../api/compliance-gateway';
import { changeIdFor, reviewIdFor } from '../../api/case-ids';
import { loadConfig } from '../../config/config';
import { decideReview, foldReview, type ReviewCommand, type ReviewEvent } from '../../domain/compliance';
import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import type { ChangeWorkflowInput } from '../../workflows/compliance/change-messages';
import type { ReviewActionInput, ReviewView, ReviewWorkflowInput } from '../../workflows/compliance/messages';
import { director, reviewer } from '../support/actors';

/**
 * The Temporal compliance gateway over a stand-in client: which process it starts with what input,
 * and how it answers for cases that are finished, unknown or another provider's.
 */
const config = { ...loadConfig({}), temporal: { ...loadConfig({}).temporal, taskQueue: 'compliance-test' } };
const NOW = new Date('2026-03-02T09:00:00.000Z');
const csp = (org = 'csp-one'): Actor => ({ userId: `u-${org}`, name: 'CSP rep', role: 'csp', jurisdiction: 'federal', organisationId: org });

/** A stand-in for one workflow execution as the Temporal client shows it. */
interface FakeExecution {
  view?: () => unknown;
  status?: string;
  update?: (input: ReviewActionInput) => unknown;
}

function accreditation(status: string, cspId = 'csp-one'): FakeExecution {
  return {
    view: () => ({
      state: { status, application: { applicationId: 'ACC-1', cspId, offering: { offeringId: 'off-gov' } } },
      revision: 5,
      complianceRefusals: [],
    }),
  };
}

/** A review process running the real decider, as the workflow would. */
function reviewExecution(events: ReviewEvent[]): FakeExecution {
  const now = NOW.toISOString();
  const policy = config.compliancePolicy;
  const view = (): ReviewView => ({ state: foldReview(events), revision: events.length - 1 });
  return {
    view,
    update: (input) => {
      events.push(...decideReview({ type: input.type, actor: input.actor, data: input.data } as ReviewCommand, foldReview(events), { now, policy }));
      return view();
    },
  };
}

function fakeClient(executions: Map<string, FakeExecution>) {
  const started: { type: string; workflowId: string; args: unknown[]; taskQueue: string }[] = [];
  const updates: { workflowId: string; updateId: string }[] = [];
  const handle = (workflowId: string) => ({
    workflowId,
    async query() {
      const exec = executions.get(workflowId);
      if (!exec) throw new WorkflowNotFoundError('not found', workflowId, undefined);
      if (!exec.view) throw new Error('workflow task not completed yet');
      return exec.view();
    },
    async describe() {
      // As Temporal does: no execution, no description.
      const exec = executions.get(workflowId);
      if (!exec) throw new WorkflowNotFoundError('not found', workflowId, undefined);
      return { status: { name: exec.status ?? 'RUNNING' } };
    },
    async result() {
      return undefined;
    },
    async executeUpdate(_def: unknown, options: { args: [ReviewActionInput]; updateId: string }) {
      const exec = executions.get(workflowId);
      updates.push({ workflowId, updateId: options.updateId });
      if (!exec || exec.status === 'COMPLETED') throw new WorkflowNotFoundError('workflow execution already completed', workflowId, undefined);
      return exec.update?.(options.args[0]);
    },
  });
  const client = {
    workflow: {
      getHandle: handle,
      async start(type: string, options: { workflowId: string; args: unknown[]; taskQueue: string }) {
        if (executions.has(options.workflowId)) throw new WorkflowExecutionAlreadyStartedError('started', options.workflowId, type);
        started.push({ type, workflowId: options.workflowId, args: options.args, taskQueue: options.taskQueue });
        const input = options.args[0] as ReviewWorkflowInput & ChangeWorkflowInput;
        if (type === 'reviewWorkflow' && input.open) {
          executions.set(options.workflowId, reviewExecution(decideReview(input.open, { status: 'none' }, { now: NOW.toISOString(), policy: input.policy })));
        } else {
          executions.set(options.workflowId, { view: () => ({ state: { status: 'requested', requestedBy: input.request?.actor.userId }, revision: 0 }) });
        }
        return handle(options.workflowId);
      },
    },
  };
  return { client: client as unknown as Client, started, updates };
}

const OPEN = { applicationId: 'ACC-1', trigger: 'incident', description: 'Outage of the Karachi region for six hours' } as const;

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('the compliance gateway over Temporal', () => {
  it('opens a review of a held accreditation with the subject taken from it, the policy pinned and a stable id', async () => {
    const executions = new Map([['accreditation:ACC-1', accreditation('accredited')]]);
    const { client, started } = fakeClient(executions);
    const gateway = createTemporalComplianceGateway({ client, config, signing: testSigning() }, { now: () => NOW });

    const view = await gateway.openReview(reviewer, OPEN, 'cmd-1');

    const reviewId = reviewIdFor(reviewer.userId, 'cmd-1', NOW);
    expect(reviewId).toMatch(/^REV-2026-[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(view.state).toMatchObject({ status: 'opened', subject: { reviewId, applicationId: 'ACC-1', offeringId: 'off-gov', cspId: 'csp-one' } });
    expect(started).toEqual([
      {
        type: 'reviewWorkflow',
        workflowId: `review:${reviewId}`,
        taskQueue: 'compliance-test',
        args: [{ open: expect.objectContaining({ type: 'OpenReview', actor: reviewer }), requestId: 'cmd-1', seal: expect.objectContaining({ keyId: testCommandSigner.keyId }), policy: config.compliancePolicy }],
      },
    ]);
    // The same command again is a retry: the same review, nothing started twice.
    expect((await gateway.openReview(reviewer, OPEN, 'cmd-1')).state).toMatchObject({ subject: { reviewId } });
    expect(started).toHaveLength(1);
  });

  it('refuses to open a review for anyone but a reviewer, of an accreditation not held, or of one that does not exist', async () => {
    const executions = new Map([
      ['accreditation:ACC-1', accreditation('accredited')],
      ['accreditation:ACC-2', accreditation('revoked')],
    ]);
    const { client, started } = fakeClient(executions);
    const gateway = createTemporalComplianceGateway({ client, config, signing: testSigning() }, { now: () => NOW });
    expect((await refusal(gateway.openReview(director, OPEN, 'c'))).code).toBe('ROLE_NOT_ALLOWED');
    const notHeld = await refusal(gateway.openReview(reviewer, { ...OPEN, applicationId: 'ACC-2' }, 'c'));
    expect(notHeld).toMatchObject({ code: 'ACCREDITATION_WRONG_STATE', field: 'applicationId' });
    expect(notHeld.message).toMatch(/revoked/);
    expect(await refusal(gateway.openReview(reviewer, { ...OPEN, applicationId: 'ACC-9' }, 'c'))).toMatchObject({ code: 'NOT_FOUND', field: 'applicationId' });
    expect(started).toEqual([]);
  });

  it("acts through the review's update with an update id of user and command, and answers for finished and unknown reviews", async () => {
    const executions = new Map([['accreditation:ACC-1', accreditation('accredited')]]);
    const { client, updates } = fakeClient(executions);
    const gateway = createTemporalComplianceGateway({ client, config, signing: testSigning() }, { now: () => NOW });
    const opened = await gateway.openReview(reviewer, OPEN, 'cmd-1');
    const reviewId = opened.state.status === 'none' ? '' : opened.state.subject.reviewId;

    const requested = await gateway.reviewAction(reviewId, { type: 'RequestEvidence', actor: reviewer, data: { request: 'Incident report' }, commandId: 'c2' });
    expect(requested.state.status).toBe('evidence-requested');
    expect(updates).toEqual([{ workflowId: `review:${reviewId}`, updateId: `${reviewer.userId}:c2` }]);

    // Another provider learns nothing, not even that the review exists; the review's own provider acts.
    const other = await refusal(gateway.reviewAction(reviewId, { type: 'SubmitEvidence', actor: csp('csp-two'), data: { summary: 'x', documents: [] }, commandId: 'c3' }));
    expect(other.code).toBe('NOT_FOUND');
    expect(updates).toHaveLength(1);
    expect(await gateway.review(csp('csp-two'), reviewId)).toBeUndefined();
    expect(await gateway.review(csp('csp-one'), reviewId)).toMatchObject({ state: { status: 'evidence-requested' } });
    expect(await gateway.review(director, reviewId)).toBeDefined();

    (executions.get(`review:${reviewId}`) as FakeExecution).status = 'COMPLETED';
    const finished = await refusal(gateway.reviewAction(reviewId, { type: 'DecideSuspend', actor: director, data: { reasons: 'x' }, commandId: 'c4' }));
    expect(finished.code).toBe('REVIEW_WRONG_STATE');
    const unknown = await refusal(gateway.reviewAction('REV-NONE', { type: 'DecideSuspend', actor: director, data: { reasons: 'x' }, commandId: 'c5' }));
    expect(unknown.code).toBe('NOT_FOUND');
    expect(await gateway.review(director, 'REV-NONE')).toBeUndefined();
  });

  it("starts a significant change by name for the provider's own held accreditation", async () => {
    const executions = new Map([['accreditation:ACC-1', accreditation('suspended')]]);
    const { client, started } = fakeClient(executions);
    const gateway = createTemporalComplianceGateway({ client, config, signing: testSigning() }, { now: () => NOW });
    const change = { applicationId: 'ACC-1', kind: 'data-centre-location', description: 'Move to Lahore', plannedFor: '2026-06-01T00:00:00.000Z' } as const;

    expect((await refusal(gateway.requestChange(csp('csp-two'), change, 'c1'))).code).toBe('NOT_FOUND');
    expect((await refusal(gateway.requestChange(reviewer, change, 'c1'))).code).toBe('ROLE_NOT_ALLOWED');
    await gateway.requestChange(csp(), change, 'c1');

    const changeId = changeIdFor('u-csp-one', 'c1', NOW);
    expect(changeId).toMatch(/^CHG-2026-/);
    expect(started).toEqual([
      {
        type: 'changeWorkflow',
        workflowId: `change:${changeId}`,
        taskQueue: 'compliance-test',
        args: [
          {
            request: { type: 'RequestSignificantChange', actor: csp(), data: { ...change, changeId, offeringId: 'off-gov', cspId: 'csp-one' } },
            requestId: 'c1',
            seal: expect.objectContaining({ caseId: `change:${changeId}`, keyId: testCommandSigner.keyId }),
            policy: config.compliancePolicy,
          },
        ],
      },
    ]);
  });
});
