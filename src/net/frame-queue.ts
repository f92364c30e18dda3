import type { DataFrame } from './frame.js';

/**
 * A FIFO of data frames with their encoded sizes and a running byte total: the send queue of a peer or
 * connection, and a connection's frames awaiting acknowledgement.
 *
 * @remarks A power-of-two ring, so push and shift are O(1) and allocate nothing once warm.
 */
export class FrameQueue {
  private frames: (DataFrame | undefined)[];
  private sizes: number[];
  private mask: number;
  private head = 0;
  private count = 0;
  private byteCount = 0;

  constructor(initialCapacity = 16) {
    let capacity = 2;
    while (capacity < initialCapacity) capacity <<= 1;
    this.frames = new Array<DataFrame | undefined>(capacity);
    this.sizes = new Array<number>(capacity).fill(0);
    this.mask = capacity - 1;
  }

  /** How many frames are queued. */
  get size(): number {
    return this.count;
  }

  /** The encoded size of all queued frames, in bytes. */
  get bytes(): number {
    return this.byteCount;
  }

  /** Appends `frame`, whose encoded size is `size`. */
  push(frame: DataFrame, size: number): void {
    if (this.count > this.mask) this.grow();
    const index = (this.head + this.count) & this.mask;
    this.frames[index] = frame;
    this.sizes[index] = size;
    this.count++;
    this.byteCount += size;
  }

  /** The encoded size of the oldest frame (0 when empty). */
  peekSize(): number {
    return this.count === 0 ? 0 : (this.sizes[this.head] as number);
  }

  /** The encoded size of the frame `index` places after the oldest (0 past the end). */
  sizeAt(index: number): number {
    return index >= this.count ? 0 : (this.sizes[(this.head + index) & this.mask] as number);
  }

  /** Removes and returns the oldest frame. */
  shift(): DataFrame | undefined {
    if (this.count === 0) return undefined;
    const index = this.head;
    const frame = this.frames[index];
    this.frames[index] = undefined;
    this.byteCount -= this.sizes[index] as number;
    this.head = (index + 1) & this.mask;
    this.count--;
    return frame;
  }

  /** Removes the oldest `count` frames (at most {@link FrameQueue.size}). */
  discard(count: number): void {
    for (let i = 0; i < count && this.count > 0; i++) this.shift();
  }

  /** Moves every frame of `other` to the end of this queue, oldest first. */
  append(other: FrameQueue): void {
    while (other.count > 0) {
      const size = other.peekSize();
      this.push(other.shift() as DataFrame, size);
    }
  }

  /** Removes every frame and returns them oldest first. */
  drain(): DataFrame[] {
    const out: DataFrame[] = [];
    while (this.count > 0) out.push(this.shift() as DataFrame);
    return out;
  }

  private grow(): void {
    const frames = this.frames;
    const sizes = this.sizes;
    const capacity = frames.length << 1;
    const nextFrames = new Array<DataFrame | undefined>(capacity);
    const nextSizes = new Array<number>(capacity).fill(0);
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) & this.mask;
      nextFrames[i] = frames[from];
      nextSizes[i] = sizes[from] as number;
    }
    this.frames = nextFrames;
    this.sizes = nextSizes;
    this.mask = capacity - 1;
    this.head = 0;
  }
}
