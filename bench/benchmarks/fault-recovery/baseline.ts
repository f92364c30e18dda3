import type { Benchmark, Observations } from '../../infra/harness.js';
import { settledMemoryUsed } from '../../infra/heap.js';
import { TURN_BUDGET, YIELD_EVERY } from '../shared/ready-loop.js';
import { RingQueue } from '../shared/ring-queue.js';
import { CrashLoopDriver, type CrashLoopMsg, crashLoopObservations, InjectedCrash } from './crash-loop.js';
import type { CrashLoopParams, FaultHeapParams } from './params.js';

// B6's floor: the crash loop on the plain ready-queue loop with the least supervision there is: the
// dispatch is wrapped in try/catch, and a throw replaces the behaviour with a new object built from the
// old one's state; the messages queued behind the failed one stay in the mailbox for the new object.

interface Restartable<M> {
  receive(msg: M): void;
  /** A fresh behaviour carrying this one's state. */
  restart(): Restartable<M>;
}

/** An actor of the restarting loop: mailbox, behaviour, ready flag. */
class RestartingCell<M> {
  readonly mailbox = new RingQueue<M>();
  isScheduled = false;
  behaviour: Restartable<M>;
  readonly #loop: RestartingLoop;

  constructor(loop: RestartingLoop, behaviour: Restartable<M>) {
    this.#loop = loop;
    this.behaviour = behaviour;
  }

  tell(msg: M): void {
    this.mailbox.push(msg);
    if (!this.isScheduled) {
      this.isScheduled = true;
      this.#loop.schedule(this as RestartingCell<unknown>);
    }
  }
}

/** The baselines' ready loop (see `ReadyLoop`) with try/catch and construct-new-object-on-throw. */
class RestartingLoop {
  restarts = 0;
  readonly #ready = new RingQueue<RestartingCell<unknown>>(64);
  #isDraining = false;
  #isDrainPending = false;
  readonly #drainNow = (): void => this.#drain();

  schedule(cell: RestartingCell<unknown>): void {
    this.#ready.push(cell);
    if (!this.#isDraining && !this.#isDrainPending) {
      this.#isDrainPending = true;
      queueMicrotask(this.#drainNow);
    }
  }

  #drain(): void {
    this.#isDrainPending = false;
    this.#isDraining = true;
    const ready = this.#ready;
    let dispatched = 0;
    while (dispatched < YIELD_EVERY) {
      const cell = ready.shift();
      if (cell === undefined) break;
      const mailbox = cell.mailbox;
      let handled = 0;
      while (handled < TURN_BUDGET && mailbox.size > 0) {
        const msg = mailbox.shift();
        handled++;
        try {
          cell.behaviour.receive(msg);
        } catch {
          cell.behaviour = cell.behaviour.restart();
          this.restarts++;
          break;
        }
      }
      dispatched += handled;
      if (mailbox.size > 0) ready.push(cell);
      else cell.isScheduled = false;
    }
    this.#isDraining = false;
    if (ready.size > 0) {
      this.#isDrainPending = true;
      setImmediate(this.#drainNow);
    }
  }
}

class CrashLoopBehaviour implements Restartable<CrashLoopMsg> {
  readonly #driver: CrashLoopDriver;
  #handled: number;

  constructor(handled: number, driver: CrashLoopDriver) {
    this.#handled = handled;
    this.#driver = driver;
  }

  receive(msg: CrashLoopMsg): void {
    if (msg.kind === 'crash') throw new InjectedCrash();
    this.#driver.handled(++this.#handled);
  }

  restart(): CrashLoopBehaviour {
    return new CrashLoopBehaviour(this.#handled, this.#driver);
  }
}

function startLine(loop: RestartingLoop, driver: CrashLoopDriver): void {
  const cell = new RestartingCell<CrashLoopMsg>(loop, new CrashLoopBehaviour(0, driver));
  driver.bind((msg) => cell.tell(msg));
}

/** B6 crash loop on the plain loop (try/catch + construct a new object on throw). */
export class RawLoopCrashLoop implements Benchmark<CrashLoopParams> {
  #faults = 0;
  #loop = new RestartingLoop();
  #driver: CrashLoopDriver | undefined;
  #observations: Observations = {};

  setup(params: CrashLoopParams): void {
    this.#faults = params.faults;
  }

  prepareIteration(): void {
    this.#loop = new RestartingLoop();
    this.#driver = new CrashLoopDriver(this.#faults, { recordLatencies: true });
    startLine(this.#loop, this.#driver);
  }

  runIteration(): Promise<void> {
    return this.#driver!.run();
  }

  cleanupIteration(): void {
    const driver = this.#driver!;
    driver.verify();
    if (this.#loop.restarts !== this.#faults) {
      throw new Error(`The loop restarted ${this.#loop.restarts} times for ${this.#faults} faults`);
    }
    this.#observations = crashLoopObservations(driver.latenciesUs);
  }

  iterationObservations(): Observations {
    return this.#observations;
  }

  teardown(): void {}
}

/** B6 heap check on the plain loop: the heap after `checkpoint` faults against after all of them. */
export class RawLoopFaultHeap implements Benchmark<FaultHeapParams> {
  #params: FaultHeapParams | undefined;
  #driver: CrashLoopDriver | undefined;
  #heapAtCheckpoint = 0;
  #observations: Observations = {};

  setup(params: FaultHeapParams): void {
    this.#params = params;
  }

  prepareIteration(): void {
    const { faults, checkpoint, budgetMs } = this.#params!;
    this.#driver = new CrashLoopDriver(faults, {
      recordLatencies: false,
      budgetMs,
      checkpoint: {
        after: checkpoint,
        run: () => {
          this.#heapAtCheckpoint = settledMemoryUsed();
        },
      },
    });
    startLine(new RestartingLoop(), this.#driver);
  }

  runIteration(): Promise<void> {
    return this.#driver!.run();
  }

  cleanupIteration(): void {
    const heapAtEnd = settledMemoryUsed();
    this.#driver!.verify();
    this.#observations = {
      heapAtCheckpointBytes: this.#heapAtCheckpoint,
      heapAtEndBytes: heapAtEnd,
      heapGrowthPercent: (heapAtEnd / this.#heapAtCheckpoint - 1) * 100,
      faultsRecovered: this.#driver!.recovered,
    };
  }

  iterationObservations(): Observations {
    return this.#observations;
  }

  teardown(): void {}
}
