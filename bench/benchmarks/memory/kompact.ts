import { type Component, ComponentDefinition, type KompactSystem } from '../../../src/index.js';
import type { Benchmark, Observations } from '../../infra/harness.js';
import { settledMemoryUsed } from '../../infra/heap.js';
import { CountdownLatch } from '../../infra/latch.js';
import { buildBenchSystem } from '../shared/kompact-system.js';
import type { MemoryParams } from './params.js';

// Bytes per idle component on kompact-ts: create `components` components of a small stateful actor
// (the shape of B1's pinger: a counter and a message handler), optionally start them, and take the heap
// delta after full collections. The timed part is the creation (and start), so the table also shows
// components created per second. The benchmark keeps the `Component` handles in an array allocated
// before the baseline heap reading, so the array itself is not counted.

/** Counts lifecycle hooks down for the benchmark. */
class Hooks {
  started: CountdownLatch | undefined;
  killed: CountdownLatch | undefined;
}

class IdleActor extends ComponentDefinition<number> {
  count = 0;
  readonly #hooks: Hooks;

  constructor(hooks: Hooks) {
    super();
    this.#hooks = hooks;
  }

  override receiveLocal(n: number): void {
    this.count += n;
  }

  override onStart(): void {
    this.#hooks.started!.countDown();
  }

  override onKill(): void {
    this.#hooks.killed!.countDown();
  }
}

/** Heap bytes per idle kompact-ts component (created, or created and started). */
export class KompactMemory implements Benchmark<MemoryParams> {
  #system: KompactSystem | undefined;
  #params: MemoryParams | undefined;
  #components: (Component<IdleActor> | undefined)[] = [];
  readonly #hooks = new Hooks();
  #heapBefore = 0;
  #observations: Observations = {};

  async setup(params: MemoryParams): Promise<void> {
    this.#params = params;
    this.#system = await buildBenchSystem();
    this.#components = new Array<Component<IdleActor> | undefined>(params.components).fill(undefined);
  }

  prepareIteration(): void {
    const { components, started } = this.#params!;
    this.#hooks.started = started ? new CountdownLatch(components) : undefined;
    this.#hooks.killed = new CountdownLatch(components);
    this.#heapBefore = settledMemoryUsed();
  }

  runIteration(): Promise<void> {
    const system = this.#system!;
    const hooks = this.#hooks;
    const components = this.#components;
    const count = components.length;
    for (let i = 0; i < count; i++) components[i] = system.create(() => new IdleActor(hooks));
    if (hooks.started === undefined) return Promise.resolve();
    for (let i = 0; i < count; i++) system.start(components[i]!);
    return hooks.started.promise;
  }

  async cleanupIteration(): Promise<void> {
    const heapAfter = settledMemoryUsed();
    const system = this.#system!;
    const components = this.#components;
    this.#observations = { bytesPerComponent: (heapAfter - this.#heapBefore) / components.length };
    for (const component of components) system.kill(component!);
    components.fill(undefined);
    await this.#hooks.killed!.promise;
  }

  iterationObservations(): Observations {
    return this.#observations;
  }

  async teardown(): Promise<void> {
    await this.#system?.shutdown();
  }
}
