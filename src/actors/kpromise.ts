import { KompactError } from '../system/kompact-error.js';

/**
 * Rejects the caller's promise when a `KPromise` is garbage-collected without being completed: the
 * JavaScript counterpart of Rust dropping a promise, so an ask whose request was swallowed never hangs.
 */
const dropped = new FinalizationRegistry<Settlers>((settlers) => {
  if (!settlers.done) {
    settlers.done = true;
    settlers.reject(new KompactError('PROMISE_DROPPED', 'the promise was dropped without a reply'));
  }
});

interface Settlers {
  done: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onSettle: (() => void) | undefined;
}

/**
 * The completing side of an ask: whoever holds it fulfils the asker's promise once.
 *
 * Kompact: `KPromise<T>`.
 */
export class KPromise<T> {
  readonly #settlers: Settlers;

  /** @internal Made by `ActorRef.ask` / `askWith`; not constructed by users. */
  constructor(settlers: Settlers) {
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
    s.onSettle?.();
  }
}

/** Makes a linked pair: the `KPromise` to hand to the answering side and the asker's `Promise`. */
export function kpromise<T>(): {
  promise: KPromise<T>;
  future: Promise<T>;
  setOnSettle(f: () => void): void;
} {
  let settlers!: Settlers;
  const future = new Promise<T>((resolve, reject) => {
    settlers = { done: false, resolve: resolve as (value: unknown) => void, reject, onSettle: undefined };
  });
  return {
    promise: new KPromise<T>(settlers),
    future,
    setOnSettle(f) {
      settlers.onSettle = f;
    },
  };
}

/** Rejects `promise` with `PROMISE_DROPPED` and `reason`, if it is still pending. */
export function dropPromise(promise: KPromise<unknown>, reason: string): void {
  promise.reject(new KompactError('PROMISE_DROPPED', reason));
}
