// Connection limits on the status port: the soft limit closes the least recently used connection
// (SoftConnectionLimitExceeded), a full maxIncomingConnections refuses newcomers
// (HardConnectionLimitReached, once until there is room), and a failing listening socket is a
// critical-network-failure. Loopback only.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { TcpTransport } from '../src/net/tcp-transport.js';
import type { TransportEvent } from '../src/net/transport-events.js';
import { withSystem } from '../src/testing/index.js';
import { startNamedProbe } from './support/probes.js';
import { DEADLINE_MS, within } from './support/promises.js';
import { watchStatus } from './support/status-watcher.js';

/** Connects a raw socket to `port` and resolves once the peer closed it. */
function refusedAt(port: number): Promise<void> {
  return within(
    new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', () => {});
      socket.on('close', () => resolve());
    }),
    DEADLINE_MS,
    'the refused socket to be closed',
  );
}

describe('connection limits', () => {
  it('closes the least recently used connection past the soft limit, and reports it', async () => {
    await withSystem(
      async (a) =>
        withSystem(
          async (b) =>
            withSystem(
              async (c) => {
                const watcher = await watchStatus(a);
                const atB = await startNamedProbe(b, 'probe');
                const atC = await startNamedProbe(c, 'probe');
                atB.path.tell('to b', a);
                await atB.probe.waitFor(1);
                atC.path.tell('to c', a);
                await atC.probe.waitFor(1);
                await watcher.waitFor('soft-connection-limit-exceeded');
                const exceeded = watcher.events.find((e) => e.kind === 'soft-connection-limit-exceeded');
                assert.ok(exceeded?.kind === 'soft-connection-limit-exceeded');
                assert.ok(exceeded.system.equals(b.systemPath()), 'the connection used least recently');
                await watcher.waitFor('connection-closed');
                // A message to the closed system connects again (closing the other one in turn).
                atB.path.tell('to b again', a);
                await atB.probe.waitFor(2);
              },
              (config) => config.network(),
            ),
          (config) => config.network(),
        ),
      (config) => config.network({ softConnectionLimit: 1 }),
    );
  });

  it('reports a full maxIncomingConnections once, when a newcomer is refused', async () => {
    await withSystem(
      async (a) =>
        withSystem(
          async (b) => {
            const watcher = await watchStatus(a);
            const atA = await startNamedProbe(a, 'probe');
            atA.path.tell('from b', b);
            await atA.probe.waitFor(1);
            const port = a.systemPath().port;
            await refusedAt(port);
            await watcher.waitFor('hard-connection-limit-reached');
            await refusedAt(port);
            atA.path.tell('from b, still served', b);
            await atA.probe.waitFor(2);
            assert.equal(watcher.count('hard-connection-limit-reached'), 1, 'once until there is room');
          },
          (config) => config.network(),
        ),
      (config) => config.network({ maxIncomingConnections: 1 }),
    );
  });

  it('reports a failure of the listening socket as a critical network failure', async () => {
    const events: TransportEvent[] = [];
    const transport = await TcpTransport.listen({
      logger: pino({ level: 'silent' }),
      onEvent: (e) => events.push(e),
    });
    try {
      // The listening socket is private: reach it to make it fail as the OS would (e.g. EMFILE).
      (transport as unknown as { server: { emit(name: string, error: Error): void } }).server.emit(
        'error',
        new Error('accept EMFILE'),
      );
      assert.deepEqual(
        events.map((e) => (e.kind === 'critical-network-failure' ? `${e.kind}: ${e.error.message}` : e.kind)),
        ['critical-network-failure: accept EMFILE'],
      );
    } finally {
      await transport.close();
    }
  });
});
