// Network input a system cannot act on: data frames addressed to a path of another system are never
// delivered locally (the peer is a raw loopback socket doing the handshake by hand, so it can write
// frames a kompact-ts system would never build), and status requests it cannot carry out are logged.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { describe, it } from 'node:test';
import {
  ComponentDefinition,
  type DeadLetter,
  type NetMessage,
  NetworkStatusPort,
  Serialisers,
  SystemPath,
} from '../src/index.js';
import { dataFrame, encodeFrames, FrameDecoder, NONCE_BYTES, PROTOCOL_VERSION } from '../src/net/index.js';
import { NamedPath } from '../src/paths/actor-path.js';
import { serialiseToBytes } from '../src/serialisation/index.js';
import { type CapturedLog, captureLogs, withSystem } from '../src/testing/index.js';
import { ERROR, WARN } from './support/logs.js';
import { startNamedProbe } from './support/probes.js';

/** Rejects with `what` unless `promise` settles within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Dials `port` on 127.0.0.1 as the system `self`, completes the dialer's half of the handshake by
 * hand (no shared secret), then writes `frames`.
 */
function dialAndSend(port: number, self: SystemPath, frames: Buffer): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.write(
        encodeFrames([
          {
            kind: 'hello',
            version: PROTOCOL_VERSION,
            system: self,
            nonce: new Uint8Array(NONCE_BYTES),
            proof: undefined,
          },
        ]),
      );
    });
    socket.on('error', reject);
    const decoder = new FrameDecoder(1 << 20);
    socket.on('data', (chunk) =>
      decoder.push(chunk, (frame) => {
        if (frame.kind === 'hello') {
          socket.write(Buffer.concat([encodeFrames([{ kind: 'hello-ack', proof: undefined }]), frames]));
          resolve(socket);
        }
      }),
    );
  });
}

describe('frames received from a peer', () => {
  it('never delivers a frame whose receiver names another system: it is a misaddressed dead letter', async () => {
    await withSystem(
      async (system) => {
        const target = await startNamedProbe(system, 'x');
        const letters: DeadLetter[] = [];
        system.deadLetters.subscribe((letter) => letters.push(letter));
        const peer = new SystemPath('tcp', '127.0.0.1', 9);
        const sender = new NamedPath(peer, ['raw']);
        const payload = (text: string): Uint8Array => serialiseToBytes(Serialisers.string, text);
        const own = system.systemPath();
        // Same alias, other systems: another loopback host, another port, another transport.
        const strangers = [
          new SystemPath('tcp', '127.0.0.2', 9),
          new SystemPath('tcp', own.host, own.port + 1 > 65535 ? own.port - 1 : own.port + 1),
          new SystemPath('local', own.host, own.port),
        ];
        const frames = [
          ...strangers.map((stranger, i) =>
            dataFrame(
              Serialisers.string.serId,
              sender,
              new NamedPath(stranger, ['x']),
              payload(`stranger ${i}`),
            ),
          ),
          dataFrame(Serialisers.string.serId, sender, new NamedPath(own, ['x']), payload('mine')),
        ];
        const socket = await within(
          dialAndSend(own.port, peer, encodeFrames(frames)),
          10_000,
          'the handshake',
        );
        try {
          await within(target.probe.waitFor(1), 10_000, 'delivery of the frame for this system');
          assert.deepEqual(target.probe.texts, ['mine'], 'only the frame naming this system was delivered');
          assert.deepEqual(
            letters.map((l) => [l.path?.toString(), l.reason]),
            strangers.map((stranger) => [`${stranger.toString()}/x`, 'misaddressed']),
          );
          assert.equal(
            (letters[0]?.message as NetMessage | undefined)?.tryDeserialise(Serialisers.string),
            'stranger 0',
          );
          assert.match(
            letters[0]?.detail ?? '',
            /tcp:\/\/127\.0\.0\.1:9 sent a message for tcp:\/\/127\.0\.0\.2:9 to tcp:\/\/127\.0\.0\.1:\d+/,
          );
        } finally {
          socket.destroy();
        }
      },
      (config) => config.network(),
    );
  });

  it('tells this system from others per frame, whatever came before (mine, strangers, mine, a stranger)', async () => {
    await withSystem(
      async (system) => {
        const target = await startNamedProbe(system, 'x');
        const letters: DeadLetter[] = [];
        system.deadLetters.subscribe((letter) => letters.push(letter));
        const peer = new SystemPath('tcp', '127.0.0.1', 9);
        const sender = new NamedPath(peer, ['raw']);
        const own = system.systemPath();
        const stranger = new SystemPath('tcp', own.host, own.port + 1 > 65535 ? own.port - 1 : own.port + 1);
        const to = (where: SystemPath, text: string) =>
          dataFrame(
            Serialisers.string.serId,
            sender,
            new NamedPath(where, ['x']),
            serialiseToBytes(Serialisers.string, text),
          );
        const frames = [
          to(own, 'mine 1'),
          to(stranger, 'stranger 1'),
          to(own, 'mine 2'),
          to(stranger, 'stranger 2'),
          to(own, 'mine 3'),
        ];
        const socket = await within(
          dialAndSend(own.port, peer, encodeFrames(frames)),
          10_000,
          'the handshake',
        );
        try {
          await within(target.probe.waitFor(3), 10_000, 'delivery of the frames for this system');
          assert.deepEqual(target.probe.texts, ['mine 1', 'mine 2', 'mine 3']);
          assert.deepEqual(
            letters.map((l) => [
              (l.message as NetMessage | undefined)?.tryDeserialise(Serialisers.string),
              l.reason,
            ]),
            [
              ['stranger 1', 'misaddressed'],
              ['stranger 2', 'misaddressed'],
            ],
          );
        } finally {
          socket.destroy();
        }
      },
      (config) => config.network(),
    );
  });
});

