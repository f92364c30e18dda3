import type { Logger } from 'pino';
import type { ComponentCore } from '../component/component-core.js';
import { describeThrown } from '../internal/describe-thrown.js';
import { RingBuffer } from '../internal/ring-buffer.js';
import type { Runnable, Scheduler } from '../runtime/scheduler.js';
import type { SystemHandle } from '../system/system-handle.js';
import { type FaultContext, type RecoveryFunction, RecoveryHandler } from './fault.js';

interface RecoveryJob {
  readonly core: ComponentCore;
  readonly context: FaultContext;
  readonly handler: RecoveryHandler | undefined;
  readonly failure: unknown;
}

/**
 * The system's supervisor: runs the recovery handlers of faulted ones one
 * at a time with its system handle and logger, and skips recovery during shutdown.
 *
 * Kompact: `ComponentSupervisor`.
 */
export class ComponentSupervisor implements Runnable {
  readonly #scheduler: Scheduler;
  readonly #handle: SystemHandle;
  readonly #logger: Logger;
  readonly #onEnded: (core: ComponentCore) => void;
  readonly #jobs = new RingBuffer<RecoveryJob>(8);
  #scheduled = false;
  #isShuttingDown = false;

  constructor(
    scheduler: Scheduler,
    handle: SystemHandle,
    logger: Logger,
    onEnded: (core: ComponentCore) => void,
  ) {
    this.#scheduler = scheduler;
    this.#handle = handle;
    this.#logger = logger;
    this.#onEnded = onEnded;
  }

  /**
   * A component faulted: its recovery function runs now (it is one-shot, and a throw in it is
   * contained), the handler it made runs on the supervisor's next turn.
   */
  faulted(core: ComponentCore, context: FaultContext, recoveryFunction: RecoveryFunction): void {
    let handler: RecoveryHandler | undefined;
    let failure: unknown;
    if (!this.#isShuttingDown) {
      try {
        const made: unknown = recoveryFunction(context);
        if (made instanceof RecoveryHandler) handler = made;
        else
          failure = new TypeError(
            `the recovery function returned ${describeThrown(made)}, not a RecoveryHandler`,
          );
      } catch (error) {
        failure = error;
      }
    }
    this.#jobs.push({ core, context, handler, failure });
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.#scheduler.schedule(this);
    }
  }

  runTurn(): number {
    let count = 0;
    for (let job = this.#jobs.shift(); job !== undefined; job = this.#jobs.shift()) {
      count++;
      this.#recover(job);
    }
    this.#scheduled = false;
    return count;
  }

  /** From now on no recovery handler runs (system shutdown). */
  beginShutdown(): void {
    this.#isShuttingDown = true;
  }

  #recover(job: RecoveryJob): void {
    const { core, context, handler, failure } = job;
    const fields = { cid: context.componentId, ctype: context.componentType };
    this.#logger.warn(fields, `Component(${context.componentId}) has been marked as faulty.`);
    if (this.#isShuttingDown) {
      this.#logger.warn(fields, 'Not running recovery handler due to ongoing shutdown.');
    } else if (handler === undefined) {
      this.#logger.error(
        { ...fields, err: failure },
        `The recovery function of component ${context.componentId} failed: ${describeThrown(failure)}; it stays faulty`,
      );
    } else {
      try {
        handler.action(context, this.#handle, this.#logger);
      } catch (error) {
        this.#logger.error(
          { ...fields, err: error },
          `The recovery handler of component ${context.componentId} threw: ${describeThrown(error)}; it stays faulty`,
        );
      }
    }
    core.drainToDeadLetters('faulty');
    this.#onEnded(core);
  }
}
