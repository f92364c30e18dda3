import { FlushScheduler } from '../net/flush-scheduler.js';
import { ChunkDataFrame, encodeFrame, frameSize, PathTable } from '../net/frame.js';
import { type DataSink, FrameDecoder } from '../net/frame-decoder.js';
import type { ActorPath } from '../paths/actor-path.js';
import type { SerId } from '../serialisation/ser-id.js';

/** Where a channel posts its batches: a `Worker`, a worker's `parentPort` or a `MessagePort`. */
export interface ThreadPort {
  postMessage(value: unknown, transferList?: readonly ArrayBuffer[]): void;
}

/** The message a channel posts: the data frames of one turn, back to back. */
export interface FramesMessage {
  readonly kind: 'frames';
  readonly bytes: ArrayBuffer;
}

/** Data frames are trusted between threads of one process: no limit below what a frame can declare. */
const MAX_FRAME_BYTES = 0x7fff_ffff;

/** The first size of a channel's batch buffer; it doubles when a turn needs more. */
const INITIAL_BATCH_BYTES = 16 * 1024;

/** One flush scheduler per thread: every channel's batch leaves in the same `setImmediate`. */
const flusher = new FlushScheduler();

/**
 * One thread's end of a pair of threads: data frames sent to the other thread are encoded (with a path
 * table, as on a TCP connection) into one buffer per event-loop turn and posted as one transferred
 * `ArrayBuffer`; batches from the other thread are decoded in place.
 *
 * @remarks A `MessagePort` keeps posts in order, so the path tables of the two ends stay in step. Per
 * message the cost is the encoding (a few bytes of path references and the payload); per turn one
 * `postMessage`, which is what costs (about 7 µs: one post per message reaches 0.15 M msgs/s round trip
 * on this machine, 100 per post 3.2 M; see docs/multi-core.md).
 */
export class ThreadChannel {
  readonly #port: ThreadPort;
  readonly #paths = new PathTable();
  readonly #decoder = new FrameDecoder(MAX_FRAME_BYTES);
  #out = Buffer.alloc(INITIAL_BATCH_BYTES);
  #at = 0;
  /** Frames in `#out`, for the count of what a closed channel drops. */
  #queued = 0;
  #isClosed = false;

  constructor(port: ThreadPort) {
    this.#port = port;
  }

  /** Whether {@link ThreadChannel.close} was called: sends are refused. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Queues one data frame for the end of this turn; `false` when the channel is closed. */
  send(
    serId: SerId,
    sender: ActorPath,
    receiver: ActorPath,
    chunk: Uint8Array,
    offset: number,
    length: number,
  ): boolean {
    if (this.#isClosed) return false;
    const frame = new ChunkDataFrame(serId, sender, receiver, chunk, offset, length);
    const size = frameSize(frame);
    if (this.#at + size > this.#out.length) this.#grow(size);
    this.#at = encodeFrame(frame, this.#out, this.#at, size, this.#paths);
    this.#queued++;
    flusher.request(this);
    return true;
  }

  /** Posts what this turn queued, as one message. */
  flush(): void {
    if (this.#at === 0 || this.#isClosed) return;
    const out = this.#out;
    const bytes = out.buffer.slice(out.byteOffset, out.byteOffset + this.#at) as ArrayBuffer;
    this.#at = 0;
    this.#queued = 0;
    const message: FramesMessage = { kind: 'frames', bytes };
    this.#port.postMessage(message, [bytes]);
  }

  /** Decodes a batch from the other thread, handing each data frame to `sink` in place. */
  receive(bytes: ArrayBuffer, sink: DataSink): void {
    const error = this.#decoder.push(new Uint8Array(bytes), ignoreControl, sink);
    // Only this build's own encoder writes to a thread channel: a bad frame is a bug, not an attack.
    if (error !== undefined) throw error;
  }

  /**
   * Stops sending: what was queued and not posted is dropped. Returns how many frames that was (the
   * thread they were for is gone).
   */
  close(): number {
    const dropped = this.#queued;
    this.#isClosed = true;
    this.#at = 0;
    this.#queued = 0;
    return dropped;
  }

  #grow(size: number): void {
    let capacity = this.#out.length * 2;
    while (capacity < this.#at + size) capacity *= 2;
    const bigger = Buffer.alloc(capacity);
    this.#out.copy(bigger, 0, 0, this.#at);
    this.#out = bigger;
  }
}

/** Thread channels carry only data frames. */
function ignoreControl(): void {}
