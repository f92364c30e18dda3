import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Component } from '../component/component.js';
import type { ComponentDefinition } from '../component/component-definition.js';
import type { FaultHandler } from '../component/component-host.js';
import { describeThrown } from '../internal/describe-thrown.js';
import { RingBuffer } from '../internal/ring-buffer.js';
import type { Runnable, Scheduler } from '../runtime/scheduler.js';
import type { SystemHandle } from '../system/system-handle.js';
import type { Clock, ClockTimer } from '../timer/clock.js';
import { type FaultContext, type RecoveryFunction, RecoveryHandler, type RecoveryPlan } from './fault.js';
import type { FaultedComponent } from './faulted-component.js';
import { faultEvent, recoveredEvent, type Supervision } from './supervision-events.js';

type AnyComponent = Component<ComponentDefinition<unknown>>;

interface RecoveryJob {
  readonly component: FaultedComponent;
  readonly context: FaultContext;
  readonly recoveryFunction: RecoveryFunction;
  readonly handler: RecoveryHandler | undefined;
  readonly failure: unknown;
  /** The component was created unsupervised: no recovery, the system is poisoned. */
  readonly unsupervised: boolean;
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
  /** An unsupervised component faulted: the system must end (Kompact poisons it). */
  poison(): void;
}

const DEFAULT_WITHIN_MS = 5000;
const MAX_RESTART_HISTORY = 64;

/** The log fields naming a faulted component. */
function fieldsOf(context: FaultContext): { cid: string; ctype: string } {
  return { cid: context.componentId, ctype: context.componentType };
}

/**
 * The system's supervisor. A fault calls the component's recovery function at once (contained: a
 * throw is reported, not spread); the handler it made runs on the supervisor's next turn, one at a
 * time, with the supervisor's system handle and logger, timed against the recovery budget. During
 * shutdown no recovery runs.
 *
 * Kompact: `ComponentSupervisor`, minus poisoning: a throwing recovery function or handler leaves
 * only that component faulty. Only a component made by `createUnsupervised` poisons the system (it
 * ends it) when it faults.
 */
export class ComponentSupervisor implements Runnable, FaultHandler {
  // TS `private` fields, not `#private`, as in ComponentCore: this is on every fault's path, and V8
  // was seen deoptimising `#private` access after a full collection.
  private readonly services: SupervisorServices;
  private readonly jobs = new RingBuffer<RecoveryJob>(8);
  private readonly backoffTimers = new Set<ClockTimer>();
  /**
   * Clock times of the recent replacements of each line (a component and its `replaceWith`
   * replacements), by the line's reference; kept only when a restart limit or backoff needs them.
   */
  private readonly restartHistory = new WeakMap<object, number[]>();
  private scheduled = false;
  private isShuttingDown = false;
  /** Components made by `createUnsupervised`: a fault of one poisons the system instead of recovering. */
  private readonly unsupervised = new WeakSet<FaultedComponent>();

  constructor(services: SupervisorServices) {
    this.services = services;
  }

