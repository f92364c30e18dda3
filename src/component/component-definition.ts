import { describeValue } from '../internal/describe-value.js';
import type { NetMessage } from '../messaging/net-message.js';
import { messageSource, type TellSource } from '../paths/message-source.js';
import type { Port } from '../ports/port.js';
import type { ProvidedPort, RequiredPort } from '../ports/port-ends.js';
import type { ScheduledTimer } from '../timer/scheduled-timer.js';
import type { ComponentContext } from './component-context.js';
import type { ComponentCore } from './component-core.js';
import { claimCore } from './creation.js';
import type { HandlerReturn } from './handled.js';

const MAX_DELAY_MS = Number.MAX_SAFE_INTEGER;

/**
 * The shortest period of a periodic timer. Deadlines are whole milliseconds: a shorter period would
 * fall due again in the slot it is being expired from, and run without end in one turn of the wheel.
 */
const MIN_PERIOD_MS = 1;

function checkDelay(name: string, value: unknown, minMs: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < minMs || value > MAX_DELAY_MS) {
    throw new TypeError(
      `Expected \`${name}\` to be a finite number of milliseconds >= ${minMs}, got ${describeValue(value)}`,
    );
  }
}

/**
 * The core behind a definition's `ctx` (the context is the core): read from `ctx` rather than kept in
 * a second field per component (a private accessor would add a brand to every instance instead).
 */
function core(definition: ComponentDefinition<unknown>): ComponentCore {
  return definition.ctx as unknown as ComponentCore;
}

/**
 * The base class of every component: your subclass holds the component's state and handlers, and
 * reaches the runtime through `this.ctx`. Construct it only inside `system.create(() => new X())`.
 *
 * `M` is the type of the messages its `ActorRef` accepts; `never` (the default) for a component that
 * takes no actor messages.
 *
 * Kompact: `ComponentDefinition` + `ComponentLifecycle` + `Actor`.
 *
 * @remarks Every handler may return nothing (`Handled.Ok`), a {@link Handled}, a `HandlerError`, or a
 * promise of one (an async handler), which blocks the component until it settles.
 *
 * @example
 * ```ts
 * class Counter extends ComponentDefinition<number> {
 *   count = 0;
 *   override receiveLocal(n: number) { this.count += n; }
 * }
 * const counter = system.create(() => new Counter());
 * ```
 */
export abstract class ComponentDefinition<M = never> {
  /** This component's context: id, logger, system, own actor reference, recovery function. */
  readonly ctx: ComponentContext<M>;

  constructor() {
    this.ctx = claimCore().attach(this) as unknown as ComponentContext<M>;
  }

  /** @internal `path.tell(value, this)` sends from this component (see `ComponentCore`). */
  [messageSource](): TellSource {
    return core(this)[messageSource]();
  }

  /**
   * Declares that this component provides `type`: `handler` handles its requests, and the returned
   * port triggers indications. Use it as a field initialiser.
   *
   * Kompact: a `ProvidedPort<P>` field with `impl Provide<P>`.
   */
  protected providePort<Request extends never, Indication>(
    type: Port<Request, Indication>,
  ): ProvidedPort<Request, Indication>;
  /**
   * Declares that this component provides `type`; `handler` handles its requests (for a port type
   * whose requests are `never`, leave it out: Kompact's `ignore_requests!`).
   */
  protected providePort<Request, Indication>(
    type: Port<Request, Indication>,
    handler: (request: Request) => HandlerReturn,
  ): ProvidedPort<Request, Indication>;
  protected providePort<Request, Indication>(
    type: Port<Request, Indication>,
    handler?: (request: Request) => HandlerReturn,
  ): ProvidedPort<Request, Indication> {
    return core(this).addPort<Request, Indication>('provided', type, handler ?? ignoreEvent) as ProvidedPort<
      Request,
      Indication
    >;
  }

