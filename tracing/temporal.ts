import type { WorkflowClientInterceptor } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import { trace } from '@opentelemetry/api';
import { CORRELATION_ID } from './attributes';
import type { ProcessTracing } from './setup';

/**
 * The workflow interceptor modules bundled into the workflows whether tracing is on or off: the bundle's
 * code, and so how a history replays, must not change with OTEL_EXPORTER_OTLP_ENDPOINT. Ours loads
 * Temporal's OpenTelemetry workflow interceptors in a workflow whose messages carry a trace context
 * (tracing/workflow-interceptors.ts says why and how that stays deterministic).
 */
export const WORKFLOW_TRACING_MODULES: readonly string[] = [require.resolve('./workflow-interceptors')];

/**
 * The sink the workflows' spans leave the sandbox through: the worker's span processor when tracing is
 * on; with it off, a sink that drops them (the interceptors are in the bundle either way, see above).
 */
export function workflowSpanSinks(tracing: ProcessTracing | undefined): InjectedSinks<OpenTelemetrySinks> {
  if (tracing !== undefined) return { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) };
  return { exporter: { export: { fn: () => undefined, callDuringReplay: false } } };
}

/** Each activity a span, the child of the workflow's span that scheduled it. */
export function activityTracing(tracing: ProcessTracing): ActivityInterceptorsFactory {
  const options = { tracer: tracing.tracer };
  return (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx, options), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) });
}

/** Marks the active span with the workflow id the call is about: the case's correlation id. */
function correlationMarker(): WorkflowClientInterceptor {
  const mark = (workflowId: string): void => void trace.getActiveSpan()?.setAttribute(CORRELATION_ID, workflowId);
  return {
    start: (input, next) => (mark(input.options.workflowId), next(input)),
    startWithDetails: (input, next) => (mark(input.options.workflowId), next(input)),
    signalWithStart: (input, next) => (mark(input.options.workflowId), next(input)),
    startUpdate: (input, next) => (mark(input.workflowExecution.workflowId), next(input)),
    startUpdateWithStart: (input, next) => (mark(input.workflowStartOptions.workflowId), next(input)),
    signal: (input, next) => (mark(input.workflowExecution.workflowId), next(input)),
    query: (input, next) => (mark(input.workflowExecution.workflowId), next(input)),
  };
}

/**
 * The API's Temporal client interceptors when tracing is on: each start, update, signal and query a span
 * whose context travels in the call's headers to the workflow (updates too, in SDK 1.24). The marker runs
 * on both sides of Temporal's, so the request's span and the call's span both carry the correlation id.
 */
export function clientTracing(tracing: ProcessTracing): WorkflowClientInterceptor[] {
  return [correlationMarker(), new OpenTelemetryWorkflowClientInterceptor({ tracer: tracing.tracer }), correlationMarker()];
}
