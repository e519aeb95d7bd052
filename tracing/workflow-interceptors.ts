/* eslint-disable @typescript-eslint/no-require-imports -- the OpenTelemetry modules load on demand, see below */
import type * as OtelApi from '@opentelemetry/api';
import type * as TemporalOtel from '@temporalio/interceptors-opentelemetry/lib/workflow';
import {
  workflowInfo,
  type Headers,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowInterceptorsFactory,
  type WorkflowInternalsInterceptor,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { CORRELATION_ID } from './attributes';

/**
 * The header Temporal's OpenTelemetry client interceptor puts a trace context in (its `TRACE_HEADER`,
 * imported by name nowhere here because that module would load the OpenTelemetry API eagerly).
 */
export const TRACE_HEADER = '_tracer-data';

/** Temporal's OpenTelemetry workflow interceptors, once a workflow has loaded them. */
interface Traced {
  inbound: WorkflowInboundCallsInterceptor;
  outbound: WorkflowOutboundCallsInterceptor;
  internals: WorkflowInternalsInterceptor;
  api: typeof OtelApi;
}

/**
 * Tracing inside the workflow sandbox, paid for only by the workflows that are traced.
 *
 * Every workflow evaluates the modules it loads afresh (reuseV8Context keeps a module cache per workflow),
 * and the OpenTelemetry API and SDK that Temporal's workflow interceptors bring cost about 0.75 MB of every
 * cached workflow. So they are loaded the first time a workflow's start, update or signal carries a trace
 * context: with tracing off no message does, and no workflow pays. Whether a workflow is traced thus
 * follows only from its history (start, update and signal headers are recorded), never from the worker's
 * settings, so a replay takes the same path as the run it replays. Queries and update validators are not
 * recorded (a query, or an update refused by its validator, is not replayed), so they never load them:
 * they are traced only in a workflow already traced.
 *
 * Once loaded, the spans are Temporal's, each marked with the case's correlation id (the workflow id its
 * events carry); marking only sets an attribute and adds no step a replay could miss.
 */
export const interceptors: WorkflowInterceptorsFactory = (): WorkflowInterceptors => {
  let traced: Traced | undefined;

  const load = (headers: Headers): Traced | undefined => {
    if (traced === undefined && headers[TRACE_HEADER] !== undefined) {
      const otel = require('@temporalio/interceptors-opentelemetry/lib/workflow') as typeof TemporalOtel;
      traced = {
        inbound: new otel.OpenTelemetryInboundInterceptor(),
        outbound: new otel.OpenTelemetryOutboundInterceptor(),
        internals: new otel.OpenTelemetryInternalsInterceptor(),
        api: require('@opentelemetry/api') as typeof OtelApi,
      };
    }
    return traced;
  };
  const mark = (): void => {
    traced?.api.trace.getActiveSpan()?.setAttribute(CORRELATION_ID, workflowInfo().workflowId);
  };
  /** Runs `call` inside the traced interceptor's span when there is one, marked; else straight on. */
  const within = <I, O>(t: Traced | undefined, via: ((input: I, next: (input: I) => O) => O) | undefined, input: I, next: (input: I) => O): O => {
    if (t === undefined || via === undefined) return next(input);
    return via(input, (i) => {
      mark();
      return next(i);
    });
  };

  return {
    inbound: [
      {
        execute: (input, next) => {
          const t = load(input.headers);
          return within(t, t?.inbound.execute?.bind(t.inbound), input, next);
        },
        handleUpdate: (input, next) => {
          const t = load(input.headers);
          return within(t, t?.inbound.handleUpdate?.bind(t.inbound), input, next);
        },
        handleSignal: (input, next) => {
          const t = load(input.headers);
          return within(t, t?.inbound.handleSignal?.bind(t.inbound), input, next);
        },
        validateUpdate: (input, next) => within(traced, traced?.inbound.validateUpdate?.bind(traced.inbound), input, next),
        handleQuery: (input, next) => within(traced, traced?.inbound.handleQuery?.bind(traced.inbound), input, next),
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => within(traced, traced?.outbound.scheduleActivity?.bind(traced.outbound), input, next),
        scheduleLocalActivity: (input, next) => within(traced, traced?.outbound.scheduleLocalActivity?.bind(traced.outbound), input, next),
        startChildWorkflowExecution: (input, next) =>
          within(traced, traced?.outbound.startChildWorkflowExecution?.bind(traced.outbound), input, next),
        continueAsNew: (input, next) => within(traced, traced?.outbound.continueAsNew?.bind(traced.outbound), input, next),
        signalWorkflow: (input, next) => within(traced, traced?.outbound.signalWorkflow?.bind(traced.outbound), input, next),
        getLogAttributes: (input, next) => within(traced, traced?.outbound.getLogAttributes?.bind(traced.outbound), input, next),
      },
    ],
    internals: [
      {
        dispose: (input, next) => within(traced, traced?.internals.dispose?.bind(traced.internals), input, next),
      },
    ],
  };
};
