import { context, createContextKey, propagation, trace } from '@opentelemetry/api';
import { loadConfig } from '../../config/config';
import { startTracing, tracesUrl } from '../../tracing/setup';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';

/**
 * Tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set, and then nothing at all is registered; set,
 * a process's spans reach the collector over OTLP/HTTP under the process's own service name.
 * The tests run in order: the first must see the process before any provider registered itself.
 */
let receiver: OtlpReceiver | undefined;

afterAll(async () => {
  await receiver?.close();
});

describe('tracing setup', () => {
  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT and registers no tracer, context or propagator', () => {
    const config = loadConfig({});
    expect(config.tracing).toEqual({});
    // docker-compose passes an unset variable as empty.
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }).tracing).toEqual({});
    expect(startTracing('api', config.tracing)).toBeUndefined();
    const span = trace.getTracer('probe').startSpan('probe');
    expect(span.isRecording()).toBe(false);
    span.end();
    expect(propagation.fields()).toEqual([]);
    const key = createContextKey('probe');
    expect(context.with(context.active().setValue(key, 1), () => context.active().getValue(key))).toBeUndefined();
  });

  it('refuses an endpoint that is not an http or https URL', () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'otel-collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example.gov.pk:4318' }).tracing).toEqual({ otlpEndpoint: 'https://otel.example.gov.pk:4318' });
  });

  it('posts to the /v1/traces path under the endpoint, as OTLP/HTTP defines it', () => {
    expect(tracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('http://collector:4318/otlp/')).toBe('http://collector:4318/otlp/v1/traces');
  });

  it('exports the spans of a process to the collector under the process service name when the endpoint is set', async () => {
    receiver = await startOtlpReceiver();
    const tracing = startTracing('projector', loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint }).tracing);
    expect(tracing?.service).toBe('cloud-office-projector');
    tracing!.tracer.startActiveSpan('probe span', (span) => {
      span.setAttribute('probe', 'yes');
      span.end();
    });
    await tracing!.forceFlush();
    expect(receiver.spans).toEqual([expect.objectContaining({ service: 'cloud-office-projector', name: 'probe span', attributes: { probe: 'yes' } })]);
    // The first provider of a process registers W3C trace-context, which Temporal's interceptors inject with.
    expect(propagation.fields()).toContain('traceparent');
    await tracing!.shutdown();
  });
});
