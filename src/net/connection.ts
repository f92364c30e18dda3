import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { assertNever } from '../internal/assert-never.js';
import { KompactError } from '../internal/kompact-error.js';
import { ReceiveBacklog } from '../messaging/receive-backlog.js';
import type { ActorPath } from '../paths/actor-path.js';
import type { SystemPath } from '../paths/system-path.js';
import type { SerId } from '../serialisation/ser-id.js';
import type { Clock, ClockTimer } from '../timer/clock.js';
import type { FlushScheduler } from './flush-scheduler.js';
import {
  ACK_FRAME_BYTES,
  type DataFrame,
  encodeAckFrame,
  encodeDataFields,
  encodeFrame,
  encodeFrames,
  encodeNumberByReference,
  type Frame,
  frameSize,
  MAX_HANDSHAKE_FRAME_BYTES,
  PathTable,
  readDataFrames,
} from './frame.js';
import { type DataSink, FrameDecoder } from './frame-decoder.js';
import { FrameError } from './frame-error.js';
import { FrameQueue } from './frame-queue.js';
import {
  acceptorHandshake,
  dialerHandshake,
  type HandshakeEnvironment,
  type HandshakeInput,
  type HandshakeLogLevel,
  type HandshakeState,
  NODE_HANDSHAKE_CRYPTO,
  step,
} from './handshake.js';
import type { HandshakeRole } from './handshake-proof.js';
import { canonicalIp } from './ip-address.js';

/**
 * Where a connection is in its life.
 *
 * - `handshaking`: connecting, or exchanging `hello`s; no data frames yet.
 * - `established`: data flows both ways.
 * - `closing`: a `bye` was sent or received; no new frames are accepted, queued ones still go out.
 * - `closed`: the socket is gone; the outcome was reported.
 *
 * Kompact: `ConnectionState::{Initializing, Connected, Closed/Lost}`.
 */
export type ConnectionState = 'handshaking' | 'established' | 'closing' | 'closed';

/**
 * How a connection ended, reported once to its {@link ConnectionHost}.
 *
 * - `failed`: it never completed its handshake (`isBlocked` when the peer's address is blocked).
 * - `lost`: it was established and ended without the `bye` exchange (socket error, malformed frame,
 *   the peer vanished).
 * - `closed`: both sides exchanged `bye`.
 *
 * `unsent` holds the frames queued but never handed to the socket (safe to send again elsewhere);
 * `unacknowledged` the frames written that the peer did not acknowledge (possibly delivered).
 */
export type ConnectionOutcome =
  | { readonly kind: 'failed'; readonly error: Error; readonly isBlocked: boolean }
  | {
      readonly kind: 'lost';
      readonly error: Error | undefined;
      readonly unsent: FrameQueue;
      readonly unacknowledged: DataFrame[];
    }
  | { readonly kind: 'closed'; readonly unsent: FrameQueue; readonly unacknowledged: DataFrame[] };

/** What a {@link Connection} asks of the transport that owns it. */
export interface ConnectionHost {
  /** Whether frames from or to `system` are refused. */
  isSystemBlocked(system: SystemPath): boolean;
  /** Whether connections with `address` (canonical) are refused. */
  isIpBlocked(address: string): boolean;
  /**
   * An accepted connection's dialer failed to prove the shared secret (a wrong, missing or unexpected
   * proof); called before the connection closes, so the transport can slow down guessing.
   */
  authenticationFailed(connection: Connection): void;
  /** The handshake completed; data frames may be enqueued now. */
  established(connection: Connection): void;
  /**
   * A data frame arrived (in order): its payload is `length` bytes at `offset` in `chunk` (never written
   * again).
   */
  data(
    connection: Connection,
    serId: SerId,
    sender: ActorPath,
    receiver: ActorPath,
    chunk: Uint8Array,
    offset: number,
    length: number,
  ): void;
  /** The connection ended; called once, after the socket closed. */
  closed(connection: Connection, outcome: ConnectionOutcome): void;
}

