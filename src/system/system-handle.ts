import type { Logger } from 'pino';
import type { ActorRef } from '../actors/actor-ref.js';
import type { Component } from '../component/component.js';
import type { ComponentDefinition } from '../component/component-definition.js';
import type { NamedPath, UniquePath } from '../paths/actor-path.js';
import type { SystemPath } from '../paths/system-path.js';
import type { Snapshots } from '../snapshots/snapshots.js';
import type { ScheduledTimer } from '../timer/scheduled-timer.js';
import type { Config } from './config.js';

/**
 * What components and recovery handlers may do with their system: create and drive components, and
 * shut the system down. `ctx.system()` and the supervisor's handle in `recoverWith` are this.
 *
 * Kompact: `SystemHandle` / `ContextSystemHandle`.
 */
export interface SystemHandle {
  /** The system's label (config `kompact.runtime.label`). */
  readonly label: string;
  /** The system's immutable configuration. */
  readonly config: Config;
  /** The system's root logger. */
  readonly logger: Logger;
  /** The system's snapshots, kept in its snapshot store (see `KompactSystem.snapshots`). */
  readonly snapshots: Snapshots;
  /** Milliseconds on the system's clock. */
  now(): number;
  /** Creates a passive (not yet started) component from a definition factory. */
  create<D extends ComponentDefinition<unknown>>(factory: () => D): Component<D>;
  /** Asks `component` to start; returns at once. */
  start(component: Component<ComponentDefinition<unknown>>): void;
  /** Asks `component` to stop (pause); returns at once. */
  stop(component: Component<ComponentDefinition<unknown>>): void;
  /** Asks `component` to be destroyed; returns at once. */
  kill(component: Component<ComponentDefinition<unknown>>): void;
  /** Starts `component`; resolves once its `onStart` has completed. */
  startNotify(component: Component<ComponentDefinition<unknown>>): Promise<void>;
  /** Stops `component`; resolves once its `onStop` has completed. */
  stopNotify(component: Component<ComponentDefinition<unknown>>): Promise<void>;
  /** Kills `component`; resolves once it is destroyed. */
  killNotify(component: Component<ComponentDefinition<unknown>>): Promise<void>;
  /** Cancels a timer of any component of this system; a no-op for a finished or foreign one. */
  cancelTimer(timer: ScheduledTimer): void;
  /** This system's address (see `KompactSystem.systemPath`). */
  systemPath(): SystemPath;
  /** The unique path of `component`, registering it. */
  actorPathFor(component: Component<ComponentDefinition<unknown>>): UniquePath;
  /** Registers `component` under its unique path. */
  register(component: Component<ComponentDefinition<unknown>>): Promise<UniquePath>;
  /** Registers `component` under `alias`; rejects with `DUPLICATE_ENTRY` when taken. */
  registerByAlias(component: Component<ComponentDefinition<unknown>>, alias: string): Promise<NamedPath>;
  /** Registers `component` under `alias`, replacing what was there (re-points a named service). */
  updateAliasRegistration(
    component: Component<ComponentDefinition<unknown>>,
    alias: string,
  ): Promise<NamedPath>;
  /** The path whose messages are dead letters, the sender of messages from nobody. Kompact: `deadletter_path`. */
  deadLetterPath(): UniquePath;
  /** A reference whose messages are dead letters. Kompact: `SystemHandle::deadletter_ref`. */
  deadLetterRef(): ActorRef<unknown>;
  /** Shuts the whole system down (see `KompactSystem.shutdown`). */
  shutdown(): Promise<void>;
}
