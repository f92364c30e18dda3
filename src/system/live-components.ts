import type { ComponentCore } from '../component/component-core.js';

/** Below this many slots the array of live cores is never compacted (it would save nothing). */
const MIN_COMPACT_SLOTS = 1024;

/**
 * The components of one system that are not yet destroyed or recovered, for shutdown and an
 * inspector: an array in which each core knows its own slot (`liveIndex`). Removing a core empties
 * its slot and remembers it; adding fills the slot emptied last, or a new one at the end. So no core
 * moves when another ends: moving the last core into the gap (as this did before) wrote to a core
 * that spawn churn (B3) had long since let go cold, a cache miss per kill. Not a `Set`: a set hashes
 * every core on the way in and out, and grows and shrinks its table as components come and go. The
 * order is not creation order once a component has ended.
 *
 * @remarks The array stays at the most cores it has held since it was last compacted, which it is
 * once three quarters of its slots are empty (then every live core moves down: amortised, less than
 * one move per removal), and it starts afresh whenever the last live core ends.
 */
export class LiveComponents implements Iterable<ComponentCore> {
  /** Live cores, and `undefined` in the slots of ended ones. */
  #cores: (ComponentCore | undefined)[] = [];
  /** The empty slots of `#cores`, the last emptied at the end. */
  #free: number[] = [];
  #size = 0;

  /** How many components are live. */
  get size(): number {
    return this.#size;
  }

  /** Adds `core`, which is not live yet. */
  add(core: ComponentCore): void {
    this.#size++;
    const free = this.#free;
    if (free.length > 0) {
      const index = free.pop() as number;
      core.liveIndex = index;
      this.#cores[index] = core;
    } else {
      const cores = this.#cores;
      core.liveIndex = cores.length;
      cores.push(core);
    }
  }

  /** Removes `core` (one of this system's); returns whether it was live. */
  delete(core: ComponentCore): boolean {
    const index = core.liveIndex;
    if (index < 0) return false;
    core.liveIndex = -1;
    const size = --this.#size;
    if (size === 0) {
      // The usual end of a burst: start afresh rather than keep its empty slots.
      this.#cores = [];
      this.#free = [];
      return true;
    }
    const cores = this.#cores;
    cores[index] = undefined;
    this.#free.push(index);
    if (size < cores.length >> 2 && cores.length > MIN_COMPACT_SLOTS) this.#compact();
    return true;
  }

  /** Moves the live cores down to slots `[0, size)`, leaving no empty slot. */
  #compact(): void {
    const cores = this.toArray();
    for (let i = 0; i < cores.length; i++) (cores[i] as ComponentCore).liveIndex = i;
    this.#cores = cores;
    this.#free = [];
  }

  /** The live components now, as a new array (safe to end them while walking it). */
  toArray(): ComponentCore[] {
    const live: ComponentCore[] = [];
    for (const core of this.#cores) if (core !== undefined) live.push(core);
    return live;
  }

  [Symbol.iterator](): Iterator<ComponentCore> {
    return this.toArray().values();
  }
}
