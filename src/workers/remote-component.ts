import type { ComponentDefinition } from '../component/component-definition.js';
import { ActorPath, type UniquePath } from '../paths/actor-path.js';

/** How a handle reaches the worker its component lives on. */
export interface ComponentHome {
  readonly name: string;
  lifecycle(componentId: string, action: 'start' | 'stop' | 'kill' | 'is-faulty'): Promise<unknown>;
}

/**
 * A component created on a worker by class (`worker.create(Counter, ...args)`): its path, and its
 * lifecycle as requests to the worker. Every promise settles: with the worker's answer, or with
 * `WORKER_DOWN` when the worker's thread ends first.
 *
 * Kompact: the `Arc<Component<C>>` that `system.create` returns, across a thread.
 */
export class RemoteComponent<D extends ComponentDefinition<unknown> = ComponentDefinition<unknown>> {
  /** The component's id on its worker. */
  readonly id: string;
  readonly #path: UniquePath;
  readonly #home: ComponentHome;
  /** Only for the definition type: a handle never holds the definition, which lives on the worker. */
  declare readonly definitionType?: D;

  /** Made by `worker.create`. */
  constructor(home: ComponentHome, id: string, path: string) {
    this.#home = home;
    this.id = id;
    this.#path = ActorPath.parse(path) as UniquePath;
  }

  /** The component's unique path on its worker. Kompact: `actor_path`. */
  actorPath(): UniquePath {
    return this.#path;
  }

  /** Starts it; resolves once its `onStart` completed. Kompact: `start_notify`. */
  startNotify(): Promise<void> {
    return this.#home.lifecycle(this.id, 'start') as Promise<void>;
  }

  /** Stops it; resolves once its `onStop` completed. Kompact: `stop_notify`. */
  stopNotify(): Promise<void> {
    return this.#home.lifecycle(this.id, 'stop') as Promise<void>;
  }

  /** Kills it; resolves once it is destroyed. Kompact: `kill_notify`. */
  killNotify(): Promise<void> {
    return this.#home.lifecycle(this.id, 'kill') as Promise<void>;
  }

  /** Starts it without waiting; a failure is only logged by the worker. Kompact: `start`. */
  start(): void {
    this.startNotify().catch(() => {});
  }

  /** Stops it without waiting. Kompact: `stop`. */
  stop(): void {
    this.stopNotify().catch(() => {});
  }

  /** Kills it without waiting. Kompact: `kill`. */
  kill(): void {
    this.killNotify().catch(() => {});
  }

  /** Whether it is faulty (asked of its worker). Kompact: `is_faulty`. */
  isFaulty(): Promise<boolean> {
    return this.#home.lifecycle(this.id, 'is-faulty') as Promise<boolean>;
  }
}
