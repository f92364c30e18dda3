import type { Logger } from 'pino';
import type { ActorRef } from '../actors/actor-ref.js';
import type { UniquePath } from '../paths/actor-path.js';
import type { ComponentId } from '../paths/component-id.js';
import type { Snapshots } from '../snapshots/snapshots.js';
import type { RecoveryFunction } from '../supervision/fault.js';
import type { Config } from '../system/config.js';
import type { SystemHandle } from '../system/system-handle.js';
import type { HandlerResult } from './handled.js';

/**
 * A component's view of the runtime, as `this.ctx` inside its definition.
 *
 * Kompact: `ComponentContext<Self>`.
 */
export interface ComponentContext<M> {
  /** This component's id. */
  readonly id: ComponentId;
  /** This component's logger: the system logger with `cid` and `ctype` fields. */
  readonly log: Logger;
  /** The system's configuration. */
  readonly config: Config;
  /** The system this component lives in. */
  system(): SystemHandle;
  /**
   * The system's snapshots: `save(key, value)` resolves once the value is durable in the system's
   * store, `load(key)` reads it back, in this run or (with a durable store) after a crash.
   */
  readonly snapshots: Snapshots;
  /**
   * This component's own actor reference. Once the component has ended (faulted, or killed and its
   * `onKill` done), a reference whose messages are dead letters.
   */
  actorRef(): ActorRef<M>;
  /**
   * This component's unique path (`tcp://host:port#<id>`, or `local://…` without a network), which
   * reaches it from other systems. Asking for it registers it. Kompact: `actor_path`.
   */
  actorPath(): UniquePath;
  /**
   * Kills this component after the current turn (lazy: the handler and the rest of the turn finish
   * first). For immediate termination return `Handled.Shutdown`.
   */
  suicide(): void;
  /**
   * Replaces this component's recovery function; call it again to update the state it captures
   * (a snapshot for the replacement to start from).
   */
  setRecoveryFunction(fn: RecoveryFunction): void;
  /**
   * Runs `future` alongside this component's message handling (it does not block the component).
   * Its first step runs on the component's next turn; what it resolves to is classified like a
   * handler result, and a rejection is a fault of this component.
   *
   * @remarks If the component faults or is killed while the future waits at an `await`, the rest of
   * it still runs, but this context is inert for it from then on: `actorRef()` dead-letters, timers
   * come back cancelled, `spawnLocal`, `suicide` and `setRecoveryFunction` do nothing, with one
   * warning logged.
   *
   * Kompact: `spawn_local`.
   */
  spawnLocal(future: () => PromiseLike<HandlerResult>): void;
}