/** The settings a connection reads; the transport validated them. */
export interface ConnectionSettings {
  /** This system's path, sent in `hello`. */
  readonly localSystem: SystemPath;
  /** The shared secret, or `undefined` when strangers are not refused. */
  readonly secret: Uint8Array | undefined;
  readonly maxFrameBytes: number;
  readonly handshakeTimeoutMs: number;
  readonly closeTimeoutMs: number;
  /** The most bytes of data frames put into one `socket.write`. */
  readonly maxWriteBatchBytes: number;
  /** The receive backlog's limits, past which acknowledgements are withheld. */
  readonly maxReceiveBacklogMessages: number;
  readonly maxReceiveBacklogBytes: number;
  /**
   * Payload bytes received without an acknowledgement, while the backlog is full, past which reading
   * pauses: more than a peer that waits for acknowledgements would send.
   */
  readonly readPauseBytes: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly flusher: FlushScheduler;
  /**
   * Brackets every read (the transport's `onReadStart` and `onReadEnd`, with its flusher held in
   * between): the turns the read queued run at its end, and their replies and the read's ack are
   * written then, inside the `data` handler. `undefined`: they wait for the flusher.
   */
  readonly readScope: ReadScope | undefined;
}

/** What a connection calls around each socket read (see {@link ConnectionSettings.readScope}). */
export interface ReadScope {
  /** Called before the read's frames are decoded. */
  readonly start: () => void;
  /** Called even when handling the read failed. */
  readonly end: () => void;
}

/**
 * One TCP (or TLS) connection speaking the kompact-ts frame protocol: handshake, coalesced writes,
 * acknowledgements, backpressure accounting and the `bye` exchange.
 *
 * Kompact: a channel of the network thread (`network/src/net/network_channel.rs`).
 *
 * @remarks Handshake (protocol version 2): the pure {@link step} function of `handshake.ts` decides
 * it; this class feeds it the socket's connection, the frames and the timeout, and performs what it
 * returns. Every failure closes this connection only, with a best-effort `bye` that names the reason;
 * a dialer logs it (at warn when the acceptor names another system, at error otherwise), an acceptor
 * logs it at debug and its transport counts it into one summary line per interval, so a flood of bad
 * connections cannot flood the log. Until the handshake completes, frames above
 * {@link MAX_HANDSHAKE_FRAME_BYTES} close the connection before they are buffered.
 *
 * Writes: {@link Connection.enqueue} encodes the frame at once, with the connection's path table, into
 * the output buffer; the {@link FlushScheduler} calls {@link Connection.flush}, which writes what was
 * encoded since the last write (up to `maxWriteBatchBytes`), a cumulative `ack` for the data frames
 * received and, when closing, the `bye`, all in one `socket.write`; a turn that encodes more than
 * 16 KiB writes each time that much is waiting, without waiting for the turn's end.
 * While the socket's buffer is full
 * (`write` returned false) frames stay encoded, unwritten, until `'drain'`. No object is kept per frame.
 *
 * Acknowledgements: the peer acknowledges data frames once per turn; written batches (the bytes handed
 * to the socket, and their count of data frames) are kept until every frame in them is acknowledged. If
 * the connection dies, the frames of the batches not acknowledged and of the bytes not written are read
 * back into frame objects (paths from the path table) for its outcome. {@link Connection.bufferedBytes}
 * counts unwritten plus unacknowledged bytes: that is what the transport compares with its high-water
 * mark, and it bounds the memory a slow or stopped peer can pin.
 *
 * Backpressure from the receiving components: the messages this connection delivered and their
 * components have not taken yet count in its {@link Connection.backlog}. While that is full the
 * connection withholds its acknowledgements (it keeps reading, so replies and the peer's own
 * acknowledgements still arrive), so the peer's unacknowledged bytes reach its high-water mark and its
 * `send` refuses with `backpressure`; the due acknowledgement goes out as soon as the backlog is under
 * its limits again. A peer that keeps sending regardless (more than `readPauseBytes` of payload since
 * the last acknowledgement, while the backlog is full) is not read from until the backlog drains or
 * the connection closes. After {@link Connection.stopAcknowledging} (system shutdown) nothing more is
 * acknowledged: the peer reports what it sent since as unacknowledged instead of this side discarding
 * acknowledged messages.
 */
