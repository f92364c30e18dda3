// Memory before authentication: 200 raw connections each declare an 8 MiB frame before any handshake
// and stream its 8 MiB body. The server (in a process of its own) must close each one at its length
// bytes, without buffering the body. Before the handshake frame limit this server held 1.77 GB.
// Run: npm run compile && node --test .build/test/soak/pre-handshake-memory.soak.js
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { createInterface } from 'node:readline';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { within } from '../support/promises.js';

const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 200);
const FRAME_BYTES = 8 * 1024 * 1024;
/** Generous: Node's own footprint plus slack; the body of even one frame per connection is far above. */
const MAX_RSS_BYTES = 256 * 1024 * 1024;

/** Opens a socket that declares an 8 MiB data frame and writes its whole body; resolves when closed. */
function oversized(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      const header = Buffer.alloc(5);
      header.writeUInt32BE(FRAME_BYTES, 0);
      header[4] = 3;
      socket.write(header);
      const chunk = Buffer.alloc(64 * 1024);
      let written = 0;
      const pump = (): void => {
        while (written < FRAME_BYTES && !socket.destroyed) {
          written += chunk.length;
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
        socket.end();
      };
      pump();
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve());
  });
}

it(`keeps the server small while ${CONNECTIONS} strangers send 8 MiB frames before any handshake`, async () => {
  const script = fileURLToPath(new URL('./support/transport-server.js', import.meta.url));
  const child = spawn(process.execPath, ['--expose-gc', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const lines = createInterface({ input: child.stdout });
    const replies: ((line: string) => void)[] = [];
    lines.on('line', (line) => replies.shift()?.(line));
    const next = (): Promise<Record<string, unknown>> =>
      within(
        new Promise((resolve) =>
          replies.push((line) => resolve(JSON.parse(line) as Record<string, unknown>)),
        ),
        30_000,
        'the server',
      );
    const { port } = (await next()) as { port: number };
    const ask = async (): Promise<{ rss: number; maxRss: number }> => {
      const reply = next();
      child.stdin.write('rss\n');
      return (await reply) as { rss: number; maxRss: number };
    };
    const before = (await ask()).rss;
    const started = performance.now();
    let closed = 0;
    const allClosed = Promise.all(
      Array.from({ length: CONNECTIONS }, () => oversized(port).then(() => closed++)),
    );
    // Measured even when the connections hang (as they did before the limit), then asserted.
    await within(allClosed, 60_000, 'every connection to close').catch(() => {});
    const { rss: after, maxRss: peak } = await ask();
    const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);
    console.log(
      `${CONNECTIONS} connections × 8 MiB pre-handshake frames: server peak RSS ${mb(peak)} MB, ` +
        `${mb(after)} MB after (${mb(before)} MB before), ` +
        `${closed} of ${CONNECTIONS} closed in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    assert.ok(peak < MAX_RSS_BYTES, `server peak RSS ${mb(peak)} MB`);
    assert.equal(closed, CONNECTIONS, 'every connection was closed');
  } finally {
    child.stdin.write('exit\n');
    await within(new Promise((resolve) => child.once('exit', resolve)), 15_000, 'the server to exit').catch(
      () => child.kill('SIGKILL'),
    );
  }
});
