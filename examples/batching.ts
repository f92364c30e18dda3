// The shared part of the batching examples (Kompact's book chapter "Timers": buncher_regular.rs,
// buncher_adaptive.rs, batching.rs): pings go into a Buncher over the Batching port, batches come out
// to a BatchPrinter.
// #region batching
import { ComponentDefinition, port } from '../src/index.js';

/** One item to batch. */
export class Ping {
  constructor(readonly index: number) {}
}

/** A batch of pings. */
export class Batch {
  constructor(readonly pings: readonly Ping[]) {}
}

/** Requests are pings, indications are batches. */
export const Batching = port<Ping, Batch>('Batching');

/** Logs the size of every batch it receives (and remembers the sizes, for the examples' tests). */
export class BatchPrinter extends ComponentDefinition {
  readonly sizes: number[] = [];

  readonly batchPort = this.requirePort(Batching, (batch) => {
    this.sizes.push(batch.pings.length);
    this.ctx.log.info(`Got a batch with ${batch.pings.length} Pings.`);
  });
}
// #endregion batching
