import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsListener {
  /** The bound port (useful when 0 asked the system for a free one). */
  port: number;
  close(): Promise<void>;
}

/**
 * The operators' scrape endpoint: GET /metrics on its own listener, apart from the public API port,
 * bound by default to the loopback address so that only this machine (or a network the operator
 * chooses with METRICS_HOST) can read it. It has no authentication of its own: the bind address is the
 * control, as for Temporal's and the node exporter's endpoints.
 */
export async function serveMetrics(registry: Registry, options: { host: string; port: number }): Promise<MetricsListener> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Only GET /metrics is served here.\n');
      return;
    }
    registry
      .metrics()
      .then((text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text))
      .catch((err: unknown) => response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`Metrics could not be collected: ${String(err)}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

/** A process's listener when its port is configured (non-zero); otherwise none. */
export async function serveMetricsIfConfigured(registry: Registry, options: { host: string; port: number }): Promise<MetricsListener | undefined> {
  return options.port === 0 ? undefined : serveMetrics(registry, options);
}
