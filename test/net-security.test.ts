// The transport against strangers: raw peers that break the handshake, relays, floods of idle
// connections and oversized frames before authentication. Loopback only.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { describe, it } from 'node:test';
import pino from 'pino';
import { KompactError } from '../src/internal/kompact-error.js';
import { HandshakeThrottle } from '../src/net/handshake-throttle.js';
import {
  type DataFrame,
  dataFrame,
  encodeFrames,
  type Frame,
  FrameDecoder,
  handshakeProof,
  NONCE_BYTES,
  PROTOCOL_VERSION,
  TcpTransport,
  type TcpTransportOptions,
  type TransportEvent,
} from '../src/net/index.js';
import { NamedPath } from '../src/paths/actor-path.js';
import { SystemPath } from '../src/paths/system-path.js';
import { serId } from '../src/serialisation/ser-id.js';
import { selfSignedCertificate } from './support/certificates.js';

const SER_ID = serId(40);
const SECRET = 'a shared secret of 32 characters';

interface LogLine {
  level: number;
  msg: string;
  err?: { message?: string; code?: string };
  /** In a summary line: connections closed in their handshake to make room. */
  evicted?: number;
}

interface Node {
  readonly transport: TcpTransport;
  readonly received: DataFrame[];
  readonly lost: string[];
  readonly events: TransportEvent[];
  readonly logs: LogLine[];
  readonly actor: NamedPath;
}

const open: TcpTransport[] = [];
const sockets: net.Socket[] = [];
const servers: net.Server[] = [];

async function node(options: TcpTransportOptions = {}): Promise<Node> {
  const received: DataFrame[] = [];
  const lost: string[] = [];
  const events: TransportEvent[] = [];
  const logs: LogLine[] = [];
  const transport = await TcpTransport.listen({
    connectionRetryIntervalMs: 20,
    maxConnectionRetryAttempts: 2,
    handshakeTimeoutMs: 2000,
    closeTimeoutMs: 500,
    logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line) as LogLine) }),
    onData: (serId, sender, receiver, chunk, offset, length) =>
      received.push(dataFrame(serId, sender, receiver, chunk.slice(offset, offset + length))),
    onLost: (_frame, reason) => lost.push(reason),
    onEvent: (event) => events.push(event),
    ...options,
  });
  open.push(transport);
  return { transport, received, lost, events, logs, actor: new NamedPath(transport.systemPath, ['actor']) };
}

function message(from: Node, to: NamedPath, n: number): DataFrame {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(n, 0);
  return dataFrame(SER_ID, from.actor, to, payload);
}

function send(from: Node, to: NamedPath, n: number): void {
  assert.deepEqual(from.transport.send(message(from, to, n)), { kind: 'accepted' });
}

/** Resolves once `condition` holds; fails with `what` after `timeoutMs`. */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs)
      assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((transport) => transport.close()));
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
}

/** A raw TCP peer: every frame it receives is decoded into `frames`; `isClosed` once the socket closed. */
interface RawPeer {
  readonly socket: net.Socket;
  readonly frames: Frame[];
  readonly isClosed: () => boolean;
}

function rawDial(port: number): Promise<RawPeer> {
  return new Promise((resolve, reject) => {
    const frames: Frame[] = [];
    let isClosed = false;
    const decoder = new FrameDecoder(1 << 20);
    const socket = net.connect({ host: '127.0.0.1', port }, () =>
      resolve({ socket, frames, isClosed: () => isClosed }),
    );
    sockets.push(socket);
    socket.on('data', (chunk) => decoder.push(chunk, (frame) => frames.push(frame)));
    socket.on('close', () => {
      isClosed = true;
    });
    socket.on('error', (error) => {
      if (!isClosed) reject(error);
    });
  });
}

const STRANGER = new SystemPath('tcp', '127.0.0.1', 9);

function helloFrom(system: SystemPath, nonce: Uint8Array): Buffer {
  return encodeFrames([{ kind: 'hello', version: PROTOCOL_VERSION, system, nonce, proof: undefined }]);
}

/** Sends a dialer's `hello` and resolves with the acceptor's. */
async function rawHello(peer: RawPeer, nonce: Uint8Array, system = STRANGER): Promise<Frame> {
  peer.socket.write(helloFrom(system, nonce));
  await waitFor(() => peer.frames.length > 0 || peer.isClosed(), "the acceptor's hello");
  const hello = peer.frames[0];
  assert.ok(hello !== undefined && hello.kind === 'hello', `got ${JSON.stringify(peer.frames)}`);
  return hello;
}

