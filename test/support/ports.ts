// Loopback ports with nothing listening, for tests of dialling a peer that is not there.
import * as net from 'node:net';

/**
 * The loopback address the closed ports are on. Not 127.0.0.1: a port taken with `listen(0)` and closed
 * again is free for the next `listen(0)` on 127.0.0.1 by any process on the machine (other test files,
 * other suites running at the same time), and a stranger listening there turned a refused dial into a
 * handshake that never completed. Nothing else binds this address; only a wildcard listener on the same
 * port could still answer.
 */
export const CLOSED_HOST = '127.0.0.213';

/** A port on {@link CLOSED_HOST} that nothing listens on: a free one, taken and closed again. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, CLOSED_HOST, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
