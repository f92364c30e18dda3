import type { Logger } from 'pino';
import type { ComponentDefinition } from '../component/component-definition.js';
import { firstUnknownName } from '../internal/closest-name.js';
import { describeThrown } from '../internal/describe-thrown.js';
import { describeValue } from '../internal/describe-value.js';
import type { ComponentId } from '../paths/component-id.js';
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
 * Limits and pacing for {@link FaultContext.replaceWith}, as in Erlang/OTP's restart intensity and
 * Akka's backoff supervisor.
 */
export interface ReplaceOptions {
  /**
   * At most this many replacements within `withinMs`; one more fault and the component stays down
   * (a `gave-up` supervision event). Unlimited when absent.
   */
  readonly maxRestarts?: number;
  /** The window for `maxRestarts`, in clock milliseconds. Default 5000. */
  readonly withinMs?: number;
  /**
   * Wait before starting each replacement: `initialMs` for the first restart in the window, multiplied
   * by `factor` for each further one, at most `maxMs`. Messages sent meanwhile wait in its mailbox.
   */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number; readonly factor: number };
}

/** The options of a `replaceWith` given none: one shared object, checked once. */
const NO_OPTIONS: ReplaceOptions = Object.freeze({});

/** What a recovery handler will do, as the supervisor reads it. */
export type RecoveryPlan =
  | { readonly kind: 'ignore' }
  | { readonly kind: 'recover-with'; readonly action: RecoveryAction }
  | { readonly kind: 'restart-default'; readonly factory: () => ComponentDefinition<unknown> }
  | {
      readonly kind: 'replace-with';
      readonly factory: () => ComponentDefinition<unknown>;
      readonly options: ReplaceOptions;
    };

/**
 * What the `ComponentSupervisor` runs to recover a faulted component: made by a recovery function from
 * the {@link FaultContext}, run once, later, on the supervisor.
 *
 * Kompact: `RecoveryHandler`.
 */
export class RecoveryHandler {
  /** The fault this handler answers. */
  readonly context: FaultContext;
  /** What it will do. */
  readonly plan: RecoveryPlan;

