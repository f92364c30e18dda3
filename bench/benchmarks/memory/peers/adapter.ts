import type { Benchmark, Observations } from '../../../infra/harness.js';
import type { PeerName } from '../../shared/peers/names.js';
import { lastCreationMs } from '../../shared/peers/support.js';
import type { MemoryParams } from '../params.js';
import { bytesPerIdleActor } from './index.js';

/**
 * Heap bytes per idle actor of a peer as a Memory point: each iteration makes `components` idle actors
 * of the peer (started, as a peer's actors are once spawned), measures the heap and stops them again.
 *
 * @remarks The iteration time includes the collections around the measurement; the creation time
 * alone is reported as the `creationMs` observation (the "created/s" column).
 */
export class PeerMemory implements Benchmark<MemoryParams> {
  readonly #peer: PeerName;
  #components = 0;
  #observations: Observations = {};

  constructor(peer: PeerName) {
    this.#peer = peer;
  }

  setup({ components, started }: MemoryParams): void {
    if (!started) throw new Error(`${this.#peer}: the peers' idle actors are always started`);
    this.#components = components;
  }

  prepareIteration(): void {}

  async runIteration(): Promise<void> {
    const bytes = await bytesPerIdleActor[this.#peer](this.#components);
    this.#observations = { bytesPerComponent: bytes, creationMs: lastCreationMs };
  }

  cleanupIteration(): void {}

  iterationObservations(): Observations {
    return this.#observations;
  }

  teardown(): void {}
}
