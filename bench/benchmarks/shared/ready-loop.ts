import { RingQueue } from './ring-queue.js';

/** Where a baseline actor sends: the only thing a behaviour knows about another actor. */
export interface Ref<M> {
  tell(msg: M): void;
}

/** A baseline actor's message handler. */
export interface Behaviour<M> {
  receive(msg: M): void;
}

/** Messages a cell handles per turn before it goes to the back of the ready queue (Kompact `throughput(50)`). */
export const TURN_BUDGET = 50;

/** Messages dispatched per drain before the loop yields to the event loop with `setImmediate`. */
export const YIELD_EVERY = 2048;

/**
 * An actor on the {@link ReadyLoop}: a ring-buffer mailbox, a behaviour, and a flag that keeps it in the
 * ready queue at most once.
 */
export class Cell<M> implements Ref<M> {
  readonly mailbox = new RingQueue<M>();
  isScheduled = false;
  readonly #loop: ReadyLoop;
  readonly behaviour: Behaviour<M>;

  constructor(loop: ReadyLoop, behaviour: Behaviour<M>) {
    this.#loop = loop;
    this.behaviour = behaviour;
  }

  tell(msg: M): void {
    this.mailbox.push(msg);
    if (!this.isScheduled) {
      this.isScheduled = true;
      this.#loop.schedule(this);
    }
  }
}

/**
 * The plain-Node physical limit for local messaging (benchmarks.md §4): one ready queue of cells with
 * work, drained run-to-completion; each cell handles up to {@link TURN_BUDGET} messages per turn; the
 * drain starts on a microtask and yields with `setImmediate` every {@link YIELD_EVERY} dispatches.
 * No promise, closure or host task per message.
 */
export class ReadyLoop {
  readonly #ready = new RingQueue<Cell<never>>(64);
  #isDraining = false;
  #isDrainPending = false;
  readonly #drainNow = (): void => this.#drain();

  /** Makes a cell for `behaviour` on this loop. */
  spawn<M>(behaviour: Behaviour<M>): Cell<M> {
    return new Cell(this, behaviour);
  }

  /** Queues `cell` for a turn; the caller guarantees it is not queued already. */
  schedule<M>(cell: Cell<M>): void {
    this.#ready.push(cell as Cell<never>);
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
      const cell = ready.shift() as Cell<unknown> | undefined;
      if (cell === undefined) break;
      const { mailbox, behaviour } = cell;
      let handled = 0;
      while (handled < TURN_BUDGET && mailbox.size > 0) {
        behaviour.receive(mailbox.shift());
        handled++;
      }
      dispatched += handled;
      if (mailbox.size > 0) ready.push(cell as Cell<never>);
      else cell.isScheduled = false;
    }
    this.#isDraining = false;
    if (ready.size > 0) {
      this.#isDrainPending = true;
      setImmediate(this.#drainNow);
    }
  }
}
