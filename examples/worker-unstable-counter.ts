// The unstable counter inside a worker thread. The counter overflows and is recovered from its
// snapshot inside the worker, as in the remote example; and then the parent kills the worker's whole
// thread. The worker is spawned with `restart`, so a new thread runs the module again and the counter
// answers at the same path, while the parent keeps asking it every 20 ms throughout.
//
//   node .build/examples/worker-unstable-counter.js
import type { Logger } from 'pino';
import { ActorPath, defaultLogger, KompactConfig } from '../src/index.js';
import {
  COUNTER_ALIAS,
  type CountAnswer,
  CountAnswer as CountAnswerSerialiser,
  CountClient,
} from './remote-unstable-counter.js';
import { runIfMain } from './support/run-if-main.js';

/** What the parent saw: the answers before and after the thread was killed, and the thread ids. */
export interface WorkerCounterRun {
  readonly before: readonly CountAnswer[];
  readonly after: readonly CountAnswer[];
  readonly threads: readonly number[];
}

/**
 * Spawns the counter worker, lets the client ask it until `answersBefore` answers came, kills the
 * thread, and waits for `answersAfter` answers from the restarted thread.
 */
export async function main(
  logger: Logger = defaultLogger(),
  answersBefore = 5,
  answersAfter = 5,
): Promise<WorkerCounterRun> {
  const system = await KompactConfig.default()
    .label('worker-counter')
    .logger(logger)
    .serialisers(CountAnswerSerialiser)
    .build();
  try {
    // #region spawn
    const worker = await system.spawnWorker(new URL('./counter-worker.js', import.meta.url), {
      name: 'counter',
      restart: { maxRestarts: 3, withinMs: 10_000, backoff: { initialMs: 100, maxMs: 1000, factor: 2 } },
    });
    system.supervision.on('worker-fault', (event) => logger.warn(`Worker fault: ${event.description}`));
    system.supervision.on('worker-restarted', (event) =>
      logger.info(`Worker ${event.worker} is back on thread ${event.threadId}`),
    );
    // #endregion spawn
    const threads = [worker.threadId];
    const before: CountAnswer[] = [];
    const after: CountAnswer[] = [];
    let isKilled = false;
    await new Promise<void>((resolve) => {
      const service = ActorPath.parse(`${worker.systemPath().toString()}/${COUNTER_ALIAS}`);
      const client = system.create(
        () =>
          new CountClient(service, 20, (answer) => {
            if (!isKilled) {
              before.push(answer);
              if (before.length === answersBefore) {
                isKilled = true;
                ActorPath.parse(`${worker.systemPath().toString()}/chaos`).tell('kill-thread', system);
              }
            } else if (worker.threadId !== threads[0] && after.length < answersAfter) {
              after.push(answer);
              if (after.length === answersAfter) resolve();
            }
          }),
      );
      system.start(client);
    });
    threads.push(worker.threadId);
    logger.info(
      { threads, deadLetters: system.deadLetters.count },
      `The counter answered ${before.length} times, lost its thread, and answered ${after.length} times from a new one`,
    );
    return { before, after, threads };
  } finally {
    await system.shutdown();
  }
}

runIfMain(import.meta.url, () => main());
