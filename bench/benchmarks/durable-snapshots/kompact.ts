import {
  type Component,
  ComponentDefinition,
  KompactConfig,
  type KompactSystem,
  type SaveOutcome,
  Serialisers,
} from '../../../src/index.js';
import { sqliteSnapshotStore } from '../../../src/sqlite/index.js';
import type { Benchmark, Observations } from '../../infra/harness.js';
import { CountdownLatch } from '../../infra/latch.js';
import type { AckLatencyParams, SaveRateParams } from './params.js';
import { LoopLag, tempDatabase } from './temp-database.js';

// B8a and B8b on kompact-ts: a system whose snapshot store is a SQLite file in a temp dir
// (WAL, synchronous = FULL, the store's worker thread), saving through `ctx.snapshots` / `system.snapshots`.

type SaveRun = { readonly saves: number; readonly latch: CountdownLatch };

/**
 * Saves its state under its key `saves` times, each after the previous one was acknowledged, with
 * `ctx.saveSnapshot`: the acknowledgement runs its callback in a turn; no promise per save.
 */
class Saver extends ComponentDefinition<SaveRun> {
  #run: SaveRun | undefined;
  #left = 0;
  readonly #saved = (outcome: SaveOutcome): void => {
    if (outcome.kind === 'failed') throw outcome.error;
    if (--this.#left > 0) this.#save();
    else this.#run?.latch.countDown();
  };

  constructor(
    readonly key: string,
    readonly state: Uint8Array,
  ) {
    super();
  }

  override receiveLocal(run: SaveRun): void {
    this.#run = run;
    this.#left = run.saves;
    this.#save();
  }

  #save(): void {
    this.ctx.saveSnapshot(this.key, this.state, this.#saved, Serialisers.bytes);
  }
}

/** The same with an `async` handler that awaits `ctx.snapshots.save` (the `kompact-ts-await` row). */
class AwaitingSaver extends ComponentDefinition<SaveRun> {
  constructor(
    readonly key: string,
    readonly state: Uint8Array,
  ) {
    super();
  }

  override async receiveLocal(run: SaveRun): Promise<void> {
    const snapshots = this.ctx.snapshots;
    for (let i = 0; i < run.saves; i++) await snapshots.save(this.key, this.state, Serialisers.bytes);
    run.latch.countDown();
  }
}

async function durableSystem(file: string, maxBatchSize: number): Promise<KompactSystem> {
  return KompactConfig.default()
    .throughput(50)
    .logLevel('silent')
    .snapshotStore(await sqliteSnapshotStore(file, { maxBatchSize }))
    .build();
}

function stateOf(bytes: number, seed: number): Uint8Array {
  const state = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) state[i] = (seed + i) & 0xff;
  return state;
}

/**
 * B8a on kompact-ts: `components` components each saving as fast as acknowledged, with
 * `ctx.saveSnapshot` callbacks, or (`awaiting`) with `await ctx.snapshots.save` in an async handler.
 */
export class KompactSaveRate implements Benchmark<SaveRateParams> {
  readonly #isAwaiting: boolean;
  #params: SaveRateParams | undefined;
  #database: ReturnType<typeof tempDatabase> | undefined;
  #system: KompactSystem | undefined;
  #savers: Component<ComponentDefinition<SaveRun>>[] = [];
  #latch: CountdownLatch | undefined;
  readonly #lag = new LoopLag();
  #observations: Observations = {};

  constructor(awaiting: boolean) {
    this.#isAwaiting = awaiting;
  }

