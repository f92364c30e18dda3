import { KompactError } from '../internal/kompact-error.js';

/**
 * The asker's side of one ask, shared by its `KPromise`: how to settle the asker's promise, and, while
 * a component holds the ask (it was delivered to that component's handler and is not answered yet),
 * the links of that component's list of held asks.
 */
class Settlers {
  done = false;
  onSettle: (() => void) | undefined = undefined;
  /** The component holding this ask, which answers for it if it ends. */
  holder: AskHolder | undefined = undefined;
  prevHeld: Settlers | undefined = undefined;
  nextHeld: Settlers | undefined = undefined;

  constructor(
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: unknown) => void,
  ) {}
}

/** The list head of the asks a component holds: opaque outside this module. */
export type HeldAsk = Settlers;

/** Whoever holds asks (a component's core): the head of its list of held asks. Not exported by the package. */
export interface AskHolder {
  heldAsks: HeldAsk | undefined;
}

/**
 * Rejects the caller's promise when a `KPromise` is garbage-collected without being completed: the
 * JavaScript counterpart of Rust dropping a promise, so an ask whose request was swallowed never hangs.
 * Every registered promise has an asker holding its future (`ActorRef.ask` returned it), so this
 * rejection always has someone to reach.
 */
const dropped = new FinalizationRegistry<Settlers>((settlers) => {
  if (!settlers.done) {
    settlers.done = true;
    release(settlers);
    settlers.reject(new KompactError('PROMISE_DROPPED', 'the promise was dropped without a reply'));
  }
});

let settlersOf: (promise: KPromise<unknown>) => Settlers;

/**
 * The completing side of an ask: whoever holds it fulfils the asker's promise once.
 *
 * Kompact: `KPromise<T>`.
 *
 * @remarks Made by `ActorRef.ask`, `ActorRef.askWith` and {@link promise}; `new KPromise()` throws a `TypeError`.
 */
export class KPromise<T> {
  readonly #settlers: Settlers;

  static {
    settlersOf = (promise) => promise.#settlers;
  }

  /** @internal Made by `ActorRef.ask` / `askWith`; not constructed by users. */
  constructor(settlers: Settlers) {
    // A promise made by hand would have no asker: its rejection at collection would reach nobody and
    // end the process as an unhandled rejection.
    if (!(settlers instanceof Settlers)) {
      throw new TypeError(
        'Expected a `KPromise` to be made by `ActorRef.ask` or `askWith`, not constructed directly',
      );
    }
    this.#settlers = settlers;
    dropped.register(this, settlers, settlers);
  }

  /** Whether the promise was already fulfilled or rejected. */
  get isCompleted(): boolean {
    return this.#settlers.done;
  }

  /** Fulfils the asker's promise with `value`; returns `false` if it was already completed. */
  fulfil(value: T): boolean {
    const s = this.#settlers;
    if (s.done) return false;
    this.#finish();
    s.resolve(value);
    return true;
  }

  /** Rejects the asker's promise with `error`; returns `false` if it was already completed. */
  reject(error: unknown): boolean {
    const s = this.#settlers;
    if (s.done) return false;
    this.#finish();
    s.reject(error);
    return true;
  }

  #finish(): void {
    const s = this.#settlers;
    s.done = true;
    dropped.unregister(s);
    if (s.holder !== undefined) release(s);
    s.onSettle?.();
  }
}

/** Takes `s` out of its holder's list. */
function release(s: Settlers): void {
  const holder = s.holder;
  if (holder === undefined) return;
  const { prevHeld, nextHeld } = s;
  if (prevHeld === undefined) holder.heldAsks = nextHeld;
  else prevHeld.nextHeld = nextHeld;
  if (nextHeld !== undefined) nextHeld.prevHeld = prevHeld;
  s.holder = undefined;
  s.prevHeld = undefined;
  s.nextHeld = undefined;
}

/** Makes a linked pair: the `KPromise` to hand to the answering side and the asker's `Promise`. */
export function kpromise<T>(): {
  promise: KPromise<T>;
  future: Promise<T>;
  setOnSettle(f: () => void): void;
  discard(): void;
} {
  let settlers!: Settlers;
  const future = new Promise<T>((resolve, reject) => {
    settlers = new Settlers(resolve as (value: unknown) => void, reject);
  });
  return {
    promise: new KPromise<T>(settlers),
    future,
    setOnSettle(f) {
      settlers.onSettle = f;
    },
    discard() {
      // The asker never got `future` (building its message threw): nothing may reject it later.
      settlers.done = true;
      dropped.unregister(settlers);
    },
  };
}

/**
 * A linked pair made by hand: the {@link KPromise} to put in a message of your own and the `Promise`
 * it completes. `ActorRef.ask` and `askWith` make this pair for you; this is for building the message
 * elsewhere (say, a request that travels through several components before one answers it).
 *
 * Kompact: `promise::<T>() -> (KPromise<T>, KFuture<T>)`.
 *
 * @remarks As with an ask, a `KPromise` that is garbage-collected uncompleted rejects the future with
 * `PROMISE_DROPPED`, so keep the future and handle its rejection. A component that receives the
 * promise inside a plain message does not hold it: it is not rejected when that component ends (only
 * asks sent with `ask`/`askWith` are).
 *
 * @example
 * ```ts
 * const [reply, answer] = promise<number>();
 * ref.tell({ kind: 'get', reply });
 * const total = await answer;
 * ```
 */
export function promise<T>(): [promise: KPromise<T>, future: Promise<T>] {
  const pair = kpromise<T>();
  return [pair.promise, pair.future];
}

/** Rejects `promise` with `PROMISE_DROPPED` and `reason`, if it is still pending. */
export function dropPromise(promise: KPromise<unknown>, reason: string): void {
  promise.reject(new KompactError('PROMISE_DROPPED', reason));
}

/**
 * Records that `holder` received `promise` (it reached its handler): if `holder` ends before the
 * promise is completed, {@link dropHeldAsks} rejects it. An ask passed on to another component moves
 * to that one when it is delivered there.
 */
export function holdAsk(holder: AskHolder, promise: KPromise<unknown>): void {
  const s = settlersOf(promise);
  if (s.done || s.holder === holder) return;
  if (s.holder !== undefined) release(s);
  const head = holder.heldAsks;
  s.holder = holder;
  s.nextHeld = head;
  if (head !== undefined) head.prevHeld = s;
  holder.heldAsks = s;
}

/** Rejects every ask `holder` still holds with `PROMISE_DROPPED` and `reason` (it ended). */
export function dropHeldAsks(holder: AskHolder, reason: string): void {
  let s = holder.heldAsks;
  if (s === undefined) return;
  holder.heldAsks = undefined;
  const error = new KompactError('PROMISE_DROPPED', reason);
  while (s !== undefined) {
    const next: Settlers | undefined = s.nextHeld;
    s.holder = undefined;
    s.prevHeld = undefined;
    s.nextHeld = undefined;
    if (!s.done) {
      s.done = true;
      dropped.unregister(s);
      s.onSettle?.();
      s.reject(error);
    }
    s = next;
  }
}