export class Connection {
  /** Distinguishes connections in events and logs; unique within a transport. */
  readonly session: number;
  /**
   * When this connection last carried a data frame, on its transport's use counter (not a clock: a
   * counter costs one increment per frame). The soft connection limit closes the least recently used.
   */
  lastUse = 0;
  /** Which side opened the connection. */
  readonly role: HandshakeRole;
  /**
   * The remote system: the path dialled (for a dialer) or the path the peer named in its `hello` (for an
   * acceptor; `undefined` until then).
   */
  system: SystemPath | undefined;
  /** The peer's canonical IP address, once connected. */
  remoteAddress: string | undefined;
  /** The messages this connection delivered that their components have not taken yet. */
  readonly backlog: ReceiveBacklog;

  private readonly socket: Socket;
  private readonly settings: ConnectionSettings;
  private readonly host: ConnectionHost;
  private readonly decoder: FrameDecoder;
  private readonly handshakeEnv: HandshakeEnvironment;
  /** The handshake's state; only read while {@link Connection.state} is `handshaking`. */
  private handshake: HandshakeState;
  private currentState: ConnectionState = 'handshaking';
  private readonly paths = new PathTable();
  /**
   * The output buffer: `[outStart, outEnd)` holds the data frames encoded and not yet written
   * (`outFrames` of them); the bytes before `outStart` were handed to the socket and are never written
   * again (the socket and the unacknowledged batches hold views of them).
   */
  private out: Buffer = EMPTY_OUT;
  /** A view of `out`, for the word-at-a-time encoding of the steady state's frames. */
  private outView = new DataView(EMPTY_OUT.buffer, EMPTY_OUT.byteOffset, 0);
  private outStart = 0;
  private outEnd = 0;
  private outFrames = 0;
  /**
   * The frames' sizes as the transport gave them (with inline paths: upper bounds) summed over the
   * unwritten frames, and over the written ones per batch: the high-water mark counts these, as it
   * counts the frames waiting for a connection.
   */
  private outSizes = 0;
  /**
   * Written batches not wholly acknowledged, `[batchHead, batchEnd)` oldest first, with their data
   * frames. The arrays keep their slots when every batch is acknowledged (the indices go back to 0):
   * truncating them (`length = 0`, a runtime call) and growing them again cost more per write than the
   * write's own bookkeeping.
   */
  private batches: Uint8Array[] = [];
  private batchFrames: number[] = [];
  private batchSizes: number[] = [];
  private batchHead = 0;
  private batchEnd = 0;
  /** Data frames of the oldest batch already acknowledged. */
  private headAcknowledged = 0;
  private unackedFrames = 0;
  private unackedSizes = 0;
  private received = 0;
  private lastAck = 0;
  private isAckDue = false;
  private isByeRequested = false;
  private isByeSent = false;
  private hasPeerBye = false;
  private isSocketFull = false;
  private isDying = false;
  /** Shutdown: acknowledge nothing more. */
  private isAckStopped = false;
  /** Payload bytes of the data frames received since the last `ack` written. */
  private unackedReceivedBytes = 0;
  private isReadPaused = false;
  /** Data frames and bytes (frames of every kind) written and read, for an inspector: counted per batch and per read. */
  framesSent = 0;
  bytesSent = 0;
  bytesReceived = 0;
  private error: Error | undefined;
  private timer: ClockTimer | undefined;

  /**
   * Wraps `socket`. A dialer's socket is still connecting: the handshake starts on `readyEvent`
   * (`'connect'`, or `'secureConnect'` for TLS). Call {@link Connection.start} next.
   */
  constructor(
    socket: Socket,
    role: HandshakeRole,
    session: number,
    settings: ConnectionSettings,
    host: ConnectionHost,
    dialled?: SystemPath,
  ) {
    this.socket = socket;
    this.role = role;
    this.session = session;
    this.settings = settings;
    this.host = host;
    this.system = dialled;
    // A peer that has not proved who it is gets only handshake-sized frames.
    this.decoder = new FrameDecoder(MAX_HANDSHAKE_FRAME_BYTES);
    this.decoder.setMaxFrameBytes(MAX_HANDSHAKE_FRAME_BYTES, 'the handshake frame limit');
    this.backlog = new ReceiveBacklog(
      settings.maxReceiveBacklogMessages,
      settings.maxReceiveBacklogBytes,
      this.onBacklogDrained,
      session,
    );
    this.handshakeEnv = {
      localSystem: settings.localSystem,
      secret: settings.secret,
      crypto: NODE_HANDSHAKE_CRYPTO,
      isSystemBlocked: (system) => host.isSystemBlocked(system),
    };
    this.handshake =
      role === 'dialer'
        ? dialerHandshake(NODE_HANDSHAKE_CRYPTO, dialled as SystemPath)
        : acceptorHandshake(NODE_HANDSHAKE_CRYPTO);
  }

