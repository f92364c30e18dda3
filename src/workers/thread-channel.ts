import { describeValue } from '../internal/describe-value.js';
import { KompactError } from '../internal/kompact-error.js';
import { type Flushable, FlushScheduler } from '../net/flush-scheduler.js';
import {
  dataFrameSize,
  encodeDataFields,
  FrameKindByte,
  PathTable,
  PathTag,
  putReferenceDataHeader,
} from '../net/frame.js';
import type { DataSink } from '../net/frame-decoder.js';
import { ActorPath } from '../paths/actor-path.js';
import type { SerId } from '../serialisation/ser-id.js';
import { type Serialiser, serialiseFixedAt } from '../serialisation/serialiser.js';

/** Where a channel posts: a `Worker`, a worker's `parentPort` or a `MessagePort`. */
export interface ThreadPort {
  postMessage(value: unknown, transferList?: readonly ArrayBuffer[]): void;
}

/** The ring a channel writes into, told to the other end once, before anything else on the port. */
export interface RingMessage {
  readonly kind: 'ring';
  readonly ring: SharedArrayBuffer;
}

/** A batch that did not fit into the ring: the data frames of one flush, back to back. */
export interface FramesMessage {
  readonly kind: 'frames';
  readonly bytes: Uint8Array;
}

/** "The ring has data": posted only when the reader has no wake-up pending (a number posts cheapest). */
export const WAKE_UP = 0;

/** Everything a channel posts to the other end, in the order it must be handed to {@link ThreadChannel.receive}. */
export type ChannelMessage = RingMessage | FramesMessage | typeof WAKE_UP;

/** Whether a message that arrived on a thread's port is for its channel (not a protocol message). */
export function isChannelMessage(message: unknown): message is ChannelMessage {
  if (message === WAKE_UP) return true;
  if (typeof message !== 'object' || message === null) return false;
  const kind = (message as { readonly kind?: unknown }).kind;
  return kind === 'frames' || kind === 'ring';
}

/** The first size of a channel's batch buffer; it doubles when a turn needs more. */
const INITIAL_BATCH_BYTES = 16 * 1024;

/** Bytes of a channel's ring (a power of two): about 10,000 small messages. */
export const DEFAULT_RING_BYTES = 256 * 1024;

/**
 * A batch is published once it holds this many frames, even in the middle of a turn, so the other
 * thread starts on it while this one goes on (without it two busy threads take turns instead of working
 * at once). Measured on B7b, pipeline 1000: see docs/multi-core.md.
 */
export const PUBLISH_FRAMES = 128;

// The ring's header, as Int32 slots before its data: positions are byte counts that only grow (modulo
// 2^32; differences stay exact below 2^31 bytes of capacity).
/** Bytes written and published by the writer. */
const TAIL = 0;
/** Bytes the reader has taken out. */
const HEAD = 1;
/** 1 while a wake-up is posted and the reader has not started on it. */
const WAKE = 2;
/** How many batches posted on the port (the ring being full) the reader has taken. */
const TAKEN = 3;
const HEADER_BYTES = 32;

/** Length, kind, serId and two path references: a data frame's bytes before its payload. */
const SHORT_HEADER_BYTES = 15;

/** Kind, serId and two path references: a short frame's body before its payload. */
const SHORT_BODY_BYTES = SHORT_HEADER_BYTES - 4;

/** Paths parsed from inline and define fields, by their text; emptied when it reaches this size. */
const PATH_CACHE_LIMIT = 1024;

/** Payloads up to this size are copied byte by byte (a view to copy from would cost more). */
const SHORT_PAYLOAD_BYTES = 64;

/**
 * Pairs (sender, receiver) whose two path-table ids a channel remembers, so their frames are written
 * without the path table: B7b's 4 pairs interleave in runs of a turn's messages each, and a pair
 * that was not the last one written took the frame encoder's general path (its lookups by path).
 */
const PAIR_CACHE_SIZE = 8;

/** The path fields of a short frame, as a big-endian u32 then a u16: tag, sender id, tag, receiver id. */
const REFERENCE_TAGS = (PathTag.reference << 24) | PathTag.reference;

/**
 * How long a thread that has published a drain's frames, with none to read, spins on the other
 * thread's ring for its reply before letting its event loop sleep. A wake-up through the port costs
 * 30–80 µs on the machine this was measured on (a halted vCPU woken through the host), while the other
 * thread answers a batch in a few µs once it runs: without the spin, two threads exchanging batches
 * take turns, each asleep while the other works (B7b, one pair: see docs/multi-core.md).
 */
