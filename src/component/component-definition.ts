import type { ComponentContext } from './component-context.js';
import { claimCore } from './creation.js';
import type { HandlerReturn } from './handled.js';

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
}

/** The actor message type of a definition type. */
export type MessageOf<D> = D extends ComponentDefinition<infer M> ? M : never;
