import type { Logger } from 'pino';
import type { ComponentDefinition } from '../component/component-definition.js';
import type { ComponentId } from '../component/component-id.js';
import { describeThrown } from '../internal/describe-thrown.js';
import type { SystemHandle } from '../system/system-handle.js';

/**
 * What went wrong in a faulted component.
 *
 * - `panic`: a handler threw, or its promise rejected, with `error` (any value, not only an `Error`).
 * - `handler`: a handler returned (or threw) `HandlerError.recoverable(error)`.
 *
 * Kompact: `Fault::{Panic, Handler}`.
 */
export type Fault =
  | { readonly kind: 'panic'; readonly error: unknown }
  | { readonly kind: 'handler'; readonly error: unknown };

/** The action a recovery handler runs on the supervisor. Kompact: the closure of `recover_with`. */
export type RecoveryAction = (fault: FaultContext, system: SystemHandle, logger: Logger) => void;

/**
 * What the `ComponentSupervisor` runs to recover a faulted component: made by a recovery function from
 * the {@link FaultContext}, run once, later, on the supervisor.
 *
 * Kompact: `RecoveryHandler`.
 */
export class RecoveryHandler {
  /** The fault this handler answers. */
  readonly context: FaultContext;
  /** What to do; runs with the supervisor's system handle and logger. */
  readonly action: RecoveryAction;

  constructor(context: FaultContext, action: RecoveryAction) {
    this.context = context;
    this.action = action;
  }
}

/**
 * Produces the recovery handler for a fault. Set with `component.setRecoveryFunction(fn)` or
 * `ctx.setRecoveryFunction(fn)`; setting it again replaces it, so a function that closes over the
 * component's state is a snapshot. It is called once, at fault time.
 *
 * Kompact: `RecoveryFunction`.
 */
export type RecoveryFunction = (fault: FaultContext) => RecoveryHandler;

/**
 * Everything known about a fault, handed to the recovery function, with the constructors of the
 * recovery handler to return.
 *
 * Kompact: `FaultContext`.
 */
export class FaultContext {
  /** The id of the component that faulted. */
  readonly componentId: ComponentId;
  /** The class name of its definition. */
  readonly componentType: string;
  /** What went wrong. */
  readonly fault: Fault;

  constructor(componentId: ComponentId, componentType: string, fault: Fault) {
    this.componentId = componentId;
    this.componentType = componentType;
    this.fault = fault;
  }

  /** A sentence a person can read: what the component threw or reported. */
  get description(): string {
    const what = describeThrown(this.fault.error);
    return this.fault.kind === 'panic' ? `panicked with: ${what}` : `reported a recoverable error: ${what}`;
  }

  /**
   * Does nothing beyond a warning naming the component: it stays faulty. The default recovery.
   *
   * Kompact: `FaultContext::ignore`.
   */
  ignore(): RecoveryHandler {
    return new RecoveryHandler(this, (fault, _system, logger) => {
      logger.warn(
        { cid: fault.componentId, ctype: fault.componentType },
        `Ignoring fault of component id=${fault.componentId}: ${fault.description}`,
      );
    });
  }

  /**
   * Runs `action` on the supervisor with its system handle and logger, e.g. to create and start a
   * replacement. Do not block in it: start other components instead of awaiting them.
   *
   * Kompact: `FaultContext::recover_with`.
   */
  recoverWith(action: RecoveryAction): RecoveryHandler {
    if (typeof action !== 'function') {
      throw new TypeError(`Expected \`action\` to be a function, got ${typeof action}`);
    }
    return new RecoveryHandler(this, action);
  }

  /**
   * Creates and starts a fresh component from `factory` in place of the faulted one (a new id: old
   * references stay dead, as in Kompact).
   *
   * Kompact: `FaultContext::restart_default`.
   */
  restartDefault(factory: () => ComponentDefinition<unknown>): RecoveryHandler {
    if (typeof factory !== 'function') {
      throw new TypeError(`Expected \`factory\` to be a function, got ${typeof factory}`);
    }
    return new RecoveryHandler(this, (fault, system, logger) => {
      logger.info({ cid: fault.componentId }, `Restarting faulted component id=${fault.componentId}`);
      system.start(system.create(factory));
    });
  }
}

/** The recovery function every component starts with: {@link FaultContext.ignore}. */
export const defaultRecoveryFunction: RecoveryFunction = (fault) => fault.ignore();