const SPIN_MS = 0.1;
/**
 * How long replies caught by spins may chain (caught, handled, answered, spun again) before this
 * thread's event loop must turn: timers and I/O wait at most this long for a busy channel.
 */
const SPIN_CHAIN_MS = 1;
/**
 * After `n` spins in a row that caught nothing (a peer that answers slowly or not at all), a channel
 * spins only at one end-of-drain flush in 2^n, up to 2^8: an idle exchange costs a spin now and then.
 */
const MAX_SPIN_BACKOFF = 8;

/** When this thread's current chain of caught replies began; `NaN` when none is open. */
let chainStart = Number.NaN;
const endChain = (): void => {
  chainStart = Number.NaN;
};

/** Whether a spin may start now: no chain is open (one opens, until the event loop turns), or it is young. */
function maySpin(now: number): boolean {
  if (Number.isNaN(chainStart)) {
    chainStart = now;
    setImmediate(endChain);
    return true;
  }
  return now - chainStart < SPIN_CHAIN_MS;
}

/**
 * One flush scheduler per thread: every channel's batch leaves in the same microtask, right after the
 * scheduler's drain that wrote it, not an event-loop phase later (B7b's trace: 15–20 µs later, per
 * batch, while the other thread waited).
 */
const flusher = new FlushScheduler('after-drain');

/**
 * One thread's end of a pair of threads: data frames for the other thread are encoded (with a path
 * table, as on a TCP connection) straight into a `SharedArrayBuffer` ring that the other end reads; a
 * number posted on the port wakes the reader when it is not already about to read.
 *
 * @remarks Order: a batch is published after the scheduler's drain that wrote it, or as soon as it holds
 * {@link PUBLISH_FRAMES} frames. A frame the ring cannot take in one piece goes, with the rest of its
 * batch, into a batch buffer that the flush copies into the ring, or posts on the port when it does
 * not fit (transferred, not copied); the batches after a posted one are posted too until the reader
 * has taken them all, so frames arrive in the order they were sent and a full ring never blocks the
 * writer's thread (the port's queue takes the excess). Every publish has a wake-up ahead of anything
 * posted after it on the port (one is posted unless the reader has one it has not started on, and the
 * reader clears the flag before it reads), so a posted batch or protocol message arrives after the
 * frames published before it. Payloads are read from a copy of the ring's bytes (they stay valid while
 * the receiver keeps them).
 */
