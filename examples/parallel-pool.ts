// Fibonacci on every core: a pool of worker systems (one per core by default), one path that reaches
// one of them per message, and a collector in the parent that sends every question to that path and
// gathers the answers.
//
//   node .build/examples/parallel-pool.js
import type { Logger } from 'pino';
import {
  type ActorPath,
  ComponentDefinition,
  defaultLogger,
  type HandlerReturn,
  KompactConfig,
  type NetMessage,
  Serialisers,
} from '../src/index.js';
import { runIfMain } from './support/run-if-main.js';

/** Sends every question (all different) to `pool` and resolves `done` with the answers once all came. */
class Collector extends ComponentDefinition {
  private readonly answers = new Map<number, number>();

  constructor(
    private readonly pool: ActorPath,
    private readonly questions: readonly number[],
    private readonly done: (answers: Map<number, number>) => void,
  ) {
    super();
  }

  override onStart(): HandlerReturn {
    for (const n of this.questions) this.pool.tell(n, this);
  }

  override receiveNetwork(msg: NetMessage): HandlerReturn {
    const [n, value] = msg.tryDeserialise(Serialisers.string).split(':').map(Number);
    this.answers.set(n as number, value as number);
    if (this.answers.size === this.questions.length) this.done(this.answers);
  }
}

/**
 * Spawns a pool of `count` workers (default: `kompact.runtime.threads`, one per core), asks it fib(n)
 * for every n of `questions`, logs the answers and the time taken, and returns the answers.
 */
export async function main(
  logger: Logger = defaultLogger(),
  questions: readonly number[] = [27, 28, 29, 30, 31, 32, 33, 34],
  count?: number,
): Promise<Map<number, number>> {
  const system = await KompactConfig.default().label('parallel-pool').logger(logger).build();
  try {
    // #region pool
    const pool = await system.spawnWorkers(new URL('./fibonacci-worker.js', import.meta.url), {
      ...(count === undefined ? {} : { count }),
    });
    const started = performance.now();
    const answers = await new Promise<Map<number, number>>((resolve) => {
      const collector = system.create(() => new Collector(pool.selectPath('fib'), questions, resolve));
      system.start(collector);
    });
    // #endregion pool
    const ms = Math.round(performance.now() - started);
    logger.info(
      { workers: pool.workers.length, answers: Object.fromEntries(answers) },
      `${questions.length} Fibonacci numbers on ${pool.workers.length} worker threads in ${ms} ms`,
    );
    return answers;
  } finally {
    await system.shutdown();
  }
}

runIfMain(import.meta.url, () => main());