  async setup(params: SaveRateParams): Promise<void> {
    this.#params = params;
    this.#database = tempDatabase();
    const system = await durableSystem(this.#database.file, params.batch);
    this.#system = system;
    const Kind = this.#isAwaiting ? AwaitingSaver : Saver;
    for (let i = 0; i < params.components; i++) {
      const saver = system.create(() => new Kind(`c/${i}`, stateOf(params.bytes, i)));
      this.#savers.push(saver);
    }
    await Promise.all(this.#savers.map((saver) => system.startNotify(saver)));
  }

  prepareIteration(): void {
    this.#latch = new CountdownLatch(this.#params!.components);
    this.#lag.start();
  }

  runIteration(): Promise<void> {
    const run = { saves: this.#params!.savesPerComponent, latch: this.#latch! };
    for (const saver of this.#savers) saver.actorRef().tell(run);
    return run.latch.promise;
  }

  async cleanupIteration(): Promise<void> {
    this.#observations = this.#lag.stop();
    const { components, bytes } = this.#params!;
    const last = components - 1;
    const loaded = await this.#system!.snapshots.load(`c/${last}`, Serialisers.bytes);
    const expected = stateOf(bytes, last);
    if (!(loaded instanceof Uint8Array) || Buffer.compare(loaded, expected) !== 0) {
      throw new Error(`c/${last} loaded ${String(loaded)}, not its ${bytes}-byte state`);
    }
  }

  iterationObservations(): Observations {
    return this.#observations;
  }

  async teardown(): Promise<void> {
    await this.#system?.shutdown();
    this.#database?.remove();
  }
}

/** B8b on kompact-ts: saves at a fixed rate (open loop) over `keys` keys; each save's time to its acknowledgement. */
export class KompactAckLatency implements Benchmark<AckLatencyParams> {
  #params: AckLatencyParams | undefined;
  #database: ReturnType<typeof tempDatabase> | undefined;
  #system: KompactSystem | undefined;
  #states: Uint8Array[] = [];
  #latencies = new Float64Array(0);
  #observations: Observations = {};
  readonly #lag = new LoopLag();

  async setup(params: AckLatencyParams): Promise<void> {
    this.#params = params;
    this.#database = tempDatabase();
    this.#system = await durableSystem(this.#database.file, 1000);
    for (let i = 0; i < params.keys; i++) this.#states.push(stateOf(params.bytes, i));
    this.#latencies = new Float64Array(Math.ceil((params.rate * params.durationMs) / 1000) + 1);
  }

  prepareIteration(): void {
    this.#lag.start();
  }

  async runIteration(): Promise<void> {
    const { rate, durationMs, keys } = this.#params!;
    const snapshots = this.#system!.snapshots;
    const latencies = this.#latencies;
    const total = latencies.length - 1;
    const states = this.#states;
    const acks: Promise<void>[] = [];
    const started = performance.now();
    let issued = 0;
    // Open loop: each turn of the loop issues the saves due by then, so a slow acknowledgement does
    // not slow the offered rate down. Saves that share a batch share its promise: one `then` per
    // group, and each save of the group gets the group's latency from its first save (an upper bound).
    while (issued < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000));
      let groupStart = issued;
      let groupPromise: Promise<void> | undefined;
      const sentAt = performance.now();
      const close = (from: number, to: number, promise: Promise<void>): void => {
        acks.push(
          promise.then(() => {
            latencies.fill(performance.now() - sentAt, from, to);
          }),
        );
      };
      for (; issued < due; issued++) {
        const key = issued % keys;
        const ack = snapshots.save(`k/${key}`, states[key] as Uint8Array, Serialisers.bytes);
        if (ack !== groupPromise) {
          if (groupPromise !== undefined) close(groupStart, issued, groupPromise);
          groupPromise = ack;
          groupStart = issued;
        }
      }
      if (groupPromise !== undefined) close(groupStart, issued, groupPromise);
      if (performance.now() - started > durationMs * 5) throw new Error('could not offer the rate');
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(acks);
  }

  cleanupIteration(): void {
    const lag = this.#lag.stop();
    const sorted = this.#latencies.slice(0, -1).sort();
    const at = (p: number): number =>
      sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
    this.#observations = { ackP50Ms: at(0.5), ackP99Ms: at(0.99), ...lag };
  }

  iterationObservations(): Observations {
    return this.#observations;
  }

  async teardown(): Promise<void> {
    await this.#system?.shutdown();
    this.#database?.remove();
  }
}
