import type { ActorRef } from '../actors/actor-ref.js';
import { describeValue } from '../internal/describe-value.js';
import type { ComponentId } from '../paths/component-id.js';
import { messageSource, type TellSource } from '../paths/message-source.js';
import type { Port } from '../ports/port.js';
import type { ProvidedPort, RequiredPort } from '../ports/port-ends.js';
import type { RecoveryFunction } from '../supervision/fault.js';
import type { ComponentCore, LifecycleState } from './component-core.js';
import type { ComponentDefinition, MessageOf } from './component-definition.js';

let coreOfComponent: (component: Component<ComponentDefinition<unknown>>) => ComponentCore;

/**
 * A created component, as the outside world holds it: its id, actor reference, state queries, and
 * access to its definition. Made by `system.create`.
 *
 * Kompact: `Arc<Component<CD>>`.
 */
export class Component<D extends ComponentDefinition<unknown>> {
  readonly #core: ComponentCore;

  static {
    coreOfComponent = (component) => component.#core;
  }

  /** @internal Made by `system.create`. */
  constructor(core: ComponentCore) {
    this.#core = core;
  }

  /** @internal `path.tell(value, component)` sends from this component (see `ComponentCore`). */
  [messageSource](): TellSource {
    return this.#core[messageSource]();
  }

  /** The component's id. */
  get id(): ComponentId {
    return this.#core.id;
  }

  /** The component's actor reference. */
  actorRef(): ActorRef<MessageOf<D>> {
    return this.#core.lineRef() as ActorRef<MessageOf<D>>;
  }

  /**
   * Runs `fn` with the component's definition and returns its result. Do not call it from a handler
   * of another component to mutate this one while it runs; JavaScript cannot interleave, but state
   * shared that way bypasses the component's mailbox order.
   *
   * Kompact: `on_definition`.
   */
  onDefinition<R>(fn: (definition: D) => R): R {
    if (typeof fn !== 'function') {
      throw new TypeError(`Expected \`fn\` to be a function, got ${describeValue(fn)}`);
    }
    return fn(this.#core.definition as D);
  }

  /**
   * Where the component is in its life: `passive` (created or stopped), `active`, `faulty` or
   * `destroyed`. Kompact has no public getter (only `is_active`, `is_faulty`, `is_destroyed`).
   */
  get state(): LifecycleState {
    return this.#core.state;
  }

  /**
   * Resolves once the component has ended: faulted, or destroyed (killed, `Handled.Shutdown`, an
   * unrecoverable error, system shutdown). At once if it already has. Never rejects.
   *
   * Kompact: `Component::wait_ended` (which spins; this is a promise).
   */
  waitEnded(): Promise<void> {
    const core = this.#core;
    if (core.isEnded) return Promise.resolve();
    // The kill listeners resolve when the core is destroyed and are rejected when it faults: either
    // way it ended.
    return new Promise<void>((resolve) => core.listen('kill', { resolve, reject: () => resolve() }));
  }

  /** Whether the component is started and not stopped, faulty or destroyed. */
  isActive(): boolean {
    return this.#core.state === 'active';
  }

  /** Whether a handler of the component faulted (it never runs again). */
  isFaulty(): boolean {
    return this.#core.state === 'faulty';
  }

  /** Whether the component was killed or destroyed by an unrecoverable error. */
  isDestroyed(): boolean {
    return this.#core.state === 'destroyed';
  }

  /** The component's provided port of `type`, or `undefined`. Kompact: `get_provided_port`. */
  getProvidedPort<Request, Indication>(
    type: Port<Request, Indication>,
  ): ProvidedPort<Request, Indication> | undefined {
    return this.#core.providedPort(type);
  }

  /** The component's required port of `type`, or `undefined`. Kompact: `get_required_port`. */
  getRequiredPort<Request, Indication>(
    type: Port<Request, Indication>,
  ): RequiredPort<Request, Indication> | undefined {
    return this.#core.requiredPort(type);
  }

  /**
   * Replaces the component's recovery function. Kompact: `Component::set_recovery_function`.
   */
  setRecoveryFunction(fn: RecoveryFunction): void {
    this.#core.setRecoveryFunction(fn);
  }
}

/** @internal The core behind a component handle. */
export function coreOf(component: Component<ComponentDefinition<unknown>>): ComponentCore {
  return coreOfComponent(component);
}
