import * as net from 'node:net';
import { ActorPath } from '../../../src/index.js';
import { CountdownLatch } from '../../infra/latch.js';
import { buildNetworkBenchSystem } from '../shared/kompact-system.js';
import { FrameReader, FrameWriter, listenRawEcho } from './baseline.js';
import { NetThroughputPinger, Run, startPongers } from './kompact.js';

// B5b with both sides in ONE process over loopback, for counting CPU work per message (both sides
// together) without a second process: `valgrind --tool=cachegrind --cache-sim=no
// --cachegrind-out-file=/dev/null node --single-threaded .build/bench/benchmarks/net/one-process.js
// IMPL N [PAIRS [PIPELINE]]` at two values of N (round trips per pair); the difference of the
// instruction counts / (ΔN × PAIRS) is the instructions per round trip (a ping and its pong, each
// serialised, framed, written, read, decoded and dispatched once; both sides counted). IMPL is
// `kompact-ts` or `raw-net-coalesced`; PAIRS and PIPELINE default to 4 and 1,000 (B5b's point).
// Batching depends on timing, so counts at small N vary: take N of 20,000 and 60,000.

const impl = process.argv[2] ?? 'kompact-ts';
const count = Number(process.argv[3] ?? '100000');
const pairs = Number(process.argv[4] ?? '4');
const pipeline = Number(process.argv[5] ?? '1000');

async function runKompact(): Promise<void> {
  const aliases = Array.from({ length: pairs }, (_, i) => `ponger-${i}`);
  const remote = await startPongers(aliases);
  const local = await buildNetworkBenchSystem();
  try {
    const pingers = aliases.map((alias) => {
      const ponger = ActorPath.parse(`${remote.systemPath().toString()}/${alias}`);
      return local.create(() => new NetThroughputPinger(ponger, pipeline));
    });
    await Promise.all(pingers.map((pinger) => local.startNotify(pinger)));
    const latch = new CountdownLatch(pingers.length);
    const run = new Run(latch, count);
    const started = performance.now();
    for (const pinger of pingers) pinger.actorRef().tell(run);
    await latch.promise;
    report(started);
  } finally {
    await local.shutdown();
    await remote.shutdown();
  }
}

async function runRaw(): Promise<void> {
  const server = await listenRawEcho('coalesced');
  const { port } = server.address() as net.AddressInfo;
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('connect', () => resolve(socket));
  });
  socket.setNoDelay(true);
  const writer = new FrameWriter(socket, 'coalesced');
  const reader = new FrameReader();
  const sent = new Array<number>(pairs).fill(0);
  const received = new Array<number>(pairs).fill(0);
  let finished = 0;
  const latch = new CountdownLatch(1);
  const onFrame = (pair: number): void => {
    const received_ = ++received[pair]!;
    if (sent[pair]! < count) writer.send(pair, sent[pair]!++);
    else if (received_ === count && ++finished === pairs) latch.countDown();
  };
  socket.on('data', (chunk: Buffer) => {
    reader.push(chunk, onFrame);
    writer.flush();
  });
  try {
    const started = performance.now();
    for (let pair = 0; pair < pairs; pair++) {
      while (sent[pair]! < Math.min(pipeline, count)) writer.send(pair, sent[pair]!++);
    }
    writer.flush();
    await latch.promise;
    report(started);
  } finally {
    socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

function report(started: number): void {
  const ms = performance.now() - started;
  const msgs = count * pairs;
  console.log(`${impl}: ${msgs} round trips in ${ms.toFixed(0)} ms (${((msgs / ms) * 1000).toFixed(0)}/s)`);
}

await (impl === 'kompact-ts' ? runKompact() : runRaw());