  /** The connection's state. */
  get state(): ConnectionState {
    return this.currentState;
  }

  /** Whether {@link Connection.enqueue} takes frames: established, not closing, not dying. */
  get isAccepting(): boolean {
    return this.currentState === 'established' && !this.isByeRequested && !this.isDying;
  }

  /** Data frames received (and acknowledged or to be) on this connection. */
  get framesReceived(): number {
    return this.received;
  }

  /** Bytes of data frames queued or written but not acknowledged. */
  get bufferedBytes(): number {
    return this.outSizes + this.unackedSizes;
  }

  /** Attaches the socket listeners and starts the handshake clock. */
  start(readyEvent: 'connect' | 'secureConnect' | undefined): void {
    const socket = this.socket;
    socket.on('data', this.onData);
    socket.on('drain', this.onDrain);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    this.timer = this.settings.clock.setTimer(this.onHandshakeTimeout, this.settings.handshakeTimeoutMs);
    if (readyEvent === undefined) {
      this.noteAddress();
    } else {
      socket.once(readyEvent, this.onConnected);
    }
  }

  /**
   * Encodes `frame` (whose encoded size is at most `size`) for this turn's write; false when not
   * accepting.
   */
  enqueue(frame: DataFrame, size: number): boolean {
    if (!this.isAccepting) return false;
    this.reserve(size);
    this.outEnd = encodeFrame(frame, this.out, this.outEnd, size, this.paths);
    this.queued(size);
    return true;
  }

  /**
   * {@link Connection.enqueue} without a frame object: the payload is `length` bytes at `offset` in
   * `chunk`, copied now.
   */
  enqueueData(
    serId: SerId,
    sender: ActorPath,
    receiver: ActorPath,
    chunk: Uint8Array,
    offset: number,
    length: number,
    size: number,
  ): boolean {
    if (!this.isAccepting) return false;
    this.reserve(size);
    const paths = this.paths;
    this.outEnd =
      length === 8 && paths.isLastPair(sender, receiver)
        ? encodeNumberByReference(this.outView, this.outEnd, serId, paths.lastPairIds, chunk, offset)
        : encodeDataFields(this.out, this.outEnd, serId, sender, receiver, chunk, offset, length, paths);
    this.queued(size);
    return true;
  }

  private queued(size: number): void {
    this.outFrames++;
    this.outSizes += size;
    if (this.isSocketFull) return;
    if (this.outEnd - this.outStart >= EARLY_WRITE_BYTES) {
      // Mid-drain: the peer starts on these while this side computes the rest of the turn's frames
      // (with one stream in flight the two processes would otherwise take turns).
      this.flush();
    } else {
      this.settings.flusher.request(this);
    }
  }

  /**
   * Makes room for `bytes` more after `outEnd`: a new output buffer when this one is short, into which
   * the unwritten bytes move (the written ones stay where the socket and the batches see them).
   */
  private reserve(bytes: number): void {
    if (this.outEnd + bytes <= this.out.length) return;
    const pending = this.outEnd - this.outStart;
    // Doubling from a small first buffer: a connection that carries little keeps little.
    const grown = Math.min(Math.max(2 * this.out.length, MIN_OUT_BUFFER_BYTES), MAX_OUT_BUFFER_BYTES);
    const next = Buffer.allocUnsafe(Math.max(grown, 2 * (pending + bytes)));
    this.out.copy(next, 0, this.outStart, this.outEnd);
    this.out = next;
    this.outView = new DataView(next.buffer, next.byteOffset, next.length);
    this.outStart = 0;
    this.outEnd = pending;
  }

