import type { Benchmark, Observations } from '../../infra/harness.js';
import { settledMemoryUsed } from '../../infra/heap.js';
import { type Behaviour, type Cell, ReadyLoop } from '../shared/ready-loop.js';
import type { MemoryParams } from './params.js';

// Bytes per idle actor on the plain ready-queue loop: a cell (ring-buffer mailbox + ready flag) with
// the same small stateful behaviour as the kompact-ts suite; `started` makes no difference here (the
// loop has no lifecycle).

class IdleBehaviour implements Behaviour<number> {
  count = 0;

  receive(n: number): void {
    this.count += n;
  }
}

/** Heap bytes per idle cell on the plain-Node loop. */
export class RawLoopMemory implements Benchmark<MemoryParams> {
  #loop = new ReadyLoop();
  #cells: (Cell<number> | undefined)[] = [];
  #heapBefore = 0;
  #observations: Observations = {};

  setup(params: MemoryParams): void {
    this.#cells = new Array<Cell<number> | undefined>(params.components).fill(undefined);
  }

  prepareIteration(): void {
    this.#loop = new ReadyLoop();
    this.#heapBefore = settledMemoryUsed();
  }

  runIteration(): Promise<void> {
    const loop = this.#loop;
    const cells = this.#cells;
    for (let i = 0; i < cells.length; i++) cells[i] = loop.spawn(new IdleBehaviour());
    return Promise.resolve();
  }

  cleanupIteration(): void {
    const heapAfter = settledMemoryUsed();
    this.#observations = { bytesPerComponent: (heapAfter - this.#heapBefore) / this.#cells.length };
    this.#cells.fill(undefined);
  }

  iterationObservations(): Observations {
    return this.#observations;
  }

  teardown(): void {}
}
