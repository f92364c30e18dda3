import type { Logger } from 'pino';
import { type Component, coreOf } from '../component/component.js';
import type { ComponentCore } from '../component/component-core.js';
import type { ComponentDefinition } from '../component/component-definition.js';
import { describeThrown } from '../internal/describe-thrown.js';
import { RingBuffer } from '../internal/ring-buffer.js';
import type { Runnable, Scheduler } from '../runtime/scheduler.js';
import type { SystemHandle } from '../system/system-handle.js';
import type { Clock, ClockTimer } from '../timer/clock.js';
import { type FaultContext, type RecoveryFunction, RecoveryHandler, type RecoveryPlan } from './fault.js';
import type { Supervision } from './supervision-events.js';

interface RecoveryJob {
  readonly core: ComponentCore;
  readonly context: FaultContext;
  readonly recoveryFunction: RecoveryFunction;
  readonly handler: RecoveryHandler | undefined;
  readonly failure: unknown;
}

/** What the supervisor needs from its system. */
export interface SupervisorServices {
  readonly scheduler: Scheduler;
  readonly handle: SystemHandle;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly supervision: Supervision;
  /** A recovery handler running longer than this (wall-clock milliseconds) is reported. */
  readonly recoveryBudgetMs: number;
  /** The fault of `core` was handled: forget it. */
  onEnded(core: ComponentCore): void;
}

const DEFAULT_WITHIN_MS = 5000;
const MAX_RESTART_HISTORY = 64;

/**
 * The system's supervisor. A fault calls the component's recovery function at once (contained: a
 * throw is reported, not spread); the handler it made runs on the supervisor's next turn, one at a
 * time, with the supervisor's system handle and logger, timed against the recovery budget. During
 * shutdown no recovery runs.
 *
 * Kompact: `ComponentSupervisor`, minus poisoning: a throwing recovery function or handler leaves
 * only that component faulty.
 */
export class ComponentSupervisor implements Runnable {
  readonly #services: SupervisorServices;
  readonly #jobs = new RingBuffer<RecoveryJob>(8);
  readonly #backoffTimers = new Set<ClockTimer>();
  #scheduled = false;
  #isShuttingDown = false;

  constructor(services: SupervisorServices) {
    this.#services = services;
  }

