import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openLoop } from '../../bench/open-loop';

describe('the benches’ open-loop load', () => {
  let server: Server;
  let url: string;
  const asked: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      asked.push(req.url ?? '');
      res.statusCode = req.url === '/down' ? 503 : 200;
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => (asked.length = 0));

  it('sends rate × seconds requests, taking the paths in turn, and waits for every answer', async () => {
    const result = await openLoop({ url, paths: ['/a', '/b'], connections: 4, seconds: 0.5, rate: 200 });
    expect(result.requests).toBe(100);
    expect(asked).toHaveLength(100);
    expect(asked.filter((p) => p === '/a')).toHaveLength(50);
    expect(result.errors).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result.p50).toBeGreaterThan(0);
    expect(result.p99).toBeGreaterThanOrEqual(result.p50);
  });

  it('counts the answers that are not 2xx', async () => {
    const result = await openLoop({ url, paths: ['/ok', '/down'], connections: 2, seconds: 0.2, rate: 100 });
    expect(result.non2xx).toBe(10);
    expect(result.errors).toBe(0);
  });

  it('counts a request nobody answers as an error and still ends', async () => {
    const result = await openLoop({ url: 'http://127.0.0.1:1', paths: ['/a'], connections: 1, seconds: 0.1, rate: 50 });
    expect(result.errors).toBe(5);
    expect(result.requests).toBe(0);
  });
});
