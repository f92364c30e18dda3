import {
  type ActorRef,
  type Component,
  ComponentDefinition,
  type KompactSystem,
} from '../../../src/index.js';
import type { Benchmark, Observations } from '../../infra/harness.js';
import { settledMemoryUsed } from '../../infra/heap.js';
import { buildBenchSystem } from '../shared/kompact-system.js';
import { CrashLoopDriver, type CrashLoopMsg, crashLoopObservations, InjectedCrash } from './crash-loop.js';
import type { CrashLoopParams, FaultHeapParams } from './params.js';

// B6 fault recovery on kompact-ts. The crash-loop component throws on `crash` and counts `next`; its
// recovery function, set from its constructor and so always closing over the current instance,
// replaces it with `fault.replaceWith(() => new CrashLoopActor(count))`: the replacement starts from
// the last state, takes over the `ActorRef` and the `next` queued behind the crash, and handles it.

type AnyComponent = Component<ComponentDefinition<unknown>>;

class CrashLoopActor extends ComponentDefinition<CrashLoopMsg> {
  readonly #driver: CrashLoopDriver;
  #handled: number;

  constructor(handled: number, driver: CrashLoopDriver) {
    super();
    this.#handled = handled;
    this.#driver = driver;
    this.ctx.setRecoveryFunction((fault) => {
      const count = this.#handled;
      return fault.replaceWith(() => new CrashLoopActor(count, driver));
    });
  }

  override receiveLocal(msg: CrashLoopMsg): void {
    if (msg.kind === 'crash') throw new InjectedCrash();
    this.#driver.handled(++this.#handled);
  }
}

/** One crash-loop line on a system: its driver, and the component currently in its place. */
class CrashLoopLine {
  readonly driver: CrashLoopDriver;
  current: AnyComponent;
  readonly #unsubscribe: () => void;

  constructor(system: KompactSystem, driver: CrashLoopDriver) {
    this.driver = driver;
    const first = system.create(() => new CrashLoopActor(0, driver));
    this.current = first;
    const ref: ActorRef<CrashLoopMsg> = first.actorRef();
    driver.bind((msg) => ref.tell(msg));
    this.#unsubscribe = system.supervision.on('recovered', (event) => {
      if (event.replacement !== undefined) this.current = event.replacement;
    });
  }

  async end(system: KompactSystem): Promise<void> {
    this.#unsubscribe();
    await system.killNotify(this.current);
  }
}

/**
 * B6 crash loop on kompact-ts: `faults` times, tell `crash` and `next`; per fault the latency from the
 * tell of `crash` to the replacement handling `next`.
 */
export class KompactCrashLoop implements Benchmark<CrashLoopParams> {
  #system: KompactSystem | undefined;
  #faults = 0;
  #line: CrashLoopLine | undefined;
  #observations: Observations = {};

  async setup(params: CrashLoopParams): Promise<void> {
    this.#faults = params.faults;
    this.#system = await buildBenchSystem();
  }

  async prepareIteration(): Promise<void> {
    const system = this.#system!;
    const line = new CrashLoopLine(system, new CrashLoopDriver(this.#faults, { recordLatencies: true }));
    this.#line = line;
    await system.startNotify(line.current);
  }

  runIteration(): Promise<void> {
    return this.#line!.driver.run();
  }

  async cleanupIteration(): Promise<void> {
    const system = this.#system!;
    const line = this.#line!;
    this.#line = undefined;
    const recoveriesBefore = system.supervision.stats.recoveries;
    await line.end(system);
    line.driver.verify();
    this.#observations = crashLoopObservations(line.driver.latenciesUs);
    if (system.supervision.stats.recoveries !== recoveriesBefore) {
      throw new Error('A recovery ran after the crash loop ended');
    }
  }

  iterationObservations(): Observations {
    return this.#observations;
  }

  async teardown(): Promise<void> {
    await this.#system?.shutdown();
  }
}

/**
 * B6 heap check on kompact-ts: one long crash loop of `faults` faults; the heap after the first
 * `checkpoint` faults against the heap after all of them (both after full collections, with the
 * line's one live component).
 */
export class KompactFaultHeap implements Benchmark<FaultHeapParams> {
  #system: KompactSystem | undefined;
  #params: FaultHeapParams | undefined;
  #line: CrashLoopLine | undefined;
  #heapAtCheckpoint = 0;
  #observations: Observations = {};

  async setup(params: FaultHeapParams): Promise<void> {
    this.#params = params;
    this.#system = await buildBenchSystem();
  }

  async prepareIteration(): Promise<void> {
    const system = this.#system!;
    const { faults, checkpoint, budgetMs } = this.#params!;
    const driver = new CrashLoopDriver(faults, {
      recordLatencies: false,
      budgetMs,
      checkpoint: {
        after: checkpoint,
        run: () => {
          this.#heapAtCheckpoint = settledMemoryUsed();
        },
      },
    });
    const line = new CrashLoopLine(system, driver);
    this.#line = line;
    await system.startNotify(line.current);
  }

  runIteration(): Promise<void> {
    return this.#line!.driver.run();
  }

  async cleanupIteration(): Promise<void> {
    const system = this.#system!;
    const line = this.#line!;
    this.#line = undefined;
    const heapAtEnd = settledMemoryUsed();
    await line.end(system);
    line.driver.verify();
    this.#observations = {
      heapAtCheckpointBytes: this.#heapAtCheckpoint,
      heapAtEndBytes: heapAtEnd,
      heapGrowthPercent: (heapAtEnd / this.#heapAtCheckpoint - 1) * 100,
      faultsRecovered: line.driver.recovered,
    };
  }

  iterationObservations(): Observations {
    return this.#observations;
  }

  async teardown(): Promise<void> {
    await this.#system?.shutdown();
  }
}
