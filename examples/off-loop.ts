// Off-loop work with spawnOff: a calculator answers asks for Fibonacci numbers by running them on
// the system's worker pool, while its own 5 ms timer keeps ticking on the event loop, on time.
// Kompact: `spawn_off` (running a future on the system's thread pool, its result back in the component).
import type { Logger } from 'pino';
import { type Ask, ComponentDefinition, defaultLogger, KompactConfig, offTask } from '../src/index.js';
import { runIfMain } from './support/run-if-main.js';

// #region component
/** `fibonacci` of ./fibonacci-task.ts, compiled beside this file, typed as the function it names. */
const fibonacci = offTask<(n: number) => number>(
  new URL('./fibonacci-task.js', import.meta.url),
  'fibonacci',
);

export class Calculator extends ComponentDefinition<Ask<number, number>> {
  /** How often the timer ran, and its worst lateness: the event loop's responsiveness. */
  ticks = 0;
  worstLateMs = 0;
  #due = 0;

  override onStart(): void {
    this.#due = this.ctx.system().now() + 5;
    this.schedulePeriodic(5, 5, () => {
      const now = this.ctx.system().now();
      this.worstLateMs = Math.max(this.worstLateMs, now - this.#due);
      this.#due = now + 5;
      this.ticks++;
    });
  }

  override receiveLocal(ask: Ask<number, number>): void {
    // spawnLocal: the component handles its timer (and other asks) while the task runs.
    this.ctx.spawnLocal(async () => {
      ask.reply(await this.ctx.spawnOff(fibonacci, ask.request));
    });
  }
}
// #endregion component

// #region main
/** Asks for two Fibonacci numbers at once; returns them with the ticks the timer made meanwhile. */
export async function main(
  logger: Logger = defaultLogger(),
  n = 38,
): Promise<{ results: number[]; ticks: number; worstLateMs: number }> {
  const system = await KompactConfig.default().logger(logger).build();
  try {
    const calculator = system.create(() => new Calculator());
    await system.startNotify(calculator);
    const started = performance.now();
    const results = await Promise.all([calculator.actorRef().ask(n), calculator.actorRef().ask(n - 1)]);
    const { ticks, worstLateMs } = calculator.onDefinition((c) => ({
      ticks: c.ticks,
      worstLateMs: c.worstLateMs,
    }));
    logger.info(
      `fib(${n}) = ${results[0]} and fib(${n - 1}) = ${results[1]} in ${Math.round(performance.now() - started)} ms off the loop; ` +
        `meanwhile the 5 ms timer ticked ${ticks} times, at most ${worstLateMs.toFixed(1)} ms late`,
    );
    return { results, ticks, worstLateMs };
  } finally {
    await system.shutdown();
  }
}
// #endregion main

runIfMain(import.meta.url, main);
