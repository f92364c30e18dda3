import { type Benchmark, type Measurement, measure, SMOKE_POLICY } from '../../../infra/harness.js';
import { fibonacciActorCount } from '../../fibonacci/params.js';
import type { PingPongParams } from '../../pingpong/params.js';
import type { ThroughputPingPongParams } from '../../throughput-pingpong/params.js';
import { PEER_NAMES, type PeerName, peerLoaders, peerMemory, peerNotes } from './index.js';
import { CRASH_LOOP_FAULTS, FIBONACCI_N, IDLE_ACTORS } from './params.js';
import { type CrashLoopBenchmark, percentile } from './support.js';

// Runs every peer implementation once at smoke size through `measure()` with SMOKE_POLICY and prints
// what it measured; exits 1 if any implementation failed its own result check or did not finish.
//
//   node --expose-gc .build/bench/benchmarks/shared/peers/check.js [--only B1|B2|B3|B6|memory] [--peer NAME] [--idle N]
//
// All in one process, so the numbers are cold and only say that each implementation works; the suite
// measures each point warm, in a fresh process.

const TIMEOUT_MS = 120_000;

interface Options {
  readonly only: string | undefined;
  readonly peer: PeerName | undefined;
  readonly idle: number;
}

function parseOptions(argv: readonly string[]): Options {
  let only: string | undefined;
  let peer: PeerName | undefined;
  let idle: number = IDLE_ACTORS.full;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--only' && value !== undefined) {
      only = value;
      i++;
    } else if (flag === '--peer' && value !== undefined) {
      const name = PEER_NAMES.find((candidate) => candidate === value);
      if (name === undefined) throw new Error(`Unknown peer \`${value}\`; peers: ${PEER_NAMES.join(', ')}`);
      peer = name;
      i++;
    } else if (flag === '--idle' && value !== undefined) {
      idle = Number(value);
      if (!Number.isSafeInteger(idle) || idle < 1) throw new Error(`Expected --idle N ≥ 1, got \`${value}\``);
      i++;
    } else {
      throw new Error(`Unknown argument \`${flag}\``);
    }
  }
  return { only, peer, idle };
}

function withTimeout<T>(promise: Promise<T>, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${label} did not finish within ${TIMEOUT_MS / 1000} s`)),
      TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const millions = (perSecond: number): string => `${(perSecond / 1e6).toFixed(3)} M`;

let failures = 0;

async function check<P>(
  benchmark: string,
  peer: PeerName,
  load: () => Promise<Benchmark<P>>,
  params: P,
  describe: (ms: number, instance: Benchmark<P>) => string,
): Promise<void> {
  const label = `${benchmark} ${peer.padEnd(17)} ${JSON.stringify(params)}`;
  try {
    const instance = await load();
    const measurement: Measurement = await withTimeout(measure(instance, params, SMOKE_POLICY), label);
    const ms = measurement.summary.median;
    console.log(`ok   ${label.padEnd(100)} ${ms.toFixed(1).padStart(8)} ms  ${describe(ms, instance)}`);
  } catch (error) {
    failures++;
    console.log(`FAIL ${label}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

function peersOf(loaders: Readonly<Partial<Record<PeerName, unknown>>>, options: Options): PeerName[] {
  return PEER_NAMES.filter((peer) => loaders[peer] !== undefined && (options.peer ?? peer) === peer);
}

function printNotes(benchmark: string, options: Options): void {
  for (const [peer, note] of Object.entries(peerNotes[benchmark] ?? {})) {
    if ((options.peer ?? peer) === peer) console.log(`n/a  ${benchmark} ${peer.padEnd(17)} ${note}`);
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const wants = (id: string): boolean => options.only === undefined || options.only === id;
  console.log(`Node ${process.version}; smoke sizes; one cold iteration per line (SMOKE_POLICY)`);

  if (wants('B1')) {
    const params: PingPongParams = { n: 20_000 };
    for (const peer of peersOf(peerLoaders.B1, options)) {
      await check(
        'B1',
        peer,
        peerLoaders.B1[peer]!,
        params,
        (ms) => `${millions((2 * params.n) / (ms / 1000))} msgs/s`,
      );
    }
    printNotes('B1', options);
  }

  if (wants('B2')) {
    for (const staticOnly of [false, true]) {
      for (const pairs of [1, 8]) {
        const params: ThroughputPingPongParams = { msgsPerPair: 10_000, pipeline: 500, pairs, staticOnly };
        const messages = 2 * params.msgsPerPair * params.pairs;
        for (const peer of peersOf(peerLoaders.B2, options)) {
          await check(
            'B2',
            peer,
            peerLoaders.B2[peer]!,
            params,
            (ms) => `${millions(messages / (ms / 1000))} msgs/s`,
          );
        }
      }
    }
    printNotes('B2', options);
  }

  if (wants('B3')) {
    for (const n of FIBONACCI_N.smoke) {
      const actors = fibonacciActorCount(n);
      for (const peer of peersOf(peerLoaders.B3, options)) {
        await check(
          'B3',
          peer,
          peerLoaders.B3[peer]!,
          { n },
          (ms) => `${millions(actors / (ms / 1000))} actors/s (${actors} actors)`,
        );
      }
    }
    printNotes('B3', options);
  }

  if (wants('B6')) {
    const faults = CRASH_LOOP_FAULTS.smoke;
    for (const peer of peersOf(peerLoaders.B6, options)) {
      await check<{ readonly faults: number }>(
        'B6',
        peer,
        peerLoaders.B6[peer]!,
        { faults },
        (ms, instance) => {
          const latencies = (instance as CrashLoopBenchmark).latenciesUs;
          const p50 = percentile(latencies, 0.5).toFixed(1);
          const p99 = percentile(latencies, 0.99).toFixed(1);
          return `${Math.round(faults / (ms / 1000))} faults/s, restart p50 ${p50} µs, p99 ${p99} µs`;
        },
      );
    }
    printNotes('B6', options);
  }

  if (wants('memory')) {
    for (const peer of PEER_NAMES.filter((name) => (options.peer ?? name) === name)) {
      const label = `mem  ${peer.padEnd(17)} ${options.idle} idle actors`;
      try {
        const started = performance.now();
        const bytes = await withTimeout(peerMemory[peer](options.idle), label);
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        console.log(`ok   ${label.padEnd(100)} ${bytes.toFixed(0).padStart(8)} B/actor (${seconds} s)`);
      } catch (error) {
        failures++;
        console.log(
          `FAIL ${label}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      }
    }
  }
}

await main();
console.log(failures === 0 ? 'all peer implementations passed' : `${failures} failed`);
// Exit explicitly: a handle a peer library leaked must not keep the check alive.
process.exit(failures === 0 ? 0 : 1);
