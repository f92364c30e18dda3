/**
 * A growable FIFO over a power-of-two array: O(1) push and shift, no allocation per element once warm.
 * Mailboxes and the scheduler's ready queue are ring buffers.
 */
export class RingBuffer<T> {
  private items: (T | undefined)[];
  private mask: number;
  private head = 0;
  private count = 0;

  constructor(initialCapacity = 8) {
    let capacity = 2;
    while (capacity < initialCapacity) capacity <<= 1;
    this.items = new Array<T | undefined>(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count > this.mask) this.grow();
    this.items[(this.head + this.count) & this.mask] = item;
    this.count++;
  }

  /** Removes and returns the oldest element, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const index = this.head;
    const item = this.items[index];
    this.items[index] = undefined;
    this.head = (index + 1) & this.mask;
    this.count--;
    return item;
  }

  /** The oldest element without removing it. */
  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** Removes every element and returns them oldest first. */
  drain(): T[] {
    const out: T[] = [];
    while (this.count > 0) out.push(this.shift() as T);
    return out;
  }

  private grow(): void {
    const old = this.items;
    const capacity = old.length << 1;
    const items = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.count; i++) items[i] = old[(this.head + i) & this.mask];
    this.items = items;
    this.mask = capacity - 1;
    this.head = 0;
  }
}
