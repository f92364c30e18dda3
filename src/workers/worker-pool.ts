import type { ComponentDefinition } from '../component/component-definition.js';
import { parseAlias } from '../dispatch/alias.js';
import { describeValue } from '../internal/describe-value.js';
import type { ActorPath } from '../paths/actor-path.js';
import { NamedPath } from '../paths/actor-path.js';
import type { SystemPath } from '../paths/system-path.js';
import { type DefinitionClass, originOf } from './remotable.js';
import type { RemoteComponent } from './remote-component.js';
import type { PoolRoute, WorkerRoute } from './thread-link.js';
import type { SpawnWorkerOptions, WorkerSystem } from './worker-system.js';

/**
 * How a pool's select path picks a worker: in turn (`round-robin`), or by a hash of the sender's path
 * (`sender-hash`: one sender's messages all reach one worker while the pool's members are up).
 */
export type PoolRouting = 'round-robin' | 'sender-hash';

/** Options of `system.spawnWorkers`: those of `spawnWorker`, a count and the select routing. */
export interface SpawnWorkersOptions extends SpawnWorkerOptions {
  /** How many workers. Default: config `kompact.runtime.threads` (itself `os.availableParallelism()`). */
  readonly count?: number;
  /** How the select path picks a worker. Default `round-robin`. */
  readonly routing?: PoolRouting;
}

let routeOf: (pool: WorkerPool) => PoolRoute;

/** The route of `pool` as the thread link sees it. */
export function poolRoute(pool: WorkerPool): PoolRoute {
  return routeOf(pool);
}

/**
 * Workers of one module made by `system.spawnWorkers`, with paths that reach one of them per message
 * ({@link WorkerPool.selectPath}) or all of them ({@link WorkerPool.broadcastPath}).
 *
 * Kompact: a routing group over the same alias on each worker, as `set_routing_policy` makes on one
 * system (`?` select, `*` broadcast).
 *
 * @remarks A worker that is down is skipped; when none is up, the message is a dead letter
 * (`worker-down`). The pool's paths are on its own system path, `thread://pool:<n>`, known only to
 * the process that spawned it (workers reach them through their parent).
 *
 * @example
 * ```ts
 * const pool = await system.spawnWorkers(new URL('./hash-worker.js', import.meta.url), { count: 4 });
 * pool.selectPath('hash').tell('some text', client);
 * ```
 */
export class WorkerPool {
  /** The pool's workers, in spawn order. */
  readonly workers: readonly WorkerSystem[];
  readonly #systemPath: SystemPath;
  readonly #routing: PoolRouting;
  readonly #routes: readonly WorkerRoute[];
  #next = 0;
  /** Components created by `create` on each worker. */
  readonly #load: number[];
  readonly #byKey = new Map<string, Promise<RemoteComponent<ComponentDefinition<unknown>>>>();
  readonly #route: PoolRoute;

  static {
    routeOf = (pool) => pool.#route;
  }

  /** Made by `spawnWorkers`. */
  constructor(
    systemPath: SystemPath,
    workers: readonly WorkerSystem[],
    routes: readonly WorkerRoute[],
    routing: PoolRouting,
  ) {
    this.#systemPath = systemPath;
    this.workers = workers;
    this.#routes = routes;
    this.#routing = routing;
    this.#load = workers.map(() => 0);
    this.#route = { name: `pool ${systemPath.toString()}`, pick: (sender, all) => this.#pick(sender, all) };
  }

  /** The pool's own system path, `thread://pool:<n>`. */
  systemPath(): SystemPath {
    return this.#systemPath;
  }

  /** A path that reaches `alias` on one worker per message (round-robin or sender-hash). */
  selectPath(alias: string): NamedPath {
    return new NamedPath(this.#systemPath, parseAlias(alias), 'select');
  }

  /** A path that reaches `alias` on every worker that is up. */
  broadcastPath(alias: string): NamedPath {
    return new NamedPath(this.#systemPath, parseAlias(alias), 'broadcast');
  }

  /**
   * Creates a component of `definitionClass` on the worker of the pool with the fewest components
   * created so far (as `worker.create` does on one worker).
   */
  create<C extends DefinitionClass<ComponentDefinition<unknown>>>(
    definitionClass: C,
    ...args: ConstructorParameters<C>
  ): Promise<RemoteComponent<InstanceType<C>>> {
    let chosen = 0;
    for (let i = 1; i < this.workers.length; i++) {
      if ((this.#load[i] as number) < (this.#load[chosen] as number)) chosen = i;
    }
    this.#load[chosen] = (this.#load[chosen] as number) + 1;
    return (this.workers[chosen] as WorkerSystem).create(definitionClass, ...args);
  }

  /**
   * The component of `definitionClass` for `key`: created on the worker a stable hash of `key` picks,
   * the first time, and the same handle for the same key afterwards (a sharded service in one line).
   *
   * Kompact: none; Orleans' virtual actors and `getOrSpawn` of remote-objects work this way.
   *
   * @remarks A creation that failed is forgotten, so the next call tries again.
   */
  createFor<C extends DefinitionClass<ComponentDefinition<unknown>>>(
    key: string,
    definitionClass: C,
    ...args: ConstructorParameters<C>
  ): Promise<RemoteComponent<InstanceType<C>>> {
    if (typeof key !== 'string') {
      throw new TypeError(`Expected \`key\` to be a string, got ${describeValue(key)}`);
    }
    const { moduleUrl, exportName } = originOf(definitionClass);
    const id = `${moduleUrl}#${exportName}#${key}`;
    let made = this.#byKey.get(id) as Promise<RemoteComponent<InstanceType<C>>> | undefined;
    if (made === undefined) {
      const worker = this.workers[hashOf(key) % this.workers.length] as WorkerSystem;
      made = worker.create(definitionClass, ...args);
      this.#byKey.set(id, made);
      made.catch(() => this.#byKey.delete(id));
    }
    return made;
  }

  /** Terminates every worker of the pool (each as `WorkerSystem.terminate` does). */
  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  #pick(sender: ActorPath, all: boolean): readonly WorkerRoute[] {
    const routes = this.#routes;
    if (all) return routes.filter((route) => route.channel !== undefined);
    const count = routes.length;
    const start = this.#routing === 'round-robin' ? this.#next++ % count : hashOf(sender.toString()) % count;
    // The first worker that is up from the chosen one on.
    for (let i = 0; i < count; i++) {
      const route = routes[(start + i) % count] as WorkerRoute;
      if (route.channel !== undefined) return [route];
    }
    return [];
  }
}

/** FNV-1a of `text`, as an unsigned 32-bit integer. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
