import { createServer, type Server } from 'node:http';
import { z } from 'zod';
import { freePort } from './ports';

/**
 * A collector for tests: OTLP/HTTP with JSON bodies (what @opentelemetry/exporter-trace-otlp-http posts),
 * on a free port, keeping every span it is sent. Spans come out flat, with their service's name.
 */
export interface ReceivedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}

const AnyValue: z.ZodType<unknown> = z.lazy(() =>
  z
    .object({
      stringValue: z.string().optional(),
      boolValue: z.boolean().optional(),
      intValue: z.union([z.number(), z.string()]).optional(),
      doubleValue: z.number().optional(),
      arrayValue: z.object({ values: z.array(AnyValue).optional() }).optional(),
    })
    .transform((v) => v.stringValue ?? v.boolValue ?? (v.intValue === undefined ? undefined : Number(v.intValue)) ?? v.doubleValue ?? v.arrayValue?.values ?? []),
);
const Attributes = z
  .array(z.object({ key: z.string(), value: AnyValue }))
  .optional()
  .transform((list) => Object.fromEntries((list ?? []).map((a) => [a.key, a.value])));
const ExportRequest = z.object({
  resourceSpans: z.array(
    z.object({
      resource: z.object({ attributes: Attributes }),
      scopeSpans: z.array(
        z.object({
          spans: z.array(z.object({ traceId: z.string(), spanId: z.string(), parentSpanId: z.string().optional(), name: z.string(), attributes: Attributes })).optional(),
        }),
      ),
    }),
  ),
});

export interface OtlpReceiver {
  endpoint: string;
  spans: ReceivedSpan[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
        res.writeHead(404).end();
        return;
      }
      const body = ExportRequest.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      for (const rs of body.resourceSpans) {
        const service = String(rs.resource.attributes['service.name']);
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans ?? []) {
            spans.push({ service, name: s.name, traceId: s.traceId, spanId: s.spanId, ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}), attributes: s.attributes });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await freePort();
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
