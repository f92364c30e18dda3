// Promise helpers for tests: promises resolved by hand, gates opened when a test ends, and settle tracking.

/** A promise the test resolves by hand. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const gates = new Set<() => void>();

/** Registers `open` to be called by the next `openGates()`. */
export function addGate(open: () => void): void {
  gates.add(open);
}

/** A promise the test resolves by hand, also resolved by `openGates()` (which `withGatedClock` calls). */
export function gatedDeferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  addGate(resolve);
  return { promise, resolve };
}

/** Opens every gate a test left closed, so a failed assertion cannot leave shutdown waiting on it. */
export function openGates(): void {
  for (const open of gates) open();
  gates.clear();
}

/** Observes how a promise settles without awaiting it, so a test can assert it is still pending. */
export function track(promise: Promise<unknown>): { readonly settled: boolean; readonly error: unknown } {
  const state = { settled: false, error: undefined as unknown };
  promise.then(
    () => {
      state.settled = true;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

/** How long a test waits for something the system should do promptly before it fails instead of hanging. */
export const DEADLINE_MS = 10_000;

/**
 * Settles as `promise` does, or rejects with "Timed out after `ms` ms waiting for `what`" if it has not
 * settled by then: a bug that loses a reply fails the test with a message instead of hanging the suite.
 */
export function within<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
