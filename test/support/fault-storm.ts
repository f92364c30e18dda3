// The fault-storm probe: many components with snapshotting recovery functions, driven with numbered
// messages of which every k-th throws; each component checks the numbers it handles, across its
// replacements, so a lost, duplicated or reordered message shows up in its tally.
import { ComponentDefinition, type FaultContext, type KompactSystem } from '../../src/index.js';
import { within } from './promises.js';

/** What a storm worker knows, carried from each instance to its replacement by the recovery snapshot. */
interface Tally {
  /** The sequence number it expects next. */
  readonly next: number;
  /** Messages handled, the faulting ones included. */
  readonly handled: number;
  /** The first few surprises: "expected 7, got 9" (a loss), "expected 9, got 7" (a duplicate or reordering). */
  readonly anomalies: readonly string[];
}

const FRESH: Tally = Object.freeze({ next: 0, handled: 0, anomalies: Object.freeze([]) });

/** Counts handled messages over all workers; `until(n)` resolves once `n` have been handled. */
class Progress {
  handled = 0;
  #target = Number.POSITIVE_INFINITY;
  #reached: (() => void) | undefined;

  add(): void {
    if (++this.handled >= this.#target) {
      this.#target = Number.POSITIVE_INFINITY;
      this.#reached?.();
    }
  }

  until(target: number): Promise<void> {
    if (this.handled >= target) return Promise.resolve();
    return new Promise((resolve) => {
      this.#target = target;
      this.#reached = resolve;
    });
  }
}

/** Handles sequence numbers in order; throws on every `every`-th; snapshots its tally after each message. */
class StormWorker extends ComponentDefinition<number> {
  #next: number;
  #handled: number;
  #anomalies: string[];

  constructor(
    tally: Tally,
    private readonly every: number,
    private readonly progress: Progress,
    private readonly results: Tally[],
    private readonly index: number,
  ) {
    super();
    this.#next = tally.next;
    this.#handled = tally.handled;
    this.#anomalies = [...tally.anomalies];
  }

  override onStart(): void {
    this.#snapshot();
  }

  override receiveLocal(seq: number): void {
    if (seq !== this.#next && this.#anomalies.length < 10)
      this.#anomalies.push(`expected ${this.#next}, got ${seq}`);
    this.#next = Math.max(this.#next, seq + 1);
    this.#handled++;
    this.results[this.index] = { next: this.#next, handled: this.#handled, anomalies: this.#anomalies };
    this.#snapshot();
    this.progress.add();
    if (seq % this.every === this.every - 1) throw new Error(`storm fault at ${seq}`);
  }

  /** Re-sets the recovery function over the current tally: the replacement starts from it. */
  #snapshot(): void {
    const tally: Tally = { next: this.#next, handled: this.#handled, anomalies: [...this.#anomalies] };
    const { every, progress, results, index } = this;
    this.ctx.setRecoveryFunction((fault: FaultContext) =>
      fault.replaceWith(() => new StormWorker(tally, every, progress, results, index)),
    );
  }
}

/** The size of a storm. */
export interface StormOptions {
  readonly components: number;
  readonly faultsPerComponent: number;
  /** Every `every`-th message of a component throws. */
  readonly every: number;
  /** Messages sent to every component before waiting for them to be handled (bounds the queued mail). */
  readonly messagesPerWave: number;
  /** How long to wait for one wave to be handled. */
  readonly waveDeadlineMs: number;
}

/** What a storm found. */
export interface StormReport {
  readonly components: number;
  readonly messages: number;
  readonly faults: number;
  readonly recoveries: number;
  readonly deadLetters: number;
  /** A stalled wave, then the components whose tally is not "every number once, in order". */
  readonly wrong: readonly string[];
  readonly elapsedMs: number;
}

/** Runs a fault storm on `system` and reports, per component, whether every message was handled once and in order. */
export async function faultStorm(system: KompactSystem, options: StormOptions): Promise<StormReport> {
  const { components, faultsPerComponent, every, messagesPerWave, waveDeadlineMs } = options;
  const perComponent = faultsPerComponent * every;
  const progress = new Progress();
  const results: Tally[] = new Array<Tally>(components).fill(FRESH);
  const started = performance.now();
  const workers = Array.from({ length: components }, (_, index) =>
    system.create(() => new StormWorker(FRESH, every, progress, results, index)),
  );
  await within(
    Promise.all(workers.map((worker) => system.startNotify(worker))),
    waveDeadlineMs,
    `${components} storm workers to start`,
  );
  const refs = workers.map((worker) => worker.actorRef());
  let stalled: string | undefined;
  for (let from = 0; from < perComponent; from += messagesPerWave) {
    const to = Math.min(perComponent, from + messagesPerWave);
    // Interleaved over the components, so faults and replacements of many happen in the same turns.
    for (let seq = from; seq < to; seq++) for (const ref of refs) ref.tell(seq);
    // A lost message stalls the wave: stop waiting and report the tallies, which say what went missing.
    const isHandled = await within(progress.until(components * to), waveDeadlineMs, 'the wave').then(
      () => true,
      () => false,
    );
    if (!isHandled) {
      stalled = `stalled in the wave up to ${to}: ${progress.handled} of ${components * to} messages handled`;
      break;
    }
  }
  const elapsedMs = performance.now() - started;
  const wrong: string[] = stalled === undefined ? [] : [stalled];
  results.forEach((tally, index) => {
    if (tally.next !== perComponent || tally.handled !== perComponent || tally.anomalies.length > 0)
      wrong.push(
        `worker ${index}: next ${tally.next}, handled ${tally.handled}; ${tally.anomalies.join('; ')}`,
      );
  });
  const stats = system.supervision.stats;
  return {
    components,
    messages: components * perComponent,
    faults: stats.faults,
    recoveries: stats.recoveries,
    deadLetters: stats.deadLetters,
    wrong,
    elapsedMs,
  };
}
