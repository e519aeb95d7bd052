import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { AppConfig } from '../config/config';

/** The three processes; each is its own OpenTelemetry service, `cloud-office-<name>`. */
export type TracedProcess = 'api' | 'worker' | 'projector';

/** The instrumentation scope of the spans the office's own code opens. */
export const TRACER_NAME = 'cloud-office';

/** One process's tracing: its tracer, and what Temporal's workflow span sink hands its spans to. */
export interface ProcessTracing {
  readonly service: string;
  readonly tracer: Tracer;
  readonly spanProcessor: SpanProcessor;
  readonly resource: Resource;
  /** Sends the spans still queued (the batch processor sends every few seconds). */
  forceFlush(): Promise<void>;
  /** Sends what is queued and stops; called at the process's shutdown. */
  shutdown(): Promise<void>;
}

let contextRegistered = false;

/** The collector's traces URL: OTEL_EXPORTER_OTLP_ENDPOINT is a base URL, to which OTLP/HTTP adds /v1/traces. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Starts a process's tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set: a tracer provider whose spans are
 * batched and posted to the collector. Undefined otherwise, and then nothing is registered: an office
 * without a collector pays only for the workflows' own spans, made in the sandbox by the interceptors
 * every bundle has (tracing/temporal.ts) and dropped at its sink. The first provider of the process registers the context manager
 * (async-local storage) and the W3C trace-context propagator Temporal's interceptors inject with; a test
 * composing the three processes in one Node process starts three providers, one per service name.
 */
export function startTracing(name: TracedProcess, settings: AppConfig['tracing']): ProcessTracing | undefined {
  if (settings.otlpEndpoint === undefined) return undefined;
  const service = `cloud-office-${name}`;
  const resource = new Resource({ [ATTR_SERVICE_NAME]: service });
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(settings.otlpEndpoint) }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  if (!contextRegistered) {
    provider.register();
    contextRegistered = true;
  }
  return {
    service,
    tracer: provider.getTracer(TRACER_NAME),
    spanProcessor,
    resource,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
