import { readdirSync, readFileSync } from 'node:fs';
import { ActorPath } from '../../../src/index.js';
import { CountdownLatch } from '../../infra/latch.js';
import { buildNetworkBenchSystem } from '../shared/kompact-system.js';
import { connectNoDelay, FrameReader, FrameWriter } from './baseline.js';
import { NetThroughputPinger, Run } from './kompact.js';
import { RemoteProcess } from './remote-process.js';

// B5b's pattern between this process (pingers) and a forked remote side (pongers or a raw echo), with
// how each process spent the run: on a CPU, runnable but waiting for one (the machine's other load), or
// idle (waiting for the other process), from /proc/<pid>/schedstat (Linux only), and the CPU time per
// round trip, which the load hardly changes:
// `node --expose-gc .build/bench/benchmarks/net/busy.js IMPL [PAIRS [PIPELINE [COUNT [RUNS]]]]`, IMPL
// `kompact-ts` or `raw-net-coalesced`, defaults 1 pair, pipeline 1,000, 100,000 round trips per pair,
// 3 runs. A process idle for much of a run waits for the other (they take turns); one near 100 % on a
// CPU limits the pair. Main thread, and all threads (the collector's helpers).

const impl = process.argv[2] ?? 'kompact-ts';
const pairs = Number(process.argv[3] ?? '1');
const pipeline = Number(process.argv[4] ?? '1000');
const count = Number(process.argv[5] ?? '100000');
const runs = Number(process.argv[6] ?? '3');

/** Nanoseconds on a CPU and runnable-waiting so far, of the main thread and of all threads. */
interface Sched {
  main: [number, number];
  all: [number, number];
}

function schedOf(pid: number): Sched {
  const read = (file: string): [number, number] => {
    const [run = 0, wait = 0] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    return [run, wait];
  };
  const all: [number, number] = [0, 0];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const [run, wait] = read(`/proc/${pid}/task/${task}/schedstat`);
      all[0] += run;
      all[1] += wait;
    } catch {
      // The thread ended meanwhile.
    }
  }
  return { main: read(`/proc/${pid}/schedstat`), all };
}

function describe(name: string, before: Sched, after: Sched, ms: number): string {
  const share = (key: 'main' | 'all', i: 0 | 1): string =>
    `${(((after[key][i] - before[key][i]) / 1e6 / ms) * 100).toFixed(0)} %`;
  const cpuPerRoundTrip = (after.main[0] - before.main[0]) / 1e3 / (count * pairs);
  return (
    `${name}: main thread on CPU ${share('main', 0)}, runnable ${share('main', 1)}; all threads on CPU ` +
    `${share('all', 0)}, runnable ${share('all', 1)}; ${cpuPerRoundTrip.toFixed(2)} µs CPU per round trip`
  );
}

/** Starts one run of `n` round trips per pair and resolves with its time in ms. */
type RunOnce = (n: number) => Promise<number>;

async function kompactSide(remote: RemoteProcess): Promise<{ runOnce: RunOnce; close: () => Promise<void> }> {
  const system = await buildNetworkBenchSystem();
  const pongers = Array.from({ length: pairs }, (_, i) => ActorPath.parse(`${remote.address}/ponger-${i}`));
  const runOnce: RunOnce = async (n) => {
    const pingers = pongers.map((ponger) => system.create(() => new NetThroughputPinger(ponger, pipeline)));
    await Promise.all(pingers.map((pinger) => system.startNotify(pinger)));
    const latch = new CountdownLatch(pingers.length);
    const started = performance.now();
    for (const pinger of pingers) pinger.actorRef().tell(new Run(latch, n));
    await latch.promise;
    const ms = performance.now() - started;
    await Promise.all(pingers.map((pinger) => system.killNotify(pinger)));
    return ms;
  };
  return { runOnce, close: () => system.shutdown() };
}

async function rawSide(remote: RemoteProcess): Promise<{ runOnce: RunOnce; close: () => Promise<void> }> {
  const socket = await connectNoDelay(remote.address);
  const writer = new FrameWriter(socket, 'coalesced');
  const reader = new FrameReader();
  let sent: number[] = [];
  let received: number[] = [];
  let goal = 0;
  let latch = new CountdownLatch(1);
  const onFrame = (pair: number): void => {
    const got = ++(received[pair] as number);
    if ((sent[pair] as number) < goal) writer.send(pair, (sent[pair] as number)++);
    else if (got === goal) latch.countDown();
  };
  socket.on('data', (chunk: Buffer) => {
    reader.push(chunk, onFrame);
    writer.flush();
  });
  const runOnce: RunOnce = async (n) => {
    goal = n;
    sent = new Array<number>(pairs).fill(0);
    received = new Array<number>(pairs).fill(0);
    latch = new CountdownLatch(pairs);
    const started = performance.now();
    for (let pair = 0; pair < pairs; pair++) {
      while ((sent[pair] as number) < Math.min(pipeline, n)) writer.send(pair, (sent[pair] as number)++);
    }
    writer.flush();
    await latch.promise;
    return performance.now() - started;
  };
  return { runOnce, close: async () => void socket.destroy() };
}

if (impl !== 'kompact-ts' && impl !== 'raw-net-coalesced') {
  throw new TypeError(`Expected IMPL to be kompact-ts or raw-net-coalesced, got ${impl}`);
}
const remote = await RemoteProcess.start({
  implementation: impl,
  aliases: Array.from({ length: pairs }, (_, i) => `ponger-${i}`),
});
try {
  const remotePid = remote.pid as number;
  const side = impl === 'kompact-ts' ? await kompactSide(remote) : await rawSide(remote);
  try {
    await side.runOnce(Math.min(count, 20_000));
    for (let run = 0; run < runs; run++) {
      globalThis.gc?.();
      await remote.collectGarbage();
      await side.runOnce(Math.min(count, 4_000));
      const before = [schedOf(process.pid), schedOf(remotePid)] as const;
      const ms = await side.runOnce(count);
      const after = [schedOf(process.pid), schedOf(remotePid)] as const;
      const msgsPerSecond = (2 * count * pairs) / ms / 1e3;
      console.log(`${impl}, ${pairs} pair(s), pipeline ${pipeline}: ${msgsPerSecond.toFixed(3)} M msgs/s`);
      console.log(`  ${describe('pingers', before[0], after[0], ms)}`);
      console.log(`  ${describe('pongers', before[1], after[1], ms)}`);
    }
  } finally {
    await side.close();
  }
} finally {
  await remote.stop();
}