/** Polls `lines` until one satisfies `match`, failing with `what` after 10 s. */
async function logged(
  lines: CapturedLog[],
  match: (line: CapturedLog) => boolean,
  what: string,
): Promise<CapturedLog> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = lines.find(match);
    if (line !== undefined) return line;
    assert.ok(Date.now() < deadline, `${what} was not logged within 10 s: ${JSON.stringify(lines)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

class StatusUser extends ComponentDefinition {
  readonly status = this.requirePort(NetworkStatusPort, () => {});
}

describe('network status requests that cannot be carried out', () => {
  it('logs and ignores a request on a system without a network', async () => {
    const { logger, lines } = captureLogs('warn');
    await withSystem(
      async (system) => {
        const user = system.create(() => new StatusUser());
        await system.startNotify(user);
        system.connectNetworkStatusPort(user.onDefinition((d) => d.status));
        user
          .onDefinition((d) => d.status)
          .trigger({ kind: 'connect-system', system: new SystemPath('tcp', '127.0.0.1', 9) });
        const line = await logged(
          lines,
          (l) =>
            l.level === WARN && l.msg === 'Network status request on a system without a network; ignored',
          'the ignored request',
        );
        assert.equal(line.request, 'connect-system');
        assert.ok(user.isActive());
      },
      (config) => config.logger(logger),
    );
  });

  it('logs a malformed request as an error and keeps the network running', async () => {
    const { logger, lines } = captureLogs('warn');
    await withSystem(
      async (system) => {
        const user = system.create(() => new StatusUser());
        await system.startNotify(user);
        system.connectNetworkStatusPort(user.onDefinition((d) => d.status));
        user.onDefinition((d) => d.status).trigger({ kind: 'block-ip', address: 'not an ip' });
        const line = await logged(
          lines,
          (l) => l.level === ERROR && l.msg.startsWith('Invalid network status request: '),
          'the invalid request',
        );
        assert.equal(line.request, 'block-ip');
        assert.ok(user.isActive());
        assert.equal(system.systemPath().transport, 'tcp');
      },
      (config) => config.network().logger(logger),
    );
  });
});