  /**
   * Closes gracefully: queued frames still go out, then `bye`; the connection ends when the peer's `bye`
   * arrives (it acknowledges everything first), or after `closeTimeoutMs`. A connection still in its
   * handshake is destroyed.
   */
  close(reason = 'closed'): void {
    if (this.currentState === 'closed' || this.isDying) return;
    if (this.currentState === 'handshaking') {
      this.destroy(new KompactError('HANDSHAKE_FAILED', `Connection closed during its handshake: ${reason}`));
      return;
    }
    this.requestBye();
  }

  /**
   * Acknowledges no more data frames, from now on (system shutdown): what the peer sends from here is
   * reported on its side (lost, `unacknowledged`) rather than acknowledged and discarded here.
   */
  stopAcknowledging(): void {
    this.isAckStopped = true;
  }

  /** Destroys the socket now; the outcome (with `error`) is reported when it has closed. */
  destroy(error?: Error): void {
    if (this.currentState === 'closed') return;
    this.isDying = true;
    this.error ??= error;
    this.decoder.stop();
    this.socket.destroy();
  }

  /** Writes what is queued: data frames (up to one batch), the due `ack`, the `bye`. Never throws. */
  flush(): void {
    if (
      this.currentState === 'closed' ||
      this.currentState === 'handshaking' ||
      this.isDying ||
      this.isSocketFull
    ) {
      return;
    }
    try {
      this.write();
    } catch (error) {
      this.fail(new KompactError('MALFORMED_FRAME', 'Could not encode an outgoing frame', { cause: error }));
    }
  }

  private write(): void {
    const limit = this.settings.maxWriteBatchBytes;
    const start = this.outStart;
    let end = this.outEnd;
    let frames = this.outFrames;
    if (end - start > limit) {
      // Write a prefix of whole frames: at least one, at most one batch.
      const out = this.out;
      let at = start;
      frames = 0;
      while (at < end) {
        const next = at + 4 + out.readUInt32BE(at);
        if (frames > 0 && next - start > limit) break;
        at = next;
        frames++;
      }
      end = at;
    }
    const isAllWritten = end === this.outEnd;
    const isByeNow = this.isByeRequested && !this.isByeSent && isAllWritten;
    // A full backlog withholds the ack (the peer feels it at its high-water mark), except when the
    // connection is closing: nothing more can pile up, and the frames held here will be handled.
    const isAckNow =
      this.isAckDue && !this.isAckStopped && (!this.backlog.isFull || isByeNow || this.hasPeerBye);
    const extra = (isAckNow ? ACK_FRAME_BYTES : 0) + (isByeNow ? byeSize : 0);
    const dataBytes = end - start;
    if (dataBytes + extra > 0) {
      let batch: Buffer;
      let written: Buffer;
      if (extra === 0) {
        batch = this.out.subarray(start, end);
        written = batch;
        this.outStart = end;
      } else if (isAllWritten) {
        // The ack and bye follow the data frames in the output buffer: one write.
        this.reserve(extra);
        const out = this.out;
        const dataStart = this.outStart;
        let at = this.outEnd;
        if (isAckNow) at = this.encodeAck(out, at);
        if (isByeNow) at = this.encodeBye(out, at);
        // The batch kept until acknowledged is the whole write: reading it back skips the ack and bye.
        written = out.subarray(dataStart, at);
        batch = written;
        this.outStart = at;
        this.outEnd = at;
      } else {
        // A capped batch (rare): a copy of its data frames, then the ack.
        written = Buffer.allocUnsafe(dataBytes + extra);
        this.out.copy(written, 0, start, end);
        this.encodeAck(written, dataBytes);
        batch = written;
        this.outStart = end;
      }
      if (frames > 0) {
        // A capped batch counts its bytes (sizes are upper bounds, so what stays unwritten is still
        // counted at least at its bytes).
        const sizes = isAllWritten ? this.outSizes : dataBytes;
        const end = this.batchEnd;
        this.batches[end] = batch;
        this.batchFrames[end] = frames;
        this.batchSizes[end] = sizes;
        this.batchEnd = end + 1;
        this.unackedFrames += frames;
        this.unackedSizes += sizes;
        this.outFrames -= frames;
        this.outSizes = isAllWritten ? 0 : this.outSizes - sizes;
      }
      this.framesSent += frames;
      this.bytesSent += written.length;
      if (!this.socket.write(written)) this.isSocketFull = true;
    }
    if (this.isByeSent && this.hasPeerBye) {
      this.socket.end();
    } else if (!this.isSocketFull && this.outEnd > this.outStart) {
      this.settings.flusher.request(this);
    }
  }