  /** @internal Made by the `FaultContext` methods. */
  constructor(context: FaultContext, plan: RecoveryPlan) {
    this.context = context;
    this.plan = plan;
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
  readonly #component: ComponentId | { readonly id: ComponentId };
  /** The class name of its definition. */
  readonly componentType: string;
  /** What went wrong. */
  readonly fault: Fault;

  /**
   * @internal `component` may be the faulted component's core, whose id is made only when someone
   * reads it.
   */
  constructor(component: ComponentId | { readonly id: ComponentId }, componentType: string, fault: Fault) {
    this.#component = component;
    this.componentType = componentType;
    this.fault = fault;
  }

  /** The id of the component that faulted. */
  get componentId(): ComponentId {
    const component = this.#component;
    return typeof component === 'string' ? component : component.id;
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
    return new RecoveryHandler(this, { kind: 'ignore' });
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
    return new RecoveryHandler(this, { kind: 'recover-with', action });
  }

  /**
   * Creates and starts a fresh component from `factory` (a new id: old references stay dead and
   * nothing queued is carried over, as in Kompact; see {@link FaultContext.replaceWith} for more).
   *
   * Kompact: `FaultContext::restart_default`.
   */
  restartDefault(factory: () => ComponentDefinition<unknown>): RecoveryHandler {
    if (typeof factory !== 'function') {
      throw new TypeError(`Expected \`factory\` to be a function, got ${typeof factory}`);
    }
    return new RecoveryHandler(this, { kind: 'restart-default', factory });
  }

  /**
   * Replaces the faulted component with a new instance from `factory`, in its place: the
   * replacement is created and started, every existing `ActorRef` to the old one now reaches it, the
   * messages and port events queued behind the failed one are delivered to it, and its port
   * connections are rewired to it. The replacement keeps this recovery function unless it sets its
   * own. `options` bound how often this may happen and pace it.
   *
   * Not in Kompact, whose note leaves this to the user.
   *
   * @example
   * ```ts
   * counter.setRecoveryFunction((fault) =>
   *   fault.replaceWith(() => new Counter(lastCount), { maxRestarts: 3, withinMs: 1000 }));
   * ```
   */
  replaceWith(
    factory: () => ComponentDefinition<unknown>,
    options: ReplaceOptions = NO_OPTIONS,
  ): RecoveryHandler {
    if (typeof factory !== 'function') {
      throw new TypeError(`Expected \`factory\` to be a function, got ${typeof factory}`);
    }
    if (options !== NO_OPTIONS) checkReplaceOptions(options);
    return new RecoveryHandler(this, { kind: 'replace-with', factory, options });
  }
}

/** The fields of {@link ReplaceOptions}: a misspelt one (`backof`) would silently mean "no backoff". */
const REPLACE_OPTION_NAMES = Object.keys({
  maxRestarts: true,
  withinMs: true,
  backoff: true,
} satisfies Record<keyof ReplaceOptions, true>);

const BACKOFF_OPTION_NAMES = Object.keys({
  initialMs: true,
  maxMs: true,
  factor: true,
} satisfies Record<keyof NonNullable<ReplaceOptions['backoff']>, true>);

function checkNames(object: object, known: readonly string[], what: string, prefix: string): void {
  const unknown = firstUnknownName(Object.keys(object), known);
  if (unknown === undefined) return;
  const { name, closest } = unknown;
  throw new TypeError(
    `Expected \`${what}\` to have only ${known.map((k) => `\`${prefix}${k}\``).join(', ')}, got ` +
      `\`${prefix}${name}\`${closest === undefined ? '' : ` (did you mean \`${prefix}${closest}\`?)`}`,
  );
}

function checkReplaceOptions(options: ReplaceOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Expected \`options\` to be an object, got ${describeValue(options)}`);
  }
  checkNames(options, REPLACE_OPTION_NAMES, 'options', '');
  const { maxRestarts, withinMs, backoff } = options;
  if (maxRestarts !== undefined && !(Number.isSafeInteger(maxRestarts) && maxRestarts >= 0)) {
    throw new TypeError(`Expected \`maxRestarts\` to be an integer >= 0, got ${describeValue(maxRestarts)}`);
  }
  if (
    withinMs !== undefined &&
    !(typeof withinMs === 'number' && withinMs > 0 && Number.isFinite(withinMs))
  ) {
    throw new TypeError(`Expected \`withinMs\` to be a finite number > 0, got ${describeValue(withinMs)}`);
  }
  if (backoff !== undefined) {
    if (typeof backoff !== 'object' || backoff === null) {
      throw new TypeError(
        `Expected \`backoff\` to be an object with initialMs, maxMs and factor, got ${describeValue(backoff)}`,
      );
    }
    checkNames(backoff, BACKOFF_OPTION_NAMES, 'backoff', 'backoff.');
    const { initialMs, maxMs, factor } = backoff;
    if (!(typeof initialMs === 'number' && initialMs >= 0 && Number.isFinite(initialMs))) {
      throw new TypeError(
        `Expected \`backoff.initialMs\` to be a finite number >= 0, got ${describeValue(initialMs)}`,
      );
    }
    if (!(typeof maxMs === 'number' && maxMs >= initialMs && Number.isFinite(maxMs))) {
      throw new TypeError(
        `Expected \`backoff.maxMs\` to be a finite number >= initialMs, got ${describeValue(maxMs)}`,
      );
    }
    if (!(typeof factor === 'number' && factor >= 1 && Number.isFinite(factor))) {
      throw new TypeError(
        `Expected \`backoff.factor\` to be a finite number >= 1, got ${describeValue(factor)}`,
      );
    }
  }
}

/** The recovery function every component starts with: {@link FaultContext.ignore}. */
export const defaultRecoveryFunction: RecoveryFunction = (fault) => fault.ignore();
