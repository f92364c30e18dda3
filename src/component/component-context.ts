import type { Logger } from 'pino';
import type { ActorRef } from '../actors/actor-ref.js';
import type { UniquePath } from '../paths/actor-path.js';
import type { ComponentId } from '../paths/component-id.js';
import type { OffTask } from '../runtime/off-task.js';
import type { Serialiser } from '../serialisation/serialiser.js';
import type { SaveOutcome, Snapshots } from '../snapshots/snapshots.js';
import type { RecoveryFunction } from '../supervision/fault.js';
import type { Config } from '../system/config.js';
import type { SystemHandle } from '../system/system-handle.js';
import type { HandlerResult, HandlerReturn } from './handled.js';

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
  /**
   * Saves `value` under `key` in the system's snapshots, as `snapshots.save` does, and instead of a
   * promise, runs `onSaved` as a turn of this component (with `this` its definition) once the save is
   * durable, or failed: `{ kind: 'saved' }`, or `{ kind: 'failed', error }` with the `KompactError`
   * `save` would reject with. What `onSaved` returns or throws is handled as a handler's result (a
   * throw faults this component).
   *
   * @remarks Nothing waits: the component goes on handling messages while the save is pending, and a
   * save made in the callback starts the next one. Unlike an `async` handler awaiting `save`, no
   * promise and no suspended function are kept per pending save, which is what ten thousand components
   * saving at once keep alive through every garbage collection. Callbacks run in commit order, also
   * while the component is stopped; once it has faulted or been destroyed they are dropped (the saves
   * themselves still commit). Bad input throws here, as `save`'s does.
   *
   * Akka Persistence: `persist(event)(handler)`; Kompact has no durable snapshots.
   *
   * @example
   * ```ts
   * this.ctx.saveSnapshot('counter', { count: this.count }, (outcome) => {
   *   if (outcome.kind === 'failed') this.ctx.log.warn({ err: outcome.error }, 'not saved');
   * });
   * ```
   */
  saveSnapshot<T>(
    key: string,
    value: T,
    onSaved: (outcome: SaveOutcome) => HandlerReturn,
    serialiser?: Serialiser<T>,
  ): void;
  /**
   * Runs `task` (a module function, see `offTask`) with `input` on the system's worker pool, off the
   * event loop, and returns the promise of its result: await it in an `async` handler or
   * `Handled.blockOn` (the component waits) or in `spawnLocal` (the component goes on handling
   * messages meanwhile), so the result is handled as a handler result is.
   *
   * @remarks The promise rejects with what the task threw (awaited in a handler or future, a fault of
   * this component unless caught), or with a `KompactError`: `TASK_NOT_FOUND` (no such module or
   * export), `SERIALISATION_FAILED` (an input or result that cannot be structured-cloned). If this component
   * faults or is destroyed while the task runs, the task still runs to its end, but the promise never
   * settles: its result becomes a dead letter (a failure is logged at debug), and nothing after the
   * `await` runs for the ended component. The pool has `kompact.runtime.threads` threads.
   *
   * Kompact: `spawn_off`.
   */
  spawnOff<I, R>(task: OffTask<I, R>, input: I): Promise<R>;
}