  private encodeAck(out: Buffer, at: number): number {
    this.isAckDue = false;
    this.unackedReceivedBytes = 0;
    return encodeAckFrame(out, at, this.received);
  }

  private encodeBye(out: Buffer, at: number): number {
    this.isByeSent = true;
    return encodeFrame(GRACEFUL_BYE, out, at, byeSize);
  }

  /** Forgets the oldest `count` unacknowledged data frames (at most `unackedFrames`). */
  private acknowledge(count: number): void {
    this.unackedFrames -= count;
    let left = count;
    while (left > 0) {
      const head = this.batchHead;
      const remaining = (this.batchFrames[head] as number) - this.headAcknowledged;
      if (left < remaining) {
        this.headAcknowledged += left;
        return;
      }
      left -= remaining;
      this.unackedSizes -= this.batchSizes[head] as number;
      this.batches[head] = EMPTY_OUT;
      this.batchHead = head + 1;
      this.headAcknowledged = 0;
    }
    if (this.batchHead === this.batchEnd) {
      this.batchHead = 0;
      this.batchEnd = 0;
    } else if (this.batchHead >= 1024 && this.batchHead * 2 >= this.batchEnd) {
      // A stream whose acks never catch up with its writes: drop the forgotten slots now and then.
      this.batches.splice(0, this.batchHead);
      this.batchFrames.splice(0, this.batchHead);
      this.batchSizes.splice(0, this.batchHead);
      this.batchEnd -= this.batchHead;
      this.batchHead = 0;
    }
  }

  private readonly onConnected = (): void => {
    this.noteAddress();
    if (this.currentState !== 'handshaking' || this.isDying) return;
    const address = this.remoteAddress;
    this.handshakeStep({
      kind: 'connected',
      address,
      isAddressBlocked: address !== undefined && this.host.isIpBlocked(address),
    });
  };

  private noteAddress(): void {
    const address = this.socket.remoteAddress;
    if (address !== undefined) this.remoteAddress = canonicalIp(address) ?? address;
  }

  private readonly onData = (chunk: Buffer): void => {
    const scope = this.settings.readScope;
    if (scope === undefined) {
      this.read(chunk);
      return;
    }
    scope.start();
    try {
      this.read(chunk);
    } finally {
      scope.end();
    }
  };

  private read(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    try {
      const error = this.decoder.push(
        chunk,
        this.onFrame,
        this.currentState === 'handshaking' ? undefined : this.dataSink,
      );
      if (error !== undefined) this.fail(error);
    } catch (error) {
      // A bug here or in the host must not escape into the socket's event emitter.
      this.fail(new KompactError('MALFORMED_FRAME', 'Failed to handle an incoming frame', { cause: error }));
    }
    // The ack leaves with the replies to this read: with the `after-drain` flush timing a request made
    // while decoding would run before the scheduler drain this read queued.
    if (this.isAckDue && !this.isSocketFull) this.settings.flusher.request(this);
  }

  private readonly onFrame = (frame: Frame): void => {
    if (this.isDying) return;
    if (this.currentState === 'handshaking') {
      this.handshakeStep({ kind: 'frame', frame });
      return;
    }
    switch (frame.kind) {
      case 'data': {
        const { payload } = frame;
        this.dataSink.data(frame.serId, frame.sender, frame.receiver, payload, 0, payload.length);
        return;
      }
      case 'ack':
        this.acknowledged(frame.count);
        return;
      case 'bye':
        this.hasPeerBye = true;
        if (frame.isError) {
          this.fail(new Error(`The peer closed the connection: ${frame.reason}`), false);
          return;
        }
        this.settings.logger.debug(this.fields(), `Peer said bye: ${frame.reason}`);
        if (this.isByeSent) {
          this.socket.end();
        } else {
          this.requestBye();
        }
        return;
      case 'hello':
      case 'hello-ack':
        this.fail(new FrameError('invalid-field', `Unexpected ${frame.kind} after the handshake`));
        return;
      default:
        assertNever(frame);
    }
  };