  /** A component faulted: run its recovery function now and queue the handler it made. */
  faulted(component: FaultedComponent, context: FaultContext, recoveryFunction: RecoveryFunction): void {
    const supervision = this.services.supervision;
    if (supervision.record('fault')) supervision.publish(faultEvent(context));
    let handler: RecoveryHandler | undefined;
    let failure: unknown;
    const unsupervised = this.unsupervised.has(component);
    if (!this.isShuttingDown && !unsupervised) {
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
    this.jobs.push({ component, context, recoveryFunction, handler, failure, unsupervised });
    if (!this.scheduled) {
      this.scheduled = true;
      this.services.scheduler.schedule(this);
    }
  }

  runTurn(): number {
    let count = 0;
    for (let job = this.jobs.shift(); job !== undefined; job = this.jobs.shift()) {
      count++;
      try {
        this.recover(job);
      } finally {
        job.component.finishRecovery();
      }
    }
    this.scheduled = false;
    return count;
  }

  /** Marks `component` as unsupervised: its fault poisons the system. Kompact: `create_unsupervised`. */
  unsupervise(component: FaultedComponent): void {
    this.unsupervised.add(component);
  }

  /** From now on no recovery handler runs and no delayed replacement starts (system shutdown). */
  beginShutdown(): void {
    this.isShuttingDown = true;
    for (const timer of this.backoffTimers) this.services.clock.clearTimer(timer);
    this.backoffTimers.clear();
  }

  private recover(job: RecoveryJob): void {
    const { context, handler } = job;
    const { logger, supervision, recoveryBudgetMs } = this.services;
    if (logger.isLevelEnabled('warn')) {
      logger.warn(fieldsOf(context), `Component(${context.componentId}) has been marked as faulty.`);
    }
    if (this.isShuttingDown) {
      logger.warn(fieldsOf(context), 'Not running recovery handler due to ongoing shutdown.');
      return;
    }
    if (job.unsupervised) {
      logger.error(fieldsOf(context), 'Top level component faulted! Poisoning system (killSystem).');
      this.services.poison();
      return;
    }
    if (handler === undefined) {
      this.failed(context, 'recovery-function', job.failure);
      return;
    }
    const plan = handler.plan;
    let replacement: AnyComponent | undefined;
    // Wall-clock time on purpose: the budget is about how long the supervisor is held up, which a
    // simulated clock would not show.
    const started = performance.now();
    let returned: unknown;
    try {
      switch (plan.kind) {
        case 'ignore':
          if (logger.isLevelEnabled('warn')) {
            logger.warn(
              fieldsOf(context),
              `Ignoring fault of component id=${context.componentId}: ${context.description}`,
            );
          }
          break;
        case 'recover-with':
          returned = plan.action(context, this.services.handle, logger);
          break;
        case 'restart-default': {
          logger.info(fieldsOf(context), `Restarting faulted component id=${context.componentId}`);
          replacement = this.services.handle.create(plan.factory);
          this.services.handle.start(replacement);
          break;
        }
        case 'replace-with':
          replacement = this.replace(job, plan);
          if (replacement === undefined) return;
          break;
      }
    } catch (error) {
      this.failed(context, 'recovery-handler', error);
      return;
    }
    const durationMs = performance.now() - started;
    // Only a returned value or an overrun has anything to report.
    if (returned !== undefined || durationMs > recoveryBudgetMs)
      this.checkBudget(context, durationMs, returned);
    if (supervision.record('recovered')) {
      supervision.publish(recoveredEvent(context, plan.kind, replacement));
    }
  }

  /** Creates the replacement, moves the old one's place to it, and starts it (after any backoff). */
  private replace(
    job: RecoveryJob,
    plan: Extract<RecoveryPlan, { kind: 'replace-with' }>,
  ): AnyComponent | undefined {
    const { component, context, recoveryFunction } = job;
    const { clock, handle, logger, supervision } = this.services;
    const { maxRestarts, withinMs = DEFAULT_WITHIN_MS, backoff } = plan.options;
    // Restart history is kept only when a limit or a backoff needs it, and bounded: the last
    // `maxRestarts` (or 64, far past any useful backoff step) restart times within the window.
    const line = component.lineRef();
    let recent: number[] | undefined;
    if (maxRestarts !== undefined || backoff !== undefined) {
      const now = clock.now();
      recent = (this.restartHistory.get(line) ?? []).filter((at) => now - at < withinMs);
      if (recent.length > (maxRestarts ?? MAX_RESTART_HISTORY))
        recent.splice(0, recent.length - (maxRestarts ?? MAX_RESTART_HISTORY));
      recent.push(now);
      if (maxRestarts !== undefined && recent.length > maxRestarts) {
        const restarts = recent.length - 1;
        logger.error(
          fieldsOf(context),
          `Giving up on component ${context.componentId} (${context.componentType}): ${restarts} restarts within ${withinMs} ms`,
        );
        if (supervision.record('gave-up')) {
          supervision.publish({
            kind: 'gave-up',
            componentId: context.componentId,
            componentType: context.componentType,
            restarts,
            withinMs,
          });
        }
        return undefined;
      }
    }
    if (recent === undefined) this.restartHistory.delete(line);
    else this.restartHistory.set(line, recent);
    const replacement = handle.create(plan.factory);
    component.handOverTo(replacement, recoveryFunction);
    const delayMs =
      backoff === undefined || recent === undefined
        ? 0
        : Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** (recent.length - 1));
    if (delayMs <= 0) {
      // Just made by `create`, which refuses during shutdown: `start` refuses nothing here either.
      handle.start(replacement);
    } else {
      const timer = clock.setTimer(() => {
        this.backoffTimers.delete(timer);
        if (!this.isShuttingDown) handle.start(replacement);
      }, delayMs);
      this.backoffTimers.add(timer);
    }
    if (!logger.isLevelEnabled('info')) return replacement;
    logger.info(
      { cid: context.componentId, ctype: context.componentType, replacement: replacement.id, delayMs },
      `Replaced faulted component ${context.componentId} with ${replacement.id}`,
    );
    return replacement;
  }

  private checkBudget(context: FaultContext, durationMs: number, returned: unknown): void {
    const { logger, supervision, recoveryBudgetMs } = this.services;
    const returnedPromise =
      typeof returned === 'object' &&
      returned !== null &&
      typeof (returned as PromiseLike<unknown>).then === 'function';
    if (returnedPromise) {
      (returned as PromiseLike<unknown>).then(undefined, (error: unknown) =>
        this.failed(context, 'recovery-handler', error),
      );
    }
    if (!returnedPromise && durationMs <= recoveryBudgetMs) return;
    logger.warn(
      { ...fieldsOf(context), durationMs, budgetMs: recoveryBudgetMs },
      returnedPromise
        ? `The recovery handler of component ${context.componentId} returned a promise: it is not awaited; do not block in recovery, start a component instead`
        : `The recovery handler of component ${context.componentId} ran ${durationMs.toFixed(1)} ms, over its budget of ${recoveryBudgetMs} ms: do not block in recovery`,
    );
    if (supervision.record('recovery-slow')) {
      supervision.publish({
        kind: 'recovery-slow',
        componentId: context.componentId,
        componentType: context.componentType,
        durationMs,
        budgetMs: recoveryBudgetMs,
        returnedPromise,
      });
    }
  }

  private failed(
    context: FaultContext,
    stage: 'recovery-function' | 'recovery-handler',
    error: unknown,
  ): void {
    const { logger, supervision } = this.services;
    const what = stage === 'recovery-function' ? 'recovery function' : 'recovery handler';
    logger.error(
      { ...fieldsOf(context), err: error },
      `The ${what} of component ${context.componentId} failed: ${describeThrown(error)}; the original fault was: ${context.description}; it stays faulty`,
    );
    if (supervision.record('recovery-failed')) {
      supervision.publish({
        kind: 'recovery-failed',
        componentId: context.componentId,
        componentType: context.componentType,
        stage,
        error,
      });
    }
  }
}
