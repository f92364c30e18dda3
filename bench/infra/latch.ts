/**
 * A one-shot count-down latch: `promise` resolves when {@link CountdownLatch.countDown} has been called
 * `count` times. The last handler of an iteration counts it down; the harness awaits it.
 *
 * MPP: `CountdownEvent`.
 */
export class CountdownLatch {
  /** Resolves once the count reaches zero. */
  readonly promise: Promise<void>;
  #remaining: number;
  #resolve: () => void = () => {};

  constructor(count: number) {
    if (!Number.isInteger(count) || count < 1) {
      throw new RangeError(
        `Expected \`count\` to be an integer from 1 and up, got \`${count}\` (${typeof count})`,
      );
    }
    this.#remaining = count;
    this.promise = new Promise<void>((resolve) => {
      this.#resolve = resolve;
    });
  }

  /** How many count-downs are still missing. */
  get remaining(): number {
    return this.#remaining;
  }

  /** Counts down once; the call that reaches zero resolves {@link CountdownLatch.promise}. */
  countDown(): void {
    if (this.#remaining === 0) throw new Error('CountdownLatch counted down below zero');
    this.#remaining--;
    if (this.#remaining === 0) this.#resolve();
  }
}