export class ThreadChannel {
  readonly #port: ThreadPort;
  readonly #paths = new PathTable();
  /** The other end's path table, in the order its frames define entries. */
  readonly #inTable: ActorPath[] = [];
  /** Paths of inline and define fields by their text, parsed once. */
  readonly #inPaths = new Map<string, ActorPath>();
  /** Where the path field read last by {@link ThreadChannel.#readPath} ends. */
  #pathEnd = 0;
  /** Frames that did not go straight into the ring (see {@link ThreadChannel.#room}), and their end. */
  #out = Buffer.allocUnsafeSlow(INITIAL_BATCH_BYTES);
  #outView = viewOf(this.#out);
  #at = 0;
  /**
   * Pairs written with both paths as path-table references, and their ids (sender id << 16 | receiver
   * id): ids never change once given, so an entry is never stale. `#lastPair` is the slot hit last,
   * `#nextPair` the slot the next new pair takes.
   */
  readonly #pairSenders: (ActorPath | undefined)[] = new Array<ActorPath | undefined>(PAIR_CACHE_SIZE).fill(
    undefined,
  );
  readonly #pairReceivers: (ActorPath | undefined)[] = new Array<ActorPath | undefined>(PAIR_CACHE_SIZE).fill(
    undefined,
  );
  readonly #pairIds: number[] = new Array<number>(PAIR_CACHE_SIZE).fill(0);
  #lastPair = 0;
  #nextPair = 0;
  /** Frames not published yet (in the ring or `#out`): what a closed channel drops; mid-turn publishing. */
  #queued = 0;
  #isClosed = false;
  /** This end's ring (it writes), its header and data (a `Buffer`: the frame encoder writes into it). */
  readonly #outHeader: Int32Array;
  readonly #outData: Buffer;
  /** The ring's data as a `DataView`: a frame's fields are written as words, not byte by byte. */
  readonly #ringView: DataView;
  /** Where the next frame goes in the ring, a position like `TAIL`: the frames from `TAIL` to here are not published yet. */
  #written = 0;
  /**
   * Bytes free in one piece at `#written`, as last looked: a frame that fits is written straight into
   * the ring. 0 while frames of this batch are in `#out`, or batches posted on the port are not all
   * taken: the ring is looked at again (`#lookForRoom`) only when a frame does not fit.
   */
  #room = 0;
  /** Batches this end posted on the port because its ring was full (compared with the reader's count). */
  #posted = 0;
  /** The other end's ring (this end reads), once its `ring` message has arrived. */
  #inHeader: Int32Array | undefined;
  #inData: Uint8Array | undefined;
  /** Where this end hands received frames (set by the first wake-up): what a spin that catches frames needs. */
  #sink: DataSink | undefined;
  /** Spins in a row that caught nothing, and end-of-drain flushes still to skip before the next spin. */
  #spinMisses = 0;
  #spinSkips = 0;
  #spins = 0;
  #caught = 0;
  /** The flusher's view of this channel: publish, then wait briefly for the reply (see `SPIN_MS`). */
  readonly #endOfDrain: Flushable = {
    flush: () => {
      this.flush();
      this.#spinForReply();
    },
  };

  /** Makes this end and tells the other end where its ring is. */
  constructor(port: ThreadPort, ringBytes = DEFAULT_RING_BYTES) {
    if (!Number.isInteger(ringBytes) || ringBytes < 64 || (ringBytes & (ringBytes - 1)) !== 0) {
      throw new TypeError(
        `Expected \`ringBytes\` to be a power of two from 64 and up, got ${describeValue(ringBytes)}`,
      );
    }
    this.#port = port;
    const ring = new SharedArrayBuffer(HEADER_BYTES + ringBytes);
    this.#outHeader = new Int32Array(ring, 0, HEADER_BYTES / 4);
    this.#outData = Buffer.from(ring, HEADER_BYTES);
    this.#ringView = new DataView(ring, HEADER_BYTES);
    const message: RingMessage = { kind: 'ring', ring };
    port.postMessage(message);
  }

  /** How often this end spun for the other thread's reply, and how many of those spins caught one. */
  get spinCounts(): { readonly spins: number; readonly caught: number } {
    return { spins: this.#spins, caught: this.#caught };
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
    const ids = length <= SHORT_PAYLOAD_BYTES && serId !== 0 ? this.#idsOf(sender, receiver) : -1;
    if (ids !== -1) {
      const size = SHORT_HEADER_BYTES + length;
      if (size <= this.#room || this.#lookForRoom(size)) {
        const data = this.#outData;
        const at = this.#written & (data.length - 1);
        putReferenceDataHeader(this.#ringView, at, serId, ids, length);
        copyPayload(data, at + SHORT_HEADER_BYTES, chunk, offset, length);
        this.#written = (this.#written + size) | 0;
        this.#room -= size;
      } else {
        if (this.#at + size > this.#out.length) this.#grow(size);
        const at = this.#at;
        putReferenceDataHeader(this.#outView, at, serId, ids, length);
        copyPayload(this.#out, at + SHORT_HEADER_BYTES, chunk, offset, length);
        this.#at = at + size;
      }
    } else {
      this.#put(serId, sender, receiver, chunk, offset, length);
    }
    const queued = ++this.#queued;
    if (queued >= PUBLISH_FRAMES) this.flush();
    // Only the first frame since the last flush asks for one: the request stands until it is done.
    else if (queued === 1) flusher.request(this.#endOfDrain);
    return true;
  }

  /**
   * Queues a data frame of `value`, serialised by `serialiser` straight into the ring, when that can be
   * done at once (see {@link serialiseFixedAt}: a number), the pair's paths have path-table ids and the
   * ring has room in one piece at the write position; `false` (nothing queued) otherwise, and when the
   * channel is closed: the caller then serialises the value and {@link ThreadChannel.send}s the bytes.
   */
  sendValue(
    serialiser: Serialiser<unknown>,
    value: unknown,
    sender: ActorPath,
    receiver: ActorPath,
  ): boolean {
    if (this.#isClosed) return false;
    const ids = this.#idsOf(sender, receiver);
    if (ids === -1) return false;
    const view = this.#ringView;
    const at = this.#written & (this.#outData.length - 1);
    const room = this.#room - SHORT_HEADER_BYTES;
    const length = serialiseFixedAt(serialiser, value, view, at + SHORT_HEADER_BYTES, room);
    if (length === -1) return false;
    putReferenceDataHeader(view, at, serialiser.serId, ids, length);
    const size = SHORT_HEADER_BYTES + length;
    this.#written = (this.#written + size) | 0;
    this.#room -= size;
    const queued = ++this.#queued;
    if (queued >= PUBLISH_FRAMES) this.flush();
    // Only the first frame since the last flush asks for one: the request stands until it is done.
    else if (queued === 1) flusher.request(this.#endOfDrain);
    return true;
  }

  /**
   * The path-table ids of a pair written before with both paths as references (sender id << 16 |
   * receiver id), or -1.
   */
  #idsOf(sender: ActorPath, receiver: ActorPath): number {
    const senders = this.#pairSenders;
    const receivers = this.#pairReceivers;
    let slot = this.#lastPair;
    if (senders[slot] !== sender || receivers[slot] !== receiver) {
      slot = 0;
      while (slot < PAIR_CACHE_SIZE && (senders[slot] !== sender || receivers[slot] !== receiver)) slot++;
      if (slot === PAIR_CACHE_SIZE) return -1;
      this.#lastPair = slot;
    }
    return this.#pairIds[slot] as number;
  }

  /** Remembers the pair of the frame written at `start` in `out` when both its paths went as references. */
  #learnPair(out: Uint8Array, start: number, sender: ActorPath, receiver: ActorPath): void {
    if (out[start + 9] !== PathTag.reference || out[start + 12] !== PathTag.reference) return;
    const slot = this.#nextPair;
    this.#nextPair = (slot + 1) % PAIR_CACHE_SIZE;
    this.#pairSenders[slot] = sender;
    this.#pairReceivers[slot] = receiver;
    this.#pairIds[slot] =
      ((out[start + 10] as number) << 24) |
      ((out[start + 11] as number) << 16) |
      ((out[start + 13] as number) << 8) |
      (out[start + 14] as number);
    this.#lastPair = slot;
  }

  /** Any data frame, with the path table; a pair whose paths both went as references is remembered. */
  #put(
    serId: SerId,
    sender: ActorPath,
    receiver: ActorPath,
    chunk: Uint8Array,
    offset: number,
    length: number,
  ): void {
    // An upper bound: a path that goes as a reference takes less.
    const size = dataFrameSize(sender, receiver, length);
    const paths = this.#paths;
    if (size <= this.#room || this.#lookForRoom(size)) {
      const data = this.#outData;
      const at = this.#written & (data.length - 1);
      const written = encodeDataFields(data, at, serId, sender, receiver, chunk, offset, length, paths) - at;
      this.#learnPair(data, at, sender, receiver);
      this.#written = (this.#written + written) | 0;
      this.#room -= written;
      return;
    }
    if (this.#at + size > this.#out.length) this.#grow(size);
    const at = this.#at;
    this.#at = encodeDataFields(this.#out, at, serId, sender, receiver, chunk, offset, length, paths);
    this.#learnPair(this.#out, at, sender, receiver);
  }

  /**
   * Whether a frame of `size` bytes can go straight into the ring: nothing of this batch is in `#out`
   * (it would be overtaken), every batch posted on the port was taken, and the ring has `size` bytes
   * free in one piece at `#written` (a frame that would wrap around its end goes to `#out`, and the
   * flush copies it in two pieces).
   */
  #lookForRoom(size: number): boolean {
    this.#room = 0;
    if (this.#at !== 0) return false;
    const header = this.#outHeader;
    if (this.#posted !== Atomics.load(header, TAKEN)) return false;
    const capacity = this.#outData.length;
    const written = this.#written;
    const free = capacity - ((written - Atomics.load(header, HEAD)) | 0);
    const room = Math.min(free, capacity - (written & (capacity - 1)));
    // Room too small stays 0: a smaller frame after this one must not overtake it.
    if (size > room) return false;
    this.#room = room;
    return true;
  }

  /**
   * Publishes what was queued: the frames written into the ring, then those in `#out`, copied into the
   * ring when they fit, else posted on the port.
   */
  flush(): void {
    if (this.#queued === 0 || this.#isClosed) return;
    this.#queued = 0;
    const header = this.#outHeader;
    let tail = header[TAIL] as number;
    if (this.#written !== tail) {
      tail = this.#written;
      this.#publish(tail);
    }
    const length = this.#at;
    if (length === 0) return;
    this.#at = 0;
    // The ring is looked at again for the next frame.
    this.#room = 0;
    const data = this.#outData;
    const capacity = data.length;
    const free = capacity - ((tail - Atomics.load(header, HEAD)) | 0);
    if (length <= free && this.#posted === Atomics.load(header, TAKEN)) {
      const at = tail & (capacity - 1);
      const first = Math.min(length, capacity - at);
      this.#out.copy(data, at, 0, first);
      if (first < length) this.#out.copy(data, 0, first, length);
      this.#written = (tail + length) | 0;
      this.#publish(this.#written);
      return;
    }
    // The ring is full, or batches posted before this one are not taken yet: post it, in order.
    const bytes = this.#out.subarray(0, length);
    this.#out = Buffer.allocUnsafeSlow(this.#out.length);
    this.#outView = viewOf(this.#out);
    this.#posted++;
    const message: FramesMessage = { kind: 'frames', bytes };
    this.#port.postMessage(message, [bytes.buffer as ArrayBuffer]);
  }

  /**
   * At the end of a drain that sent frames: when nothing is waiting to be read, spins up to `SPIN_MS`
   * for the other thread to publish, and hands over what it published at once. While spinning, the
   * wake-up flag is set, so the other thread posts no wake-up; once cleared, the ring is read again,
   * so frames published meanwhile are never left without one.
   */
  #spinForReply(): void {
    const header = this.#inHeader;
    const sink = this.#sink;
    if (header === undefined || sink === undefined || this.#isClosed) return;
    if (this.#spinSkips > 0) {
      this.#spinSkips--;
      return;
    }
    // Frames already there have their wake-up posted: the event loop reads them.
    if (Atomics.load(header, TAIL) !== header[HEAD]) return;
    const start = performance.now();
    if (!maySpin(start) || Atomics.exchange(header, WAKE, 1) !== 0) return;
    let isCaught = false;
    do {
      if (Atomics.load(header, TAIL) !== header[HEAD]) {
        isCaught = true;
        break;
      }
    } while (performance.now() - start < SPIN_MS);
    Atomics.store(header, WAKE, 0);
    this.#spins++;
    if (isCaught) {
      this.#caught++;
      this.#spinMisses = 0;
    } else {
      if (this.#spinMisses < MAX_SPIN_BACKOFF) this.#spinMisses++;
      this.#spinSkips = (1 << this.#spinMisses) - 1;
    }
    this.#drain(sink);
  }

  /** Makes the ring's bytes up to `tail` readable, and wakes the reader unless a wake-up is pending. */
  #publish(tail: number): void {
    const header = this.#outHeader;
    Atomics.store(header, TAIL, tail);
    if (Atomics.exchange(header, WAKE, 1) === 0) this.#port.postMessage(WAKE_UP);
  }

  /** Takes a message the other end's channel posted, handing each data frame to `sink` in order. */
  receive(message: ChannelMessage, sink: DataSink): void {
    if (message === WAKE_UP) {
      this.#sink = sink;
      const header = this.#inHeader;
      // A wake-up always follows the ring's message on the port.
      if (header !== undefined) Atomics.store(header, WAKE, 0);
      this.#drain(sink);
      return;
    }
    if (message.kind === 'ring') {
      this.#inHeader = new Int32Array(message.ring, 0, HEADER_BYTES / 4);
      this.#inData = new Uint8Array(message.ring, HEADER_BYTES);
      return;
    }
    // What the ring held before this batch was posted was read on the wake-up ahead of it on the port.
    this.#decode(message.bytes, sink);
    const header = this.#inHeader;
    if (header !== undefined) Atomics.add(header, TAKEN, 1);
  }

  /**
   * Stops sending: what was queued and not published is dropped. Returns how many frames that was (the
   * thread they were for is gone).
   */
  close(): number {
    const dropped = this.#queued;
    this.#isClosed = true;
    this.#at = 0;
    this.#queued = 0;
    this.#room = 0;
    return dropped;
  }

  /** Takes everything published in the other end's ring, as one copy (payloads are read in place). */
  #drain(sink: DataSink): void {
    const header = this.#inHeader;
    const data = this.#inData;
    if (header === undefined || data === undefined) return;
    const head = header[HEAD] as number;
    const tail = Atomics.load(header, TAIL);
    const length = (tail - head) | 0;
    if (length === 0) return;
    const capacity = data.length;
    const at = head & (capacity - 1);
    const first = Math.min(length, capacity - at);
    const bytes = Buffer.allocUnsafe(length);
    bytes.set(data.subarray(at, at + first), 0);
    if (first < length) bytes.set(data.subarray(0, length - first), first);
    Atomics.store(header, HEAD, tail);
    this.#decode(bytes, sink);
  }

  /**
   * Hands every frame of `bytes` (whole frames, back to back: the writer publishes and posts only whole
   * batches) to `sink`, in place. A frame of the usual stream, both paths references into the path
   * table, is read here without a reader object or a frame; others go through
   * {@link ThreadChannel.#decodeOther}.
   */
  #decode(input: Uint8Array, sink: DataSink): void {
    const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.length);
    const view = viewOf(bytes);
    const table = this.#inTable;
    const end = bytes.length;
    let at = 0;
    while (at < end) {
      const start = at + 4;
      at = start + view.getUint32(at);
      // The path fields' first four bytes: tag, sender id, tag (of the receiver's field).
      const fields = start + 9 <= end ? view.getUint32(start + 5) : 0;
      if (bytes[start] === FrameKindByte.data && (fields & 0xff0000ff) === REFERENCE_TAGS) {
        const sender = table[(fields >>> 8) & 0xffff];
        const receiver = table[view.getUint16(start + 9)];
        if (sender !== undefined && receiver !== undefined) {
          const offset = start + SHORT_BODY_BYTES;
          sink.data(view.getUint32(start + 1) as SerId, sender, receiver, bytes, offset, at - offset);
          continue;
        }
      }
      this.#decodeOther(bytes, start, at, sink);
    }
  }

  /** A data frame with an inline or define path field (the first of each pair), in `bytes[start, end)`. */
  #decodeOther(bytes: Buffer, start: number, end: number, sink: DataSink): void {
    // Only this build's own encoder writes to a thread channel: a bad frame is a bug, not an attack.
    if (bytes[start] !== FrameKindByte.data) {
      throw new KompactError(
        'MALFORMED_FRAME',
        `A thread channel carries data frames only, got kind ${bytes[start]}`,
      );
    }
    const sender = this.#readPath(bytes, start + 5);
    const receiver = this.#readPath(bytes, this.#pathEnd);
    const offset = this.#pathEnd;
    if (offset > end)
      throw new KompactError('MALFORMED_FRAME', 'A thread channel frame ends inside its paths');
    sink.data(readU32(bytes, start + 1) as SerId, sender, receiver, bytes, offset, end - offset);
  }

  /** The path field at `at` (a reference, or a path's text inline or defined into the table). */
  #readPath(bytes: Buffer, at: number): ActorPath {
    const tag = bytes[at];
    if (tag === PathTag.reference) {
      const id = ((bytes[at + 1] as number) << 8) | (bytes[at + 2] as number);
      const path = this.#inTable[id];
      if (path === undefined) {
        throw new KompactError(
          'MALFORMED_FRAME',
          `A thread channel frame refers to path ${id}, not in its table`,
        );
      }
      this.#pathEnd = at + 3;
      return path;
    }
    if (tag !== PathTag.inline && tag !== PathTag.define) {
      throw new KompactError('MALFORMED_FRAME', `A thread channel frame has a path field with tag ${tag}`);
    }
    const start = at + 5;
    const end = start + readU32(bytes, at + 1);
    const text = bytes.toString('utf8', start, end);
    let path = this.#inPaths.get(text);
    if (path === undefined) {
      path = ActorPath.parse(text);
      if (this.#inPaths.size >= PATH_CACHE_LIMIT) this.#inPaths.clear();
      this.#inPaths.set(text, path);
    }
    if (tag === PathTag.define) this.#inTable.push(path);
    this.#pathEnd = end;
    return path;
  }

  #grow(size: number): void {
    let capacity = this.#out.length * 2;
    while (capacity < this.#at + size) capacity *= 2;
    const bigger = Buffer.allocUnsafeSlow(capacity);
    this.#out.copy(bigger, 0, 0, this.#at);
    this.#out = bigger;
    this.#outView = viewOf(bigger);
  }
}

/** A `DataView` of `bytes`' own range. */
function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Copies a short payload byte by byte (a view to copy from would cost more). */
function copyPayload(out: Uint8Array, at: number, chunk: Uint8Array, offset: number, length: number): void {
  for (let i = 0; i < length; i++) out[at + i] = chunk[offset + i] as number;
}

/** The big-endian u32 at `at` (the caller checked the bounds). */
function readU32(b: Uint8Array, at: number): number {
  return (
    (b[at] as number) * 0x100_0000 +
    (((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number))
  );
}
