import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import type { CompliancePolicy } from '../../domain/compliance/policy';
import type { ReviewSubject, ReviewTrigger } from '../../domain/compliance/review-events';
import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import { startChildOnce } from '../shared/start-child-once';
import { reviewWorkflowId } from './messages';
import { reviewWorkflow } from './review.workflow';

/**
 * A compliance review the engine opens itself (an anniversary, a run of missed reports, a late
 * significant change): a child of the process whose step caused it, abandoned when that process closes
 * so it outlives it, and named by its cause (the subject's review id) so it is opened once.
 */
export async function openEngineReview(o: {
  subject: ReviewSubject;
  trigger: Exclude<ReviewTrigger, 'incident' | 'complaint'>;
  description: string;
  requestId: string;
  policy: CompliancePolicy;
}): Promise<void> {
  const workflowId = reviewWorkflowId(o.subject.reviewId);
  await startChildOnce(`${o.trigger} review`, workflowId, () =>
    startChild(reviewWorkflow, {
      workflowId,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [
        {
          open: { type: 'OpenReview', actor: SYSTEM_ACTOR, data: { ...o.subject, trigger: o.trigger, description: o.description } },
          requestId: o.requestId,
          policy: o.policy,
        },
      ],
    }),
  );
}
