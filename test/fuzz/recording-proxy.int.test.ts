import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import type { EventStore } from '../../eventstore/port';
import { exchangeAt, exchangeBefore, RecordingProxy } from './recording-proxy';

/**
 * The proxy the fuzz test runs behind: an event appended while a request was answered lies in that
 * request's window, so a refused request that wrote one is caught.
 */
let store: EventStore;
let upstream: Server;
let proxy: RecordingProxy;
let origin: string;

const METADATA = {
  schemaVersion: 1,
  actor: { userId: 'u-1', role: 'pse' as const },
  occurredAt: '2026-01-01T00:00:00Z',
  correlationId: 'c',
  causationId: 'c',
  policyVersion: 'p',
};

beforeAll(async () => {
  store = await openSqliteEventStore({ path: ':memory:' });
  let n = 0;
  // Answers /write-and-refuse with 409 after appending an event, anything else with 200 and no write.
  upstream = createServer((req, res) => {
    void (async () => {
      if (req.url === '/write-and-refuse') {
        await store.append(`noc-${n}`, [{ id: `00000000-0000-5000-8000-00000000000${n++}`, type: 'Written', data: {}, metadata: METADATA }], 'any');
        res.writeHead(409, { 'content-type': 'application/json' }).end('{"error":{"code":"CONFLICT","message":"no"}}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }
    })();
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  proxy = new RecordingProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, store);
  origin = await proxy.listen();
});

afterAll(async () => {
  await proxy.close();
  await new Promise((resolve) => upstream.close(resolve));
  await store.close();
});

describe('the recording proxy', () => {
  it('forwards each request and notes its answer, and places an event written during a refusal in that refusal’s window', async () => {
    const quiet = await fetch(`${origin}/read`);
    const refused = await fetch(`${origin}/write-and-refuse`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect([quiet.status, refused.status]).toEqual([200, 409]);
    expect(await refused.json()).toEqual({ error: { code: 'CONFLICT', message: 'no' } });

    const [event] = await store.readAll();
    const during = exchangeAt(proxy.exchanges, event!.position);
    expect(during).toMatchObject({ method: 'POST', url: '/write-and-refuse', status: 409, requestBody: '{}' });
    expect(exchangeAt(proxy.exchanges.slice(0, 1), event!.position)).toBeUndefined();
    expect(exchangeBefore(proxy.exchanges, event!.position)).toMatchObject({ url: '/read', status: 200 });
  });
});
