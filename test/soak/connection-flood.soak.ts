// A stranger's flood of idle connections against the default limits: 1,500 TCP connections that never
// handshake (more than Kompact's hard connection limit, this transport's default
// maxIncomingConnections of 1,100) while a legitimate system sends 12,001 messages. Before the handshake budget, the flood filled the
// limit and 10,020 of the 12,001 messages were lost.
// Run: npm run compile && node --test .build/test/soak/connection-flood.soak.js
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { it } from 'node:test';
import pino from 'pino';
import { dataFrame, TcpTransport } from '../../src/net/index.js';
import { NamedPath } from '../../src/paths/actor-path.js';
import { serId } from '../../src/serialisation/ser-id.js';

const IDLE_CONNECTIONS = 1500;
const MESSAGES = 12_001;

interface LogLine {
  level: number;
  msg: string;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs)
      assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it(`delivers all ${MESSAGES} messages of a legitimate system while ${IDLE_CONNECTIONS} idle connections flood the server`, async () => {
  const logs: LogLine[] = [];
  const sockets: net.Socket[] = [];
  let received = 0;
  const lost: string[] = [];
  const server = await TcpTransport.listen({
    logger: pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line) as LogLine) }),
    onData: () => {
      received++;
    },
  });
  const client = await TcpTransport.listen({
    logger: pino({ level: 'silent' }),
    onLost: (_frame, reason) => lost.push(reason),
    connectionRetryIntervalMs: 200,
  });
  try {
    const port = server.systemPath.port;
    let connected = 0;
    for (let i = 0; i < IDLE_CONNECTIONS; i++) {
      const socket = net.connect({ host: '127.0.0.1', port }, () => connected++);
      socket.on('error', () => {});
      sockets.push(socket);
    }
    await waitFor(() => connected === IDLE_CONNECTIONS, 'the idle connections', 60_000);
    // Let the server accept the backlog, so the flood is in place before the legitimate system dials.
    const { openConnections: beforeSettling } = server.stats();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    console.log(
      `server open connections once flooded: ${server.stats().openConnections} (${beforeSettling} a second earlier)`,
    );
    const sender = new NamedPath(client.systemPath, ['sender']);
    const receiver = new NamedPath(server.systemPath, ['receiver']);
    const payload = Buffer.alloc(16);
    const started = performance.now();
    for (let n = 0; n < MESSAGES; n++) {
      const result = client.send(dataFrame(serId(40), sender, receiver, payload));
      assert.deepEqual(result, { kind: 'accepted' });
    }
    await waitFor(() => received === MESSAGES || lost.length > 0, 'every message', 120_000);
    assert.deepEqual(lost, []);
    assert.equal(received, MESSAGES);
    const stats = server.stats();
    console.log(
      `${IDLE_CONNECTIONS} idle connections: ${received} of ${MESSAGES} messages delivered in ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s; server stats ${JSON.stringify(stats)}`,
    );
    await server.close();
    const loud = logs.filter((line) => line.level >= 40);
    console.log(
      `server log lines at warn or above: ${loud.length}: ${JSON.stringify(loud.map((l) => l.msg))}`,
    );
    assert.ok(loud.length <= 3, `${loud.length} warn/error lines`);
  } finally {
    for (const socket of sockets) socket.destroy();
    await Promise.all([server.close(), client.close()]);
  }
});