  /** A component faulted: run its recovery function now and queue the handler it made. */
  faulted(core: ComponentCore, context: FaultContext, recoveryFunction: RecoveryFunction): void {
    this.#services.supervision.emit('fault', () => ({
      kind: 'fault',
      componentId: context.componentId,
      componentType: context.componentType,
      fault: context.fault,
      description: context.description,
    }));
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
    this.#jobs.push({ core, context, recoveryFunction, handler, failure });
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.#services.scheduler.schedule(this);
    }
  }

  runTurn(): number {
    let count = 0;
    for (let job = this.#jobs.shift(); job !== undefined; job = this.#jobs.shift()) {
      count++;
      try {
        this.#recover(job);
      } finally {
        job.core.finishRecovery();
        this.#services.onEnded(job.core);
      }
    }
    this.#scheduled = false;
    return count;
  }

  /** From now on no recovery handler runs and no delayed replacement starts (system shutdown). */
  beginShutdown(): void {
    this.#isShuttingDown = true;
    for (const timer of this.#backoffTimers) this.#services.clock.clearTimer(timer);
    this.#backoffTimers.clear();
  }

  #recover(job: RecoveryJob): void {
    const { context, handler, failure } = job;
    const { logger, supervision } = this.#services;
    const fields = (): { cid: string; ctype: string } => ({
      cid: context.componentId,
      ctype: context.componentType,
    });
    if (logger.isLevelEnabled('warn')) {
      logger.warn(fields(), `Component(${context.componentId}) has been marked as faulty.`);
    }
    if (this.#isShuttingDown) {
      logger.warn(fields(), 'Not running recovery handler due to ongoing shutdown.');
      return;
    }
    if (handler === undefined) {
      this.#failed(context, 'recovery-function', failure);
      return;
    }
    const plan = handler.plan;
    let replacement: Component<ComponentDefinition<unknown>> | undefined;
    // Wall-clock time on purpose: the budget is about how long the supervisor is held up, which a
    // simulated clock would not show.
    const started = performance.now();
    let returned: unknown;
    try {
      switch (plan.kind) {
        case 'ignore':
          if (logger.isLevelEnabled('warn')) {
            logger.warn(
              fields(),
              `Ignoring fault of component id=${context.componentId}: ${context.description}`,
            );
          }
          break;
        case 'recover-with':
          returned = plan.action(context, this.#services.handle, logger);
          break;
        case 'restart-default': {
          logger.info(fields(), `Restarting faulted component id=${context.componentId}`);
          replacement = this.#services.handle.create(plan.factory);
          this.#services.handle.start(replacement);
          break;
        }
        case 'replace-with':
          replacement = this.#replace(job, plan);
          if (replacement === undefined) return;
          break;
      }
    } catch (error) {
      this.#failed(context, 'recovery-handler', error);
      return;
    }
    const durationMs = performance.now() - started;
    this.#checkBudget(context, durationMs, returned);
    supervision.emit('recovered', () => ({
      kind: 'recovered',
      componentId: context.componentId,
      componentType: context.componentType,
      recovery: plan.kind,
      replacementId: replacement?.id,
      replacement,
    }));
  }

  /** Creates the replacement, moves the old one's place to it, and starts it (after any backoff). */
  #replace(
    job: RecoveryJob,
    plan: Extract<RecoveryPlan, { kind: 'replace-with' }>,
  ): Component<ComponentDefinition<unknown>> | undefined {
    const { core, context, recoveryFunction } = job;
    const { clock, handle, logger, supervision } = this.#services;
    const { maxRestarts, withinMs = DEFAULT_WITHIN_MS, backoff } = plan.options;
    // Restart history is kept only when a limit or a backoff needs it, and bounded: the last
    // `maxRestarts` (or 64, far past any useful backoff step) restart times within the window.
    let recent: number[] = [];
    if (maxRestarts !== undefined || backoff !== undefined) {
      const now = clock.now();
      recent = (core.restarts ?? []).filter((at) => now - at < withinMs);
      if (recent.length > (maxRestarts ?? MAX_RESTART_HISTORY))
        recent.splice(0, recent.length - (maxRestarts ?? MAX_RESTART_HISTORY));
      recent.push(now);
    }
    if (maxRestarts !== undefined && recent.length > maxRestarts) {
      recent.pop();
      logger.error(
        { cid: context.componentId, ctype: context.componentType },
        `Giving up on component ${context.componentId} (${context.componentType}): ${recent.length} restarts within ${withinMs} ms`,
      );
      supervision.emit('gave-up', () => ({
        kind: 'gave-up',
        componentId: context.componentId,
        componentType: context.componentType,
        restarts: recent.length,
        withinMs,
      }));
      return undefined;
    }
    core.restarts = recent.length > 0 ? recent : undefined;
    const replacement = handle.create(plan.factory);
    const next = coreOf(replacement);
    core.transferTo(next);
    if (next.hasDefaultRecoveryFunction()) next.setRecoveryFunction(recoveryFunction);
    const delayMs =
      backoff === undefined
        ? 0
        : Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** (recent.length - 1));
    if (delayMs <= 0) {
      handle.start(replacement);
    } else {
      const timer = clock.setTimer(() => {
        this.#backoffTimers.delete(timer);
        if (!this.#isShuttingDown) handle.start(replacement);
      }, delayMs);
      this.#backoffTimers.add(timer);
    }
    if (!logger.isLevelEnabled('info')) return replacement;
    logger.info(
      { cid: context.componentId, ctype: context.componentType, replacement: replacement.id, delayMs },
      `Replaced faulted component ${context.componentId} with ${replacement.id}`,
    );
    return replacement;
  }

  #checkBudget(context: FaultContext, durationMs: number, returned: unknown): void {
    const { logger, supervision, recoveryBudgetMs } = this.#services;
    const returnedPromise =
      typeof returned === 'object' &&
      returned !== null &&
      typeof (returned as PromiseLike<unknown>).then === 'function';
    if (returnedPromise) {
      (returned as PromiseLike<unknown>).then(undefined, (error: unknown) =>
        this.#failed(context, 'recovery-handler', error),
      );
    }
    if (!returnedPromise && durationMs <= recoveryBudgetMs) return;
    logger.warn(
      { cid: context.componentId, ctype: context.componentType, durationMs, budgetMs: recoveryBudgetMs },
      returnedPromise
        ? `The recovery handler of component ${context.componentId} returned a promise: it is not awaited; do not block in recovery, start a component instead`
        : `The recovery handler of component ${context.componentId} ran ${durationMs.toFixed(1)} ms, over its budget of ${recoveryBudgetMs} ms: do not block in recovery`,
    );
    supervision.emit('recovery-slow', () => ({
      kind: 'recovery-slow',
      componentId: context.componentId,
      componentType: context.componentType,
      durationMs,
      budgetMs: recoveryBudgetMs,
      returnedPromise,
    }));
  }

  #failed(context: FaultContext, stage: 'recovery-function' | 'recovery-handler', error: unknown): void {
    const what = stage === 'recovery-function' ? 'recovery function' : 'recovery handler';
    this.#services.logger.error(
      { cid: context.componentId, ctype: context.componentType, err: error },
      `The ${what} of component ${context.componentId} failed: ${describeThrown(error)}; the original fault was: ${context.description}; it stays faulty`,
    );
    this.#services.supervision.emit('recovery-failed', () => ({
      kind: 'recovery-failed',
      componentId: context.componentId,
      componentType: context.componentType,
      stage,
      error,
    }));
  }
}
