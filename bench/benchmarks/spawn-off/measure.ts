// spawnOff measurements, standalone (not in the catalogue: it measures the event loop's lateness,
// not a rate, and needs as many free cores as workers to mean anything):
//
//   npm run compile && node .build/bench/benchmarks/spawn-off/measure.js [--tasks 2] [--task-ms 1000] [--round-trips 5000]
//
// 1. Timer lateness: a component's 2 ms periodic timer records how late each tick is while `tasks`
//    CPU-bound tasks of `task-ms` each run, (a) off the loop with ctx.spawnOff on the pool, and
//    (b) inline, in the component's handlers (the same function, on the event loop).
// 2. Round trip: one tiny task at a time (await, then the next), through system.spawnOff, through
//    ctx.spawnOff awaited in a handler, and through Piscina.run directly with the same pool options.
import { parseArgs } from 'node:util';
import { Piscina } from 'piscina';
import { ComponentDefinition, type HandlerReturn, KompactConfig, offTask } from '../../../src/index.js';
import { percentile } from '../../infra/stats.js';
import { echo as echoInline, spin as spinInline } from './tasks.js';

type Tasks = typeof import('./tasks.js');
const TASKS = new URL('./tasks.js', import.meta.url);
const spin = offTask<Tasks['spin']>(TASKS, 'spin');
const echo = offTask<Tasks['echo']>(TASKS, 'echo');

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '2' },
    'task-ms': { type: 'string', default: '1000' },
    'round-trips': { type: 'string', default: '5000' },
  },
});
const TASK_COUNT = Number(values.tasks);
const TASK_MS = Number(values['task-ms']);
const ROUND_TRIPS = Number(values['round-trips']);
const PERIOD_MS = 2;

type Work =
  | { readonly kind: 'off' | 'inline'; readonly done: () => void }
  | { readonly kind: 'echo'; readonly n: number; readonly done: (n: number) => void };

/** A timer ticking every 2 ms, recording how late each tick is, and the work it is given. */
class Ticker extends ComponentDefinition<Work> {
  readonly lateMs: number[] = [];
  #due = 0;

  override onStart(): void {
    this.#due = performance.now() + PERIOD_MS;
    this.schedulePeriodic(PERIOD_MS, PERIOD_MS, () => {
      const now = performance.now();
      this.lateMs.push(Math.max(0, now - this.#due));
      this.#due = now + PERIOD_MS;
    });
  }

  override receiveLocal(work: Work): HandlerReturn {
    switch (work.kind) {
      case 'off':
        this.ctx.spawnLocal(async () => {
          await this.ctx.spawnOff(spin, TASK_MS);
          work.done();
        });
        return;
      case 'inline':
        spinInline(TASK_MS);
        work.done();
        return;
      case 'echo':
        return (async () => {
          work.done(await this.ctx.spawnOff(echo, work.n));
        })();
    }
  }
}

function summary(samples: readonly number[]): string {
  if (samples.length === 0) return 'no tick at all';
  const at = (p: number) => percentile(samples, p).toFixed(2);
  return `ticks ${samples.length}, late p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`;
}

async function lateness(kind: 'off' | 'inline'): Promise<string> {
  const system = await KompactConfig.default()
    .logLevel('silent')
    .setValue('kompact.runtime.threads', TASK_COUNT)
    .build();
  try {
    const ticker = system.create(() => new Ticker());
    await system.startNotify(ticker);
    // Threads started and the task module loaded before the measured window.
    await Promise.all(Array.from({ length: TASK_COUNT }, () => system.spawnOff(spin, 20)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const from = ticker.onDefinition((t) => t.lateMs.length);
    const started = performance.now();
    await Promise.all(
      Array.from(
        { length: TASK_COUNT },
        () => new Promise<void>((done) => ticker.actorRef().tell({ kind, done })),
      ),
    );
    const wallMs = performance.now() - started;
    // The ticks the work held back come due once it is over: they count too.
    await new Promise((resolve) => setTimeout(resolve, 5 * PERIOD_MS));
    const samples = ticker.onDefinition((t) => t.lateMs.slice(from));
    return `${kind === 'off' ? 'spawnOff' : 'inline  '}: ${TASK_COUNT} × ${TASK_MS} ms in ${wallMs.toFixed(0)} ms; ${summary(samples)}`;
  } finally {
    await system.shutdown();
  }
}

async function roundTrips(): Promise<string[]> {
  const system = await KompactConfig.default()
    .logLevel('silent')
    .setValue('kompact.runtime.threads', 1)
    .build();
  const lines: string[] = [];
  try {
    const time = async (label: string, once: (i: number) => Promise<number>): Promise<void> => {
      for (let i = 0; i < 500; i++) await once(i);
      const started = performance.now();
      for (let i = 0; i < ROUND_TRIPS; i++)
        if ((await once(i)) !== i) throw new Error(`${label}: wrong answer`);
      lines.push(
        `${label}: ${(((performance.now() - started) / ROUND_TRIPS) * 1000).toFixed(1)} µs per round trip`,
      );
    };
    const pool = new Piscina({
      filename: TASKS.href,
      name: 'echo',
      minThreads: 0,
      maxThreads: 1,
      idleTimeout: 30_000,
    });
    try {
      await time('Piscina.run (raw)       ', (i) => pool.run(i) as Promise<number>);
    } finally {
      await pool.destroy();
    }
    await time('system.spawnOff         ', (i) => system.spawnOff(echo, i));
    const ticker = system.create(() => new Ticker());
    await system.startNotify(ticker);
    await time(
      'ctx.spawnOff in handler ',
      (n) => new Promise<number>((done) => ticker.actorRef().tell({ kind: 'echo', n, done })),
    );
    await time('inline call (reference) ', async (i) => echoInline(i));
  } finally {
    await system.shutdown();
  }
  return lines;
}

console.log(`node ${process.version}, ${(await import('node:os')).availableParallelism()} cores available`);
console.log(await lateness('off'));
console.log(await lateness('inline'));
for (const line of await roundTrips()) console.log(line);
