import { trace } from '@opentelemetry/api';
import { workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { CORRELATION_ID } from './attributes';

/**
 * Bundled into the workflows after Temporal's OpenTelemetry interceptors (tracing/temporal.ts), so it
 * runs inside the spans they open: each is marked with the case's correlation id, the workflow id its
 * events carry. It only sets an attribute and calls on at once, adding no step a replay could miss;
 * without a span (a replay, a history recorded before tracing) it does nothing.
 */
function mark(): void {
  trace.getActiveSpan()?.setAttribute(CORRELATION_ID, workflowInfo().workflowId);
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      execute(input, next) {
        mark();
        return next(input);
      },
      handleUpdate(input, next) {
        mark();
        return next(input);
      },
      validateUpdate(input, next) {
        mark();
        next(input);
      },
      handleSignal(input, next) {
        mark();
        return next(input);
      },
      handleQuery(input, next) {
        mark();
        return next(input);
      },
    },
  ],
  outbound: [
    {
      scheduleActivity(input, next) {
        mark();
        return next(input);
      },
      startChildWorkflowExecution(input, next) {
        mark();
        return next(input);
      },
    },
  ],
});
