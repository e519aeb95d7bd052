import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP relay in front of a server, to cut it off and bring it back: `cut()` stops listening and drops
 * every connection (the port is then closed, as a stopped server's is), `restore()` listens again on
 * the same port. Clients pointed at `address` see the server go away and come back. `latencyMs` holds
 * back every byte from the server that long: a slow server that is still there.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  /** How long each chunk from the server is held back before the client gets it. */
  latencyMs = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** `target` is `host:port`. */
  static async start(target: string): Promise<TcpProxy> {
    const [host, port] = target.split(':');
    const proxy = new TcpProxy(host as string, Number(port));
    await proxy.restore();
    return proxy;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async restore(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      // Each chunk held back on its own timer (timers of one duration fire in order), so delays do not add up.
      upstream.on('data', (chunk: Buffer) => {
        if (this.latencyMs === 0) client.write(chunk);
        else setTimeout(() => client.destroyed || client.write(chunk), this.latencyMs);
      });
      upstream.on('end', () => setTimeout(() => client.end(), this.latencyMs));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}