/** Changes the bytes a relay passes on, each way (`'up'`: dialer to acceptor). */
type Rewrite = (direction: 'up' | 'down', chunk: Buffer) => Buffer;

/**
 * A loopback TCP proxy to `target()`; `makeRewrite` makes, for each connection, what changes the
 * bytes it passes on. Resolves with its port.
 */
async function relay(
  target: () => number,
  makeRewrite: () => Rewrite = () => (_direction, chunk) => chunk,
): Promise<number> {
  const server = net.createServer((inbound) => {
    const rewrite = makeRewrite();
    sockets.push(inbound);
    const outbound = net.connect({ host: '127.0.0.1', port: target() });
    sockets.push(outbound);
    inbound.on('data', (chunk) => outbound.write(rewrite('up', chunk)));
    outbound.on('data', (chunk) => inbound.write(rewrite('down', chunk)));
    inbound.on('error', () => {});
    outbound.on('error', () => {});
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** A port nothing listens on right now (loopback). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function established(n: Node): number {
  return n.events.filter((event) => event.kind === 'connection-established').length;
}

describe('TcpTransport handshake with a shared secret', () => {
  it('closes a raw dialer with no proof, a junk proof or a proof for the wrong nonce, and never proves itself to it', async () => {
    try {
      const b = await node({ sharedSecret: SECRET, maxHandshakeFailures: 100 });
      const secret = Buffer.from(SECRET);
      const attempts: [
        string,
        (dialerNonce: Uint8Array, acceptorNonce: Uint8Array) => Uint8Array | undefined,
      ][] = [
        ['no proof', () => undefined],
        ['32 junk bytes', () => new Uint8Array(randomBytes(32))],
        [
          'a proof for another nonce',
          (dialerNonce) =>
            handshakeProof(
              secret,
              'dialer',
              dialerNonce,
              new Uint8Array(NONCE_BYTES),
              STRANGER,
              b.transport.systemPath,
            ),
        ],
        [
          'a proof for another acceptor',
          (dialerNonce, acceptorNonce) =>
            handshakeProof(secret, 'dialer', dialerNonce, acceptorNonce, STRANGER, STRANGER),
        ],
      ];
      for (const [what, proofOf] of attempts) {
        const peer = await rawDial(b.transport.systemPath.port);
        const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
        const hello = await rawHello(peer, nonce);
        assert.ok(
          hello.kind === 'hello' && hello.proof === undefined,
          `${what}: the acceptor's hello has no proof`,
        );
        peer.socket.write(encodeFrames([{ kind: 'hello-ack', proof: proofOf(nonce, hello.nonce) }]));
        await waitFor(peer.isClosed, `${what}: the connection closed`);
        assert.deepEqual(
          peer.frames.map((frame) => frame.kind),
          ['hello', 'bye'],
          `${what}: the acceptor sent its hello and a bye, never a hello-ack with its proof`,
        );
      }
      await waitFor(() => b.transport.stats().failedHandshakes === attempts.length, 'the failures counted');
      assert.equal(established(b), 0);
      // The same raw dialer with the right proof is let in and gets the acceptor's proof: the refusals
      // above are about the proofs, not the raw peer.
      const peer = await rawDial(b.transport.systemPath.port);
      const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
      const hello = await rawHello(peer, nonce);
      assert.ok(hello.kind === 'hello');
      const proof = handshakeProof(secret, 'dialer', nonce, hello.nonce, STRANGER, b.transport.systemPath);
      peer.socket.write(encodeFrames([{ kind: 'hello-ack', proof }]));
      await waitFor(() => peer.frames.length === 2, "the acceptor's hello-ack");
      const ack = peer.frames[1];
      assert.ok(ack?.kind === 'hello-ack' && ack.proof !== undefined);
      assert.deepEqual(
        ack.proof,
        handshakeProof(secret, 'acceptor', nonce, hello.nonce, STRANGER, b.transport.systemPath),
      );
      await waitFor(() => established(b) === 1, 'the established connection');
    } finally {
      await closeAll();
    }
  });

  it('refuses connections from an address after repeated failed proofs', async () => {
    try {
      const b = await node({ sharedSecret: SECRET, maxHandshakeFailures: 3, handshakeBackoffMs: 60_000 });
      for (let i = 0; i < 3; i++) {
        const peer = await rawDial(b.transport.systemPath.port);
        const hello = await rawHello(peer, new Uint8Array(NONCE_BYTES));
        assert.equal(hello.kind, 'hello');
        peer.socket.write(encodeFrames([{ kind: 'hello-ack', proof: new Uint8Array(32) }]));
        await waitFor(peer.isClosed, `failed attempt ${i + 1} closed`);
      }
      assert.equal(b.transport.stats().throttledAddresses, 1);
      assert.equal(b.transport.stats().refusedConnections, 0);
      // The fourth attempt is refused on arrival: no hello, nothing to guess against.
      const refused = await rawDial(b.transport.systemPath.port);
      refused.socket.write(helloFrom(STRANGER, new Uint8Array(NONCE_BYTES)));
      await waitFor(refused.isClosed, 'the refused connection closed');
      assert.deepEqual(refused.frames, []);
      assert.equal(b.transport.stats().refusedConnections, 1);
      // So is a system that knows the secret, from the same address, until the backoff ends.
      const a = await node({ sharedSecret: SECRET });
      send(a, b.actor, 1);
      await waitFor(() => a.lost.length === 1, 'the frame reported lost');
      assert.deepEqual(a.lost, ['dropped']);
      assert.deepEqual(b.received, []);
    } finally {
      await closeAll();
    }
  });

  it('refuses a secret shorter than 16 bytes without showing it', async () => {
    for (const sharedSecret of ['hunter2', new Uint8Array(15)]) {
      await assert.rejects(TcpTransport.listen({ sharedSecret }), (error: unknown) => {
        assert.ok(error instanceof KompactError && error.code === 'CONFIG_INVALID');
        assert.match(error.message, /`sharedSecret`.*at least 16 bytes/);
        assert.ok(!error.message.includes('hunter2'), error.message);
        return true;
      });
    }
    const transport = await TcpTransport.listen({ sharedSecret: new Uint8Array(16) });
    await transport.close();
  });
});

describe('TcpTransport through a relay', () => {
  it('closes a connection whose acceptor names another system than the one dialled, at warn', async () => {
    try {
      const b = await node({ sharedSecret: SECRET });
      const a = await node({ sharedSecret: SECRET });
      const port = await relay(() => b.transport.systemPath.port);
      send(a, new NamedPath(new SystemPath('tcp', '127.0.0.1', port), ['actor']), 1);
      await waitFor(() => a.lost.length === 1, 'the frame reported lost');
      const warned = a.logs.filter((line) => line.level === 40 && line.msg.includes('names itself'));
      assert.ok(warned.length > 0, JSON.stringify(a.logs.map((line) => line.msg)));
      assert.equal(established(a) + established(b), 0);
      assert.deepEqual(b.received, []);
    } finally {
      await closeAll();
    }
  });

  it("cannot complete a handshake by renaming the acceptor, and the acceptor's proof never leaves it", async () => {
    try {
      const b = await node({ sharedSecret: SECRET });
      const a = await node({ sharedSecret: SECRET });
      const seenDown: Frame[] = [];
      let port = 0;
      // Rewrites the acceptor's hello to name the relay, so the dialer goes on and proves itself.
      port = await relay(
        () => b.transport.systemPath.port,
        () => {
          const downDecoder = new FrameDecoder(1 << 20);
          return (direction, chunk) => {
            if (direction === 'up') return chunk;
            const frames: Frame[] = [];
            downDecoder.push(chunk, (frame) => frames.push(frame));
            seenDown.push(...frames);
            return encodeFrames(
              frames.map((frame) =>
                frame.kind === 'hello'
                  ? { ...frame, system: new SystemPath('tcp', '127.0.0.1', port) }
                  : frame,
              ),
            );
          };
        },
      );
      send(a, new NamedPath(new SystemPath('tcp', '127.0.0.1', port), ['actor']), 1);
      await waitFor(() => a.lost.length === 1, 'the frame reported lost');
      assert.equal(established(a) + established(b), 0);
      assert.deepEqual(b.received, []);
      assert.ok(b.transport.stats().failedHandshakes > 0);
      assert.ok(seenDown.length > 0);
      assert.ok(
        seenDown.every((frame) => frame.kind !== 'hello-ack'),
        `the acceptor sent: ${seenDown.map((frame) => frame.kind).join(', ')}`,
      );
    } finally {
      await closeAll();
    }
  });

  it('refuses a data frame a relay injects before the dialer has proved the secret', async () => {
    try {
      const a = await node({ sharedSecret: SECRET });
      const bPort = await freePort();
      let injected = 0;
      const port = await relay(
        () => bPort,
        () => {
          let isInjected = false;
          return (direction, chunk) => {
            if (direction === 'down' || isInjected) return chunk;
            isInjected = true;
            injected++;
            // Right after the dialer's hello, a data frame that claims to come from the dialer.
            const forged = dataFrame(SER_ID, a.actor, new NamedPath(a.actor.system, ['x']), Buffer.alloc(4));
            return Buffer.concat([chunk, encodeFrames([forged])]);
          };
        },
      );
      // The acceptor is reached through the relay (it advertises the relay's port), as behind a port
      // forward: only the injection tells these connections apart from good ones.
      const b = await node({ sharedSecret: SECRET, port: bPort, advertisedPort: port });
      send(a, new NamedPath(b.transport.systemPath, ['actor']), 1);
      await waitFor(() => a.lost.length === 1, 'the frame reported lost');
      assert.ok(injected > 0);
      assert.deepEqual(b.received, []);
      assert.equal(established(b), 0);
      assert.ok(b.logs.some((line) => line.msg.includes('unexpected data frame during the handshake')));
    } finally {
      await closeAll();
    }
  });
});

describe('TcpTransport admission', () => {
  it('refuses a new incoming connection from a blocked address', async () => {
    try {
      const b = await node();
      b.transport.blockIp('127.0.0.1');
      const peer = await rawDial(b.transport.systemPath.port);
      peer.socket.write(helloFrom(STRANGER, new Uint8Array(NONCE_BYTES)));
      await waitFor(peer.isClosed, 'the connection closed');
      assert.deepEqual(peer.frames, []);
      assert.equal(b.transport.stats().refusedConnections, 1);
      const a = await node();
      send(a, b.actor, 1);
      await waitFor(() => a.lost.length === 1, 'the frame reported lost');
      assert.deepEqual(b.received, []);
      b.transport.allowIp('127.0.0.1');
      send(a, b.actor, 2);
      await waitFor(() => b.received.length === 1, 'a frame once the address is allowed');
    } finally {
      await closeAll();
    }
  });

  it('lets a legitimate system in while idle raw sockets flood the connection limit, and logs one summary', async () => {
    try {
      const b = await node({
        maxIncomingConnections: 10,
        maxHandshakingConnections: 4,
        handshakeTimeoutMs: 30_000,
      });
      const flood: RawPeer[] = [];
      for (let i = 0; i < 20; i++) flood.push(await rawDial(b.transport.systemPath.port));
      await waitFor(
        () => flood.filter((peer) => peer.isClosed()).length === 16,
        'all but the newest 4 idle sockets closed',
      );
      const a = await node({ connectionRetryIntervalMs: 50, maxConnectionRetryAttempts: 40 });
      for (let n = 0; n < 100; n++) send(a, b.actor, n);
      await waitFor(() => b.received.length === 100, 'every message');
      assert.deepEqual(
        b.received.map((frame) => Buffer.from(frame.payload).readUInt32BE(0)),
        Array.from({ length: 100 }, (_, n) => n),
      );
      assert.deepEqual(a.lost, []);
      assert.ok(b.transport.stats().evictedHandshakes >= 17, JSON.stringify(b.transport.stats()));
      await b.transport.close();
      // One summary line (two if a 10 s interval ended during the test), none per connection.
      const loud = b.logs.filter((line) => line.level >= 40);
      assert.ok(loud.length >= 1 && loud.length <= 2, JSON.stringify(loud));
      assert.ok(
        loud.every((line) => line.msg.startsWith('Turned away')),
        JSON.stringify(loud),
      );
      assert.equal(
        loud.reduce((sum, line) => sum + (line.evicted ?? 0), 0),
        17,
        JSON.stringify(loud),
      );
    } finally {
      await closeAll();
    }
  });

  it('lets a TLS system in while raw sockets that never start TLS flood the connection limit', async (t) => {
    const made = selfSignedCertificate();
    if (made.kind !== 'made') {
      t.skip(made.reason);
      return;
    }
    try {
      const tls = { key: made.key, cert: made.cert, ca: made.cert };
      const b = await node({
        tls,
        maxIncomingConnections: 10,
        maxHandshakingConnections: 4,
        handshakeTimeoutMs: 30_000,
      });
      const flood: RawPeer[] = [];
      for (let i = 0; i < 20; i++) flood.push(await rawDial(b.transport.systemPath.port));
      await waitFor(
        () => flood.filter((peer) => peer.isClosed()).length === 16,
        'all but the newest 4 idle sockets closed',
      );
      const a = await node({ tls, connectionRetryIntervalMs: 50, maxConnectionRetryAttempts: 40 });
      for (let n = 0; n < 20; n++) send(a, b.actor, n);
      await waitFor(() => b.received.length === 20, 'every message');
      assert.deepEqual(a.lost, []);
      assert.ok(b.transport.stats().evictedHandshakes >= 17, JSON.stringify(b.transport.stats()));
      // Blocking the address also closes the sockets still in their TLS handshake.
      b.transport.blockIp('127.0.0.1');
      await waitFor(() => flood.every((peer) => peer.isClosed()), 'the pending TLS sockets closed');
      await b.transport.close();
      const loud = b.logs.filter((line) => line.level >= 40);
      assert.ok(
        loud.every((line) => line.msg.startsWith('Turned away')),
        JSON.stringify(loud),
      );
    } finally {
      await closeAll();
    }
  });

  it('closes a raw socket that declares an 8 MiB frame before its handshake, without waiting for it', async () => {
    try {
      const b = await node();
      for (const prefix of [Buffer.alloc(0), helloFrom(STRANGER, new Uint8Array(NONCE_BYTES))]) {
        const peer = await rawDial(b.transport.systemPath.port);
        const header = Buffer.alloc(5);
        header.writeUInt32BE(8 * 1024 * 1024, 0);
        header[4] = 3;
        // Only the header and a little of the body: the acceptor must not wait for the rest.
        peer.socket.write(Buffer.concat([prefix, header, Buffer.alloc(1024)]));
        await waitFor(peer.isClosed, 'the connection closed');
      }
      const tooLarge = b.logs.filter(
        (line) => line.err?.code === 'FRAME_TOO_LARGE' && line.msg.includes('handshake frame limit'),
      );
      assert.equal(tooLarge.length, 2, JSON.stringify(b.logs));
      assert.equal(b.transport.stats().failedHandshakes, 2);
    } finally {
      await closeAll();
    }
  });
});

describe('HandshakeThrottle', () => {
  it('refuses an address after the limit of failures in a window, for a backoff that doubles', () => {
    const throttle = new HandshakeThrottle(3, 1000, 100);
    assert.equal(throttle.recordFailure('10.0.0.1', 0), 0);
    assert.equal(throttle.recordFailure('10.0.0.1', 10), 0);
    assert.equal(throttle.recordFailure('10.0.0.1', 20), 100);
    assert.ok(throttle.isRefused('10.0.0.1', 119));
    assert.ok(!throttle.isRefused('10.0.0.1', 120));
    assert.ok(!throttle.isRefused('10.0.0.2', 50), 'other addresses are not refused');
    for (const at of [130, 140]) assert.equal(throttle.recordFailure('10.0.0.1', at), 0);
    assert.equal(throttle.recordFailure('10.0.0.1', 150), 200);
    assert.ok(throttle.isRefused('10.0.0.1', 349));
    // Failures spread wider than the window never add up to a refusal.
    assert.equal(throttle.recordFailure('10.0.0.3', 0), 0);
    assert.equal(throttle.recordFailure('10.0.0.3', 600), 0);
    assert.equal(throttle.recordFailure('10.0.0.3', 1200), 0);
    assert.equal(throttle.recordFailure('10.0.0.3', 1800), 0);
    // A quiet window after a refusal brings the backoff back to its start.
    for (const at of [5000, 5001]) assert.equal(throttle.recordFailure('10.0.0.1', at), 0);
    assert.equal(throttle.recordFailure('10.0.0.1', 5002), 100);
  });
});
