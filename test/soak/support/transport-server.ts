// A transport in a process of its own, so a soak test can read the server's memory alone: prints
// `{"port":…}` once listening; answers each `rss` line on stdin with `{"rss":…,"maxRss":…}` (bytes:
// now, after a garbage collection when --expose-gc is given, and the peak so far); closes on `exit`.
import { createInterface } from 'node:readline';
import pino from 'pino';
import { TcpTransport } from '../../../src/net/index.js';

const transport = await TcpTransport.listen({ logger: pino({ level: 'silent' }) });
console.log(JSON.stringify({ port: transport.systemPath.port }));
const gc = (globalThis as { gc?: () => void }).gc;
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'rss') {
    gc?.();
    const maxRss = process.resourceUsage().maxRSS * 1024;
    console.log(JSON.stringify({ rss: process.memoryUsage().rss, maxRss, stats: transport.stats() }));
  } else if (line === 'exit') {
    void transport.close().then(() => process.exit(0));
  }
});