  /** The peer's `ack`: it has received `count` data frames on this connection (modulo 2^32). */
  private acknowledged(count: number): void {
    const acknowledged = (count - this.lastAck) >>> 0;
    if (acknowledged > this.unackedFrames) {
      this.fail(
        new FrameError(
          'invalid-field',
          `The peer acknowledged ${acknowledged} frames, but only ${this.unackedFrames} were unacknowledged`,
        ),
      );
      return;
    }
    this.lastAck = count;
    this.acknowledge(acknowledged);
  }

  /** Data frames (and acks) after the handshake, handed over by the decoder in place. */
  private readonly dataSink: DataSink = {
    ack: (count) => {
      if (!this.isDying) this.acknowledged(count);
    },
    data: (serId, sender, receiver, chunk, offset, length) => {
      if (this.isDying) return;
      if (this.hasPeerBye) {
        this.fail(new FrameError('invalid-field', 'A data frame arrived after the peer said bye'));
        return;
      }
      this.received = (this.received + 1) >>> 0;
      // Requested at the end of the read (onData), after the drain of what this read delivers.
      this.isAckDue = true;
      this.host.data(this, serId, sender, receiver, chunk, offset, length);
      this.unackedReceivedBytes += length;
      if (
        this.backlog.isFull &&
        this.unackedReceivedBytes > this.settings.readPauseBytes &&
        !this.isReadPaused &&
        !this.isByeRequested
      ) {
        // The peer ignores the withheld acknowledgements: let TCP hold it back instead.
        this.isReadPaused = true;
        this.socket.pause();
        this.settings.logger.warn(
          { ...this.fields(), unacknowledgedBytes: this.unackedReceivedBytes },
          'The peer keeps sending while its acknowledgements are withheld; reading pauses until the backlog drains',
        );
      }
    },
  };

  private resumeReading(): void {
    if (!this.isReadPaused) return;
    this.isReadPaused = false;
    this.socket.resume();
  }

  /** Feeds `input` to the handshake and performs what it decides, in order. */
  private handshakeStep(input: HandshakeInput): void {
    const { state, actions } = step(this.handshake, input, this.handshakeEnv);
    this.handshake = state;
    for (const action of actions) {
      switch (action.kind) {
        case 'send':
          this.sendNow(action.frame);
          break;
        case 'identify':
          this.system = action.system;
          break;
        case 'authentication-failed':
          this.host.authenticationFailed(this);
          break;
        case 'establish':
          this.establish();
          break;
        case 'fail':
          this.fail(action.error, action.isByeUseful, action.level);
          break;
        case 'destroy':
          this.destroy(action.error);
          break;
        default:
          assertNever(action);
      }
    }
  }

  private establish(): void {
    this.currentState = 'established';
    this.decoder.setMaxFrameBytes(this.settings.maxFrameBytes);
    this.clearTimer();
    this.host.established(this);
  }

  private sendNow(frame: Frame): void {
    this.socket.write(encodeFrames([frame]));
  }

  private requestBye(): void {
    if (this.isByeRequested) return;
    this.isByeRequested = true;
    this.currentState = 'closing';
    // The peer's bye must be read.
    this.resumeReading();
    this.clearTimer();
    this.timer = this.settings.clock.setTimer(this.onCloseTimeout, this.settings.closeTimeoutMs);
    this.settings.flusher.request(this);
  }

  /**
   * Closes this connection because of `error`: logs it, tells the peer why in a `bye` (unless the peer
   * already said bye or the bye cannot be written), and ends the socket (destroyed after
   * `closeTimeoutMs` if the peer does not close its side).
   */
  private fail(error: Error, isByeUseful = true, level: HandshakeLogLevel = 'error'): void {
    if (this.currentState === 'closed' || this.isDying) return;
    this.isDying = true;
    this.error = error;
    this.decoder.stop();
    const handshake = this.currentState === 'handshaking';
    // Anyone can open connections to an acceptor: its handshake failures are counted by the transport
    // and summarised, never logged one line each above debug.
    this.settings.logger[handshake && this.role === 'acceptor' ? 'debug' : level](
      { ...this.fields(), err: error },
      `Closing ${handshake ? 'connection in handshake' : 'connection'}: ${error.message}`,
    );
    this.clearTimer();
    const socket = this.socket;
    if (isByeUseful && !this.hasPeerBye && socket.writable && !this.isByeSent) {
      this.isByeSent = true;
      // Close once the bye is flushed, without waiting for the peer; the timer covers a write that never
      // finishes.
      socket.end(encodeFrames([{ kind: 'bye', isError: true, reason: error.message.slice(0, 200) }]), () =>
        socket.destroy(),
      );
      this.timer = this.settings.clock.setTimer(() => socket.destroy(), this.settings.closeTimeoutMs);
    } else {
      socket.destroy();
    }
  }

