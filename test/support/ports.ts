import { createServer, type AddressInfo } from 'node:net';

/**
 * A TCP port free on 127.0.0.1 at the moment of asking: the system picks one for a listener that is
 * closed at once, so a test's servers never collide with each other or with a developer's running office.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}
