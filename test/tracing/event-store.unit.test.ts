import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { EventMetadata } from '../../eventstore/envelope';
import { HashChainedEventStore, verifyStreamChain } from '../../eventstore/integrity/hash-chain';
import { decode } from '../../eventstore/registry';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import type { EventStore, EventToAppend } from '../../eventstore/port';
import { TracedEventStore } from '../../tracing/event-store';
import { applyInSpan } from '../../tracing/projection';
import { answer } from '../support/answers';
import { REVIEWER_METADATA } from '../support/event-metadata';

/**
 * An append in a span leaves each event with that span's W3C traceparent in its metadata, sealed by the
 * hash chain like the rest; the projector's apply of such an event is a child span of the append.
 */
const spans = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
provider.register();
const tracer = provider.getTracer('test');

const meta = REVIEWER_METADATA;
const event = (stream: string, revision: number): EventToAppend => answer(stream, revision, meta);

let dir: string;
let chained: EventStore;
let store: TracedEventStore;

beforeEach(async () => {
  spans.reset();
  dir = mkdtempSync(join(tmpdir(), 'traced-'));
  chained = new HashChainedEventStore(await openSqliteEventStore({ path: join(dir, 'events.db') }));
  store = new TracedEventStore(chained, tracer);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a traced append', () => {
  it('writes the append span as each event traceparent, and the hash chain still verifies', async () => {
    await chained.append('noc-N1', [event('noc-N1', 0)], 'no-stream');
    await tracer.startActiveSpan('request', async (request) => {
      await store.append('noc-N1', [event('noc-N1', 1), event('noc-N1', 2)], 0);
      request.end();
    });
    const [append] = spans.getFinishedSpans().filter((s) => s.name === 'AppendEvents:noc');
    const request = spans.getFinishedSpans().find((s) => s.name === 'request')!;
    expect(append?.parentSpanId).toBe(request.spanContext().spanId);
    expect(append?.attributes).toMatchObject({ 'cloud_office.correlation_id': 'noc:N1', 'cloud_office.stream': 'noc-N1', 'cloud_office.event_count': 2 });
    expect(request.attributes['cloud_office.correlation_id']).toBe('noc:N1');

    const events = await store.readStream('noc-N1');
    const { traceId, spanId } = append!.spanContext();
    expect(events.map((e) => e.metadata.traceparent)).toEqual([undefined, `00-${traceId}-${spanId}-01`, `00-${traceId}-${spanId}-01`]);
    expect(verifyStreamChain('noc-N1', events)).toBeUndefined();
    // Sealed like the rest of the metadata: a rewritten trace context breaks the chain.
    const rewritten = events.map((e, i) => (i === 1 ? { ...e, metadata: { ...e.metadata, traceparent: `00-${'1'.repeat(32)}-${spanId}-01` } } : e));
    expect(verifyStreamChain('noc-N1', rewritten)).toEqual(expect.objectContaining({ revision: 1 }));
    // Read back through the registry, as every reader does, the metadata keeps it.
    expect(decode(events[1]!).metadata.traceparent).toBe(`00-${traceId}-${spanId}-01`);
  });

  it('is refused a traceparent that is not W3C trace-context', () => {
    expect(EventMetadata.safeParse({ ...meta, traceparent: '00-abc-def-01' }).success).toBe(false);
    expect(EventMetadata.safeParse({ ...meta, traceparent: `00-${'0'.repeat(32)}-${'a'.repeat(16)}-01` }).success).toBe(false);
    expect(EventMetadata.safeParse({ ...meta, traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` }).success).toBe(true);
  });
});

describe('a projection apply', () => {
  it('is a child span of the append for a traced event, and runs without a span for an event written untraced', async () => {
    await chained.append('noc-N1', [event('noc-N1', 0)], 'no-stream');
    await store.append('noc-N1', [event('noc-N1', 1)], 0);
    const [untraced, traced] = await store.readStream('noc-N1');
    const applied: string[] = [];
    applyInSpan(tracer, untraced!, 'noc-register', () => applied.push('untraced'));
    applyInSpan(undefined, traced!, 'noc-register', () => applied.push('tracing off'));
    applyInSpan(tracer, traced!, 'noc-register', () => applied.push('traced'));
    expect(applied).toEqual(['untraced', 'tracing off', 'traced']);

    const append = spans.getFinishedSpans().find((s) => s.name === 'AppendEvents:noc')!;
    const applies = spans.getFinishedSpans().filter((s) => s.name.startsWith('ApplyEvent:'));
    expect(applies).toHaveLength(1);
    expect(applies[0]!.name).toBe('ApplyEvent:noc-register');
    expect(applies[0]!.spanContext().traceId).toBe(append.spanContext().traceId);
    expect(applies[0]!.parentSpanId).toBe(append.spanContext().spanId);
    expect(applies[0]!.attributes).toMatchObject({
      'cloud_office.correlation_id': 'noc:N1',
      'cloud_office.read_model': 'noc-register',
      'cloud_office.event_type': 'NocInformationProvided',
      'cloud_office.stream': 'noc-N1',
    });
  });

  it('records a failing apply on its span and lets the error through', async () => {
    await store.append('noc-N1', [event('noc-N1', 0)], 'no-stream');
    const [traced] = await store.readStream('noc-N1');
    expect(() => applyInSpan(tracer, traced!, 'noc-register', () => { throw new Error('no such table'); })).toThrow('no such table');
    const failed = spans.getFinishedSpans().find((s) => s.name === 'ApplyEvent:noc-register')!;
    expect(failed.status).toEqual({ code: 2, message: 'no such table' });
  });
});
