import { Worker } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import { TRACE_HEADER } from '../../tracing/workflow-interceptors';
import { verifyStreamChain } from '../../eventstore/integrity/hash-chain';
import { CORRELATION_ID, READ_MODEL } from '../../tracing/attributes';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { replayWorkerOptions } from '../support/replay-options';
import { startStack, type Stack } from '../support/stack';

/**
 * One director's decision on a NOC, traced on the real dev server with the processes' tracing wired as
 * their main.ts wire it with OTEL_EXPORTER_OTLP_ENDPOINT set, exported by the real OTLP/HTTP exporter
 * to a local receiver: the decision is one trace, from the API's request through the workflow's update
 * and the activity to the append, and on to the projector's applies of the event it wrote.
 */
const PASSWORD = 'a long enough password';
const ACCOUNTS = {
  pse: { username: 'moitt', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'MoITT officer' },
  reviewer: { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  director: { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
} as const;
type Who = keyof typeof ACCOUNTS;

let receiver: OtlpReceiver;
let stack: Stack;
const tokens = {} as Record<Who, string>;
/** The workflow id of the case the first test traced. */
let tracedCase: string | undefined;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  stack = await startStack({ taskQueue: 'tracing-int', accounts: ACCOUNTS, password: PASSWORD, tracing: { otlpEndpoint: receiver.endpoint } });
  for (const who of Object.keys(ACCOUNTS) as Who[]) {
    const res = await call('POST', '/api/auth/login', undefined, { username: ACCOUNTS[who].username, password: PASSWORD, code: stack.totp.code(ACCOUNTS[who].username) });
    tokens[who] = (res.body as { token: string }).token;
  }
});

afterAll(async () => {
  await stack?.close();
  await receiver?.close();
});

async function call(method: string, path: string, who?: Who, body?: unknown) {
  const res = await fetch(`${stack.base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Flushes every process's spans until `check` passes (a bounded wait for the sinks and batches, not a timing assertion). */
async function eventually<T>(check: () => T, limitMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    for (const t of Object.values(stack.tracing!)) await t.forceFlush();
    try {
      return check();
    } catch (err) {
      if (Date.now() - started > limitMs) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const named = (spans: ReceivedSpan[], service: string, name: string | RegExp): ReceivedSpan[] =>
  spans.filter((s) => s.service === service && (typeof name === 'string' ? s.name === name : name.test(s.name)));

describe('a traced decision', () => {
  it('is one trace spanning the API request, the workflow update, the activity, the append and the projection, all with the case correlation id', async () => {
    const created = await call('POST', '/api/nocs', 'pse', {
      deviation: 'on-premises-hosting',
      description: 'Keep the payroll system on premises',
      justification: 'Migration is scheduled for next quarter',
      dataClass: 'restricted',
      systems: ['payroll'],
      requestedMonths: 6,
    });
    expect(created.status).toBe(201);
    const nocId = (created.body.state as { request: { nocId: string } }).request.nocId;
    expect((await call('POST', `/api/nocs/${nocId}/start-review`, 'reviewer', {})).status).toBe(200);
    expect((await call('POST', `/api/nocs/${nocId}/recommend`, 'reviewer', { recommendation: 'approve', reasons: 'Justified' })).status).toBe(200);
    const validUntil = new Date(Date.now() + 90 * 86_400_000).toISOString();
    expect((await call('POST', `/api/nocs/${nocId}/decide`, 'director', { decision: 'approve', reasons: 'Agreed', validUntil })).status).toBe(200);

    // The decision's event carries the trace it was appended in; the hash chain still holds with it.
    const events = await stack.store.readStream(`noc-${nocId}`);
    const decided = events[events.length - 1]!;
    const correlationId = decided.metadata.correlationId;
    tracedCase = correlationId;
    const traceId = decided.metadata.traceparent?.split('-')[1];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(verifyStreamChain(`noc-${nocId}`, events)).toBeUndefined();

    const trace = await eventually(() => {
      const spans = receiver.spans.filter((s) => s.traceId === traceId);
      expect(named(spans, 'cloud-office-api', 'POST /api/nocs/:nocId/decide')).toHaveLength(1);
      expect(named(spans, 'cloud-office-api', 'StartWorkflowUpdate:nocAction')).toHaveLength(1);
      expect(named(spans, 'cloud-office-worker', 'HandleUpdate:nocAction')).toHaveLength(1);
      expect(named(spans, 'cloud-office-worker', 'RunActivity:appendCaseEvents')).toHaveLength(1);
      expect(named(spans, 'cloud-office-worker', 'AppendEvents:noc')).toHaveLength(1);
      expect(named(spans, 'cloud-office-projector', /^ApplyEvent:/).length).toBeGreaterThan(0);
      return spans;
    }, 20_000);

    // One trace for the one action: a single root, the director's request, and every other span under it.
    const ids = new Set(trace.map((s) => s.spanId));
    const roots = trace.filter((s) => s.parentSpanId === undefined || !ids.has(s.parentSpanId));
    expect(roots.map((s) => s.name)).toEqual(['POST /api/nocs/:nocId/decide']);
    expect(named(trace, 'cloud-office-api', /^(GET|POST) /)).toHaveLength(1);

    // Each step of the decision carries the case's correlation id, the one its events carry.
    const steps = [
      ...named(trace, 'cloud-office-api', /^POST |^StartWorkflowUpdate:/),
      ...named(trace, 'cloud-office-worker', /^(ValidateUpdate|HandleUpdate|StartActivity|RunActivity|AppendEvents):/),
      ...named(trace, 'cloud-office-projector', /^ApplyEvent:/),
    ];
    expect(steps.length).toBeGreaterThanOrEqual(7);
    expect(steps.filter((s) => s.attributes[CORRELATION_ID] !== correlationId).map((s) => `${s.service} ${s.name}`)).toEqual([]);

    // The projector's spans name the read model, the stream and the event they applied.
    const applied = named(trace, 'cloud-office-projector', /^ApplyEvent:/);
    for (const span of applied) {
      expect(span.name).toBe(`ApplyEvent:${String(span.attributes[READ_MODEL])}`);
      expect(span.attributes).toMatchObject({ 'cloud_office.stream': `noc-${nocId}`, 'cloud_office.event_type': decided.type });
    }
  });

  it('replays the traced case on a worker with tracing off: the recorded trace headers, not the worker, choose the traced path', async () => {
    expect(tracedCase).toBeDefined();
    const tracedUpdatesOf = (h: temporal.api.history.v1.IHistory) =>
      (h.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.header?.fields?.[TRACE_HEADER] !== undefined);
    // The approved NOC rests in a fresh run before its timers: the traced actions are in a run before it.
    const runBefore = (h: temporal.api.history.v1.IHistory) => h.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
    let history = await stack.env.client.workflow.getHandle(tracedCase!).fetchHistory();
    for (let before = runBefore(history); tracedUpdatesOf(history).length === 0 && before !== undefined; before = runBefore(history)) {
      history = await stack.env.client.workflow.getHandle(tracedCase!, before).fetchHistory();
    }
    expect(tracedUpdatesOf(history).length).toBeGreaterThan(0);
    await expect(Worker.runReplayHistory(replayWorkerOptions(require.resolve('../../workflows'), 'traced-replay'), history, tracedCase)).resolves.toBeUndefined();
  });
});