  private readonly onBacklogDrained = (): void => {
    if (this.currentState === 'closed') return;
    this.resumeReading();
    if (this.isAckDue && !this.isAckStopped && !this.isSocketFull) this.settings.flusher.request(this);
  };

  private readonly onDrain = (): void => {
    this.isSocketFull = false;
    this.settings.flusher.request(this);
  };

  private readonly onError = (error: Error): void => {
    this.error ??= error;
    this.settings.logger.debug({ ...this.fields(), err: error }, `Socket error: ${error.message}`);
  };

  private readonly onHandshakeTimeout = (): void => {
    this.timer = undefined;
    this.handshakeStep({ kind: 'timeout', timeoutMs: this.settings.handshakeTimeoutMs });
  };

  private readonly onCloseTimeout = (): void => {
    this.timer = undefined;
    this.destroy(new Error(`The peer did not finish closing within ${this.settings.closeTimeoutMs} ms`));
  };

  private readonly onClose = (): void => {
    if (this.currentState === 'closed') return;
    const wasEstablished = this.currentState !== 'handshaking';
    this.currentState = 'closed';
    this.clearTimer();
    this.decoder.stop();
    const socket = this.socket;
    socket.off('data', this.onData);
    socket.off('drain', this.onDrain);
    // The error listener stays: a late 'error' must never be unhandled.
    let outcome: ConnectionOutcome;
    if (!wasEstablished) {
      const address = this.remoteAddress;
      outcome = {
        kind: 'failed',
        error:
          this.error ?? new KompactError('HANDSHAKE_FAILED', 'The connection closed during its handshake'),
        isBlocked: address !== undefined && this.host.isIpBlocked(address),
      };
    } else {
      const unsent = new FrameQueue();
      const unwritten: DataFrame[] = [];
      readDataFrames(this.out.subarray(this.outStart, this.outEnd), this.paths, 0, unwritten);
      for (const frame of unwritten) unsent.push(frame, frameSize(frame));
      const unacknowledged: DataFrame[] = [];
      for (let i = this.batchHead; i < this.batchEnd; i++) {
        const skip = i === this.batchHead ? this.headAcknowledged : 0;
        readDataFrames(this.batches[i] as Uint8Array, this.paths, skip, unacknowledged);
      }
      outcome =
        this.isByeSent && this.hasPeerBye && this.error === undefined
          ? { kind: 'closed', unsent, unacknowledged }
          : { kind: 'lost', error: this.error, unsent, unacknowledged };
    }
    this.host.closed(this, outcome);
  };

  private clearTimer(): void {
    if (this.timer !== undefined) this.settings.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private fields(): Record<string, unknown> {
    return {
      session: this.session,
      role: this.role,
      remote: this.system?.toString(),
      address: this.remoteAddress,
    };
  }
}

const GRACEFUL_BYE: Frame = Object.freeze({ kind: 'bye', isError: false, reason: 'closing' });
/**
 * The sizes of a connection's output buffers: a new one (twice the last, within these bounds, or larger
 * for a large frame) is made when the rest of the current one is too short.
 */
const MIN_OUT_BUFFER_BYTES = 4 * 1024;
/**
 * Unwritten bytes at which a connection writes at once instead of at the end of the turn: a few
 * hundred small frames, so the extra writes cost little against the work of the frames they carry.
 */
const EARLY_WRITE_BYTES = 16 * 1024;
const MAX_OUT_BUFFER_BYTES = 64 * 1024;
const EMPTY_OUT = Buffer.alloc(0);
const byeSize = frameSize(GRACEFUL_BYE);
