import type { Logger } from 'pino';
import type { Piscina } from 'piscina';
import { describeThrown } from '../internal/describe-thrown.js';
import { KompactError } from '../internal/kompact-error.js';
import type { OffTask } from './off-task.js';
import type { OffTaskAnswer, OffTaskRequest } from './off-task-worker.js';

/** What runs off-loop tasks for a system: its worker pool, as components and the system see it. */
export interface OffLoop {
  /**
   * Runs `task` with `input` on a worker thread; resolves with its result, rejects with what it threw
   * or with a `KompactError` (`TASK_NOT_FOUND`, `SERIALISATION_FAILED` for an input or result that
   * cannot be structured-cloned, `SYSTEM_TERMINATED`).
   */
  run(task: OffTask<unknown, unknown>, input: unknown): Promise<unknown>;
}

/** The module each worker thread runs: it imports and calls the task (compiled JavaScript, beside this file). */
const WORKER_MODULE = new URL('./off-task-worker.js', import.meta.url).href;

/** How long a worker thread may stay idle before the pool ends it (a new task starts a new one). */
const IDLE_TIMEOUT_MS = 30_000;

/**
 * A system's pool of worker threads for `spawnOff`, on Piscina. Nothing is loaded or started until
 * the first task: a system that never calls `spawnOff` never imports Piscina and has no thread. Threads
 * start as tasks need them, up to `threads`, and end after 30 s idle; idle threads do not keep the
 * process alive, and `close` (at system shutdown) ends them all.
 *
 * Kompact: the executor pool that `spawn_off` runs futures on.
 */
export class OffLoopPool implements OffLoop {
  readonly #threads: number;
  readonly #logger: Logger;
  #pool: Piscina | undefined;
  #loading: Promise<Piscina> | undefined;
  #closing = false;

  constructor(threads: number, logger: Logger) {
    this.#threads = threads;
    this.#logger = logger;
  }

  run(task: OffTask<unknown, unknown>, input: unknown): Promise<unknown> {
    if (this.#closing) {
      return Promise.reject(
        new KompactError('SYSTEM_TERMINATED', `Cannot run task ${task}: the system has shut down`),
      );
    }
    const request: OffTaskRequest = { module: task.module, name: task.name, input };
    const pool = this.#pool;
    const answer =
      pool === undefined ? this.#load().then((loaded) => loaded.run(request)) : pool.run(request);
    return answer.then(
      (reply: OffTaskAnswer) => {
        switch (reply.kind) {
          case 'done':
            return reply.value;
          case 'not-found':
            throw new KompactError('TASK_NOT_FOUND', `Cannot run task ${task}: ${reply.reason}`);
          case 'uncloneable':
            throw new KompactError('SERIALISATION_FAILED', `Task ${task} ran, but ${reply.reason}`);
        }
      },
      (error: unknown) => {
        throw this.#explain(task, error);
      },
    );
  }

  /** Ends every worker thread; tasks still queued or running reject with `SYSTEM_TERMINATED`. */
  async close(): Promise<void> {
    this.#closing = true;
    const pool = this.#pool ?? (await this.#loading?.catch(() => undefined));
    if (pool === undefined) return;
    this.#pool = undefined;
    await pool.destroy();
    this.#logger.debug('Off-loop pool closed');
  }

  #load(): Promise<Piscina> {
    this.#loading ??= import('piscina').then(({ Piscina }) => {
      const pool = new Piscina({
        filename: WORKER_MODULE,
        minThreads: 0,
        maxThreads: this.#threads,
        idleTimeout: IDLE_TIMEOUT_MS,
      });
      this.#logger.debug({ threads: this.#threads }, 'Off-loop pool started');
      // A close that came while Piscina was loading finds the pool through #loading and destroys it.
      if (!this.#closing) this.#pool = pool;
      return pool;
    });
    return this.#loading;
  }

  /** What a task's rejection means to its caller: the task's own throw, or a KompactError for ours. */
  #explain(task: OffTask<unknown, unknown>, error: unknown): unknown {
    if (error instanceof Error && error.name === 'DataCloneError') {
      return new KompactError(
        'SERIALISATION_FAILED',
        `Cannot send the input of task ${task} to a worker thread: ${describeThrown(error)} (the input must be structured-cloneable)`,
        { cause: error },
      );
    }
    if (this.#closing) {
      return new KompactError(
        'SYSTEM_TERMINATED',
        `Task ${task} did not finish: the system shut down (${describeThrown(error)})`,
        { cause: error },
      );
    }
    return error;
  }
}