  /**
   * Declares that this component requires `type`: `handler` handles its indications, and the returned
   * port triggers requests. Use it as a field initialiser.
   *
   * Kompact: a `RequiredPort<P>` field with `impl Require<P>`.
   */
  protected requirePort<Request, Indication extends never>(
    type: Port<Request, Indication>,
  ): RequiredPort<Request, Indication>;
  /**
   * Declares that this component requires `type`; `handler` handles its indications (for a port type
   * whose indications are `never`, leave it out: Kompact's `ignore_indications!`).
   */
  protected requirePort<Request, Indication>(
    type: Port<Request, Indication>,
    handler: (indication: Indication) => HandlerReturn,
  ): RequiredPort<Request, Indication>;
  protected requirePort<Request, Indication>(
    type: Port<Request, Indication>,
    handler?: (indication: Indication) => HandlerReturn,
  ): RequiredPort<Request, Indication> {
    return core(this).addPort<Indication, Request>(
      'required',
      type,
      handler ?? ignoreEvent,
    ) as unknown as RequiredPort<Request, Indication>;
  }

  /**
   * Runs `handler` on this component once, `delayMs` from now (never earlier). The handler receives
   * the same {@link ScheduledTimer} this returns; its result is classified like any handler result.
   *
   * Kompact: `schedule_once`.
   */
  scheduleOnce(delayMs: number, handler: (timer: ScheduledTimer) => HandlerReturn): ScheduledTimer {
    checkDelay('delayMs', delayMs, 0);
    if (typeof handler !== 'function')
      throw new TypeError(`Expected \`handler\` to be a function, got ${typeof handler}`);
    return core(this).scheduleTimer(delayMs, 0, handler);
  }

  /**
   * Runs `handler` on this component first `delayMs` from now, then every `periodMs` (at least 1 ms),
   * until cancelled or the component ends.
   *
   * Kompact: `schedule_periodic`.
   */
  schedulePeriodic(
    delayMs: number,
    periodMs: number,
    handler: (timer: ScheduledTimer) => HandlerReturn,
  ): ScheduledTimer {
    checkDelay('delayMs', delayMs, 0);
    checkDelay('periodMs', periodMs, MIN_PERIOD_MS);
    if (typeof handler !== 'function')
      throw new TypeError(`Expected \`handler\` to be a function, got ${typeof handler}`);
    return core(this).scheduleTimer(delayMs, periodMs, handler);
  }

  /**
   * Cancels one of this component's timers: its handler never runs again, even if its expiry is
   * already queued. A no-op for a fired, cancelled or foreign timer.
   *
   * Kompact: `cancel_timer`.
   */
  cancelTimer(timer: ScheduledTimer): void {
    if (timer === undefined || timer === null) return;
    core(this).cancelTimer(timer);
  }

  /** Runs when the component starts (again after a stop). Kompact: `on_start`. */
  onStart(): HandlerReturn {}

  /** Runs when the component is stopped (paused). Kompact: `on_stop`. */
  onStop(): HandlerReturn {}

  /** Runs when the component is killed, before it is destroyed. Kompact: `on_kill`. */
  onKill(): HandlerReturn {}

  /**
   * Handles one actor message. The default logs a warning and ignores it.
   *
   * Kompact: `Actor::receive_local`.
   */
  receiveLocal(message: M): HandlerReturn {
    this.ctx.log.warn({ message }, 'Message received by a component that does not handle messages; ignored');
  }

  /**
   * Handles one message sent to this component's actor path (from this or another system): read its
   * value with `msg.tryDeserialise(serialiser)` or `msg.match(...)`, reply to `msg.sender`. The default
   * logs a warning and ignores it.
   *
   * Kompact: `Actor::receive_network`.
   */
  receiveNetwork(msg: NetMessage): HandlerReturn {
    this.ctx.log.warn(
      { sender: msg.sender.toString(), serId: msg.serId },
      'Network message received by a component that does not handle them; ignored',
    );
  }
}

/** The actor message type of a definition type. */
export type MessageOf<D> = D extends ComponentDefinition<infer M> ? M : never;

/**
 * The handler of a port direction typed `never`: no event can arrive there through the types, and
 * one forced through (a cast, `triggerR`) is ignored, as with Kompact's `ignore_requests!`.
 */
function ignoreEvent(): void {}
