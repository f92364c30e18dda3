// Online guessing of the shared secret: one address opens connections as fast as it can for a few
// seconds, each completing the handshake with a wrong proof. Before the failed-proof backoff this
// tested 4,235 guesses per second; now the address gets `maxHandshakeFailures` (5) and is then
// refused on arrival. Run: npm run compile && node --test .build/test/soak/guess-rate.soak.js
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { it } from 'node:test';
import pino from 'pino';
import {
  encodeFrames,
  type Frame,
  FrameDecoder,
  NONCE_BYTES,
  PROTOCOL_VERSION,
  TcpTransport,
} from '../../src/net/index.js';
import { SystemPath } from '../../src/paths/system-path.js';

const SECONDS = 5;

/** One guess: `hello`, then a junk proof once the acceptor answers; resolves with what it got back. */
function guess(port: number): Promise<'tested' | 'refused'> {
  return new Promise((resolve) => {
    const frames: Frame[] = [];
    const decoder = new FrameDecoder(1 << 16);
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.write(
        encodeFrames([
          {
            kind: 'hello',
            version: PROTOCOL_VERSION,
            system: new SystemPath('tcp', '127.0.0.1', 9),
            nonce: new Uint8Array(randomBytes(NONCE_BYTES)),
            proof: undefined,
          },
        ]),
      );
    });
    socket.on('data', (chunk) =>
      decoder.push(chunk, (frame) => {
        frames.push(frame);
        if (frame.kind === 'hello') {
          socket.write(encodeFrames([{ kind: 'hello-ack', proof: new Uint8Array(randomBytes(32)) }]));
        }
      }),
    );
    socket.on('error', () => {});
    socket.on('close', () => resolve(frames.length > 0 ? 'tested' : 'refused'));
  });
}

it(`lets one address test only a handful of guesses in ${SECONDS} s`, async () => {
  const server = await TcpTransport.listen({
    sharedSecret: 'a shared secret of 32 characters',
    logger: pino({ level: 'silent' }),
  });
  try {
    let tested = 0;
    let refused = 0;
    const end = performance.now() + SECONDS * 1000;
    while (performance.now() < end) {
      if ((await guess(server.systemPath.port)) === 'tested') tested++;
      else refused++;
    }
    console.log(
      `${SECONDS} s of guessing from one address: ${tested} guesses tested (${(tested / SECONDS).toFixed(1)}/s), ` +
        `${refused} connections refused on arrival; stats ${JSON.stringify(server.stats())}`,
    );
    assert.ok(tested <= 10, `${tested} guesses tested`);
  } finally {
    await server.close();
  }
});
