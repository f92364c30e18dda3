// The unstable counter, durable: the counter of unstable-counter.ts (a u8 count that overflows and
// crashes its component), but its snapshot each second goes to a SQLite database with
// `ctx.snapshots.save` instead of into the closure of a recovery function. So the count survives not
// only a fault of the component but the death of the process: killed with SIGKILL and started again,
// the counter resumes from the last durable snapshot, not from zero.
//
// The demo (one kill and restart of a child process, about three seconds):
//   node .build/examples/durable-counter.js
// One process counting into a database until Ctrl-C (run it again to see it resume):
//   node .build/examples/durable-counter.js run state.db
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { ComponentDefinition, defaultLogger, KompactConfig, type ScheduledTimer } from '../src/index.js';
import { sqliteSnapshotStore } from '../src/sqlite/index.js';
import { runIfMain } from './support/run-if-main.js';
import { untilSignal } from './support/until-signal.js';

export const COUNT_TIMEOUT_MS = 10;
export const STATE_TIMEOUT_MS = 1000;
/** The largest value of Rust's u8. */
export const U8_MAX = 255;
/** The key of the counter's snapshot. */
export const SNAPSHOT_KEY = 'durable-counter';

// #region counter
export class DurableCounter extends ComponentDefinition {
  private count = 0;
  private timers: ScheduledTimer[] = [];

  override async onStart(): Promise<void> {
    // The last durable snapshot: from before a fault of this component, or before the process died.
    const saved = await this.ctx.snapshots.load<number>(SNAPSHOT_KEY);
    this.count = saved ?? 0;
    this.ctx.log.info(
      { count: this.count, resumed: saved !== undefined },
      saved === undefined ? 'Starting from 0' : `Resuming from the durable snapshot count=${saved}`,
    );
    this.timers = [
      this.schedulePeriodic(COUNT_TIMEOUT_MS, COUNT_TIMEOUT_MS, () => this.handleCountTimeout()),
      this.schedulePeriodic(STATE_TIMEOUT_MS, STATE_TIMEOUT_MS, () => this.handleStateTimeout()),
    ];
    // The replacement reads the store itself: the recovery function needs no state of its own.
    this.ctx.setRecoveryFunction((fault) =>
      fault.recoverWith((_fault, system) => system.start(system.create(() => new DurableCounter()))),
    );
  }

  override onKill(): void {
    for (const timer of this.timers) this.cancelTimer(timer);
  }

  private handleCountTimeout(): void {
    if (this.count === U8_MAX) throw new Error('Count overflowed!');
    this.count += 1;
  }

  /** Saves the count; the component waits (blocked) until it is durable, and faults if it cannot be. */
  private async handleStateTimeout(): Promise<void> {
    const count = this.count;
    await this.ctx.snapshots.save(SNAPSHOT_KEY, count);
    this.ctx.log.info({ count, saved: true }, `Saved count=${count} durably`);
  }
}
// #endregion counter

// #region run
/** Counts into the database `file` until SIGINT or SIGTERM, then shuts down (pending saves committed). */
export async function run(file: string, logger: Logger): Promise<void> {
  const system = await KompactConfig.default()
    .logger(logger)
    .snapshotStore(await sqliteSnapshotStore(file))
    .build();
  system.start(system.create(() => new DurableCounter()));
  logger.info(`Got ${await untilSignal()}, shutting down`);
  await system.shutdown();
}
// #endregion run

/** One run of the counter in a child process, whose JSON log lines are read as they come. */
class CounterProcess {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #waiters: ((line: Record<string, unknown>) => boolean)[] = [];

  constructor(file: string, label: string, logger: Logger) {
    const script = fileURLToPath(import.meta.url);
    this.#child = spawn(process.execPath, [script, 'run', file], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, KOMPACT_LOG_FORMAT: 'json', KOMPACT_LOG_LEVEL: 'info' },
    });
    this.#exited = new Promise((resolve) => this.#child.once('close', () => resolve()));
    createInterface({ input: this.#child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return;
      }
      logger.info(`[${label}, pid ${this.#child.pid}] ${String(line.msg)}`);
      this.#waiters = this.#waiters.filter((waiter) => !waiter(line));
    });
  }

  /** The first line from now on that `matches`; rejects if the process ends first. */
  next(matches: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      this.#waiters.push((line) => {
        if (!matches(line)) return false;
        resolve(line);
        return true;
      });
      void this.#exited.then(() => reject(new Error('The counter process ended before the expected line')));
    });
  }

  /** Sends `signal` and resolves once the process has ended. */
  async end(signal: NodeJS.Signals): Promise<void> {
    this.#child.kill(signal);
    await this.#exited;
  }
}

// #region main
/** The demo: a counter process saves its count, is killed with SIGKILL, and a new one resumes from it. */
export async function main(
  logger: Logger = defaultLogger(),
): Promise<{ savedBeforeKill: number; resumedFrom: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'kompact-durable-counter-'));
  const file = join(dir, 'state.db');
  try {
    const first = new CounterProcess(file, 'first process', logger);
    const saved = await first.next((line) => line.saved === true);
    await first.end('SIGKILL');
    const savedBeforeKill = saved.count as number;
    logger.info(`Killed the first process with SIGKILL after it saved count=${savedBeforeKill}`);

    const second = new CounterProcess(file, 'second process', logger);
    const resumed = await second.next((line) => typeof line.resumed === 'boolean');
    await second.next((line) => line.saved === true);
    await second.end('SIGTERM');
    const resumedFrom = resumed.count as number;
    logger.info(`The restarted process resumed from count=${resumedFrom}, not from 0`);
    return { savedBeforeKill, resumedFrom };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
// #endregion main

runIfMain(import.meta.url, () => {
  const [mode, file] = process.argv.slice(2);
  if (mode === undefined) return main();
  if (mode === 'run' && file !== undefined) {
    return run(file, defaultLogger({ destination: process.stdout }));
  }
  throw new TypeError('Usage: durable-counter.js [run DATABASE_FILE]');
});
