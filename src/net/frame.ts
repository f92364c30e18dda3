import { assertNever } from '../internal/assert-never.js';
import { describeValue } from '../internal/describe-value.js';
import { ActorPath } from '../paths/actor-path.js';
import type { SystemPath } from '../paths/system-path.js';
import type { SerId } from '../serialisation/ser-id.js';

/**
 * The wire-protocol version this build speaks; a `hello` with another version is refused.
 *
 * @remarks Version 2: the dialer proves the shared secret first and the acceptor answers with its own
 * `hello-ack` only after checking that proof (version 1 sent the acceptor's proof in its `hello`, to
 * anyone who asked); proofs cover both nonces and both system paths.
 */
export const PROTOCOL_VERSION = 2;

/**
 * The largest frame accepted before a connection's handshake completes, in bytes after the 4-byte
 * length: a `hello` with a 253-character host name takes about 320, a `bye` with the longest reason this
 * build sends about 610; the rest is margin. A peer that declares a larger frame before it has proved
 * who it is is closed without the frame being buffered.
 */
export const MAX_HANDSHAKE_FRAME_BYTES = 4096;

/** Length of the random nonce each side sends in its `hello`. */
export const NONCE_BYTES = 16;

/** Length of a shared-secret proof (an HMAC-SHA256). */
export const PROOF_BYTES = 32;

/** The frame header: a u32 length (of what follows it), then a u8 frame kind. */
export const FRAME_HEADER_BYTES = 5;

/**
 * The frame-kind byte of each frame on the wire.
 *
 * @remarks Layouts (integers big-endian, strings as a u32 byte length then UTF-8):
 * - `hello` (1): u16 version, 16-byte nonce, u8 proof flag (0 or 1), [32-byte proof], string system path.
 * - `hello-ack` (2): u8 proof flag, [32-byte proof].
 * - `data` (3): u32 serId, path field sender, path field receiver, payload (the rest of the frame). A path
 *   field is a u8 tag then: tag 0 (inline) a string; tag 1 (define) a string that the receiving side also
 *   stores in the connection's path table under the next id (0, 1, 2, …); tag 2 (reference) a u16 id
 *   into that table. See {@link PathTable}.
 * - `ack` (4): u32 count of data frames received on this connection so far (modulo 2^32).
 * - `bye` (5): u8 error flag (0: a graceful close, 1: closed because of an error), string reason.
 */
export const FrameKindByte = {
  hello: 1,
  'hello-ack': 2,
  data: 3,
  ack: 4,
  bye: 5,
} as const;

/**
 * The handshake opener. The dialer sends it first; the acceptor answers with its own. Neither carries a
 * proof (since protocol version 2 a `hello` with a proof is refused): the proofs travel in the
 * `hello-ack`s, once both nonces are known.
 */
export interface HelloFrame {
  readonly kind: 'hello';
  /** The sender's protocol version. */
  readonly version: number;
  /** The sender's own system path (its listening address). */
  readonly system: SystemPath;
  /** {@link NONCE_BYTES} random bytes, for the other side's proof. */
  readonly nonce: Uint8Array;
  /** Always `undefined` in protocol version 2 (the field is kept so the frame layout is unchanged). */
  readonly proof: Uint8Array | undefined;
}

/**
 * The proof of each side, with a shared secret (see `handshakeProof`): the dialer sends its `hello-ack`
 * after the acceptor's `hello`; the acceptor checks it and only then sends its own, and is established.
 * Without a shared secret both carry no proof.
 */
export interface HelloAckFrame {
  readonly kind: 'hello-ack';
  readonly proof: Uint8Array | undefined;
}

/**
 * One serialised message from `sender` to `receiver`.
 *
 * Kompact: the wire form of a `NetMessage` (`ser_id`, sender, receiver, data).
 *
 * @remarks A decoded payload is a view into the received bytes (never reused by Node); copy it to keep a
 * small part of a large chunk alive for long.
 */
export interface DataFrame {
  readonly kind: 'data';
  /** Which serialiser reads `payload`; never 0. */
  readonly serId: SerId;
  readonly sender: ActorPath;
  readonly receiver: ActorPath;
  readonly payload: Uint8Array;
}

/** How many data frames the sender of this frame has received on this connection (modulo 2^32). */
export interface AckFrame {
  readonly kind: 'ack';
  readonly count: number;
}

/**
 * The last frame a side sends on a connection: a graceful close (after which it sends nothing), or,
 * with `isError`, a refusal or protocol error, just before the socket closes.
 */
export interface ByeFrame {
  readonly kind: 'bye';
  readonly isError: boolean;
  readonly reason: string;
}

/** Every frame of the kompact-ts wire protocol, discriminated by `kind`. */
export type Frame = HelloFrame | HelloAckFrame | DataFrame | AckFrame | ByeFrame;

/**
 * @internal The {@link DataFrame} the network link sends: its payload is `length` bytes at `offset` in
 * `chunk` (the serialiser's writer chunk, never written again), viewed only when `payload` is read (a
 * lost frame), so a frame that is only encoded makes no view of it.
 */
export class ChunkDataFrame implements DataFrame {
  readonly kind = 'data' as const;
  readonly serId: SerId;
  readonly sender: ActorPath;
  readonly receiver: ActorPath;
  readonly chunk: Uint8Array;
  readonly offset: number;
  readonly length: number;
  private view: Uint8Array | undefined;

  constructor(
    serId: SerId,
    sender: ActorPath,
    receiver: ActorPath,
    chunk: Uint8Array,
    offset: number,
    length: number,
  ) {
    this.serId = serId;
    this.sender = sender;
    this.receiver = receiver;
    this.chunk = chunk;
    this.offset = offset;
    this.length = length;
    this.view = undefined;
  }

  get payload(): Uint8Array {
    const chunk = this.chunk;
    this.view ??=
      this.offset === 0 && this.length === chunk.length
        ? chunk
        : new Uint8Array(chunk.buffer, chunk.byteOffset + this.offset, this.length);
    return this.view;
  }
}

/** Makes a {@link DataFrame}. */
export function dataFrame(
  serId: SerId,
  sender: ActorPath,
  receiver: ActorPath,
  payload: Uint8Array,
): DataFrame {
  return { kind: 'data', serId, sender, receiver, payload };
}

/** The payload's length of `frame`, without making a view of it. */
function payloadLength(frame: DataFrame): number {
  return frame instanceof ChunkDataFrame ? frame.length : frame.payload.length;
}

// Paths are immutable, so their wire form (u32 length, UTF-8) is computed once per path object.
const wireCache = new WeakMap<object, Uint8Array>();

function wireOf(path: ActorPath | SystemPath): Uint8Array {
  let bytes = wireCache.get(path);
  if (bytes === undefined) {
    const text = Buffer.from(path.toString(), 'utf8');
    bytes = new Uint8Array(4 + text.length);
    putU32(bytes, 0, text.length);
    bytes.set(text, 4);
    wireCache.set(path, bytes);
  }
  return bytes;
}

// The sender and receiver of the last data frame sized, and their two inline path fields' bytes: a
// stream of messages between the same two components (the usual case) skips both cache lookups.
let sizedSender: ActorPath | undefined;
let sizedReceiver: ActorPath | undefined;
let sizedPathBytes = 0;

/** The bytes of `sender`'s and `receiver`'s path fields when both travel inline (tags included). */
function inlinePathBytes(sender: ActorPath, receiver: ActorPath): number {
  if (sender !== sizedSender || receiver !== sizedReceiver) {
    sizedPathBytes = 2 + wireOf(sender).length + wireOf(receiver).length;
    sizedSender = sender;
    sizedReceiver = receiver;
  }
  return sizedPathBytes;
}

/** Most entries in one direction's path table; later new paths travel inline. */
export const PATH_TABLE_LIMIT = 4096;

/** Longest path (UTF-8 bytes) that may be stored in a path table; longer ones always travel inline. */
export const PATH_TABLE_MAX_PATH_BYTES = 1024;

/** Path-field tags of a data frame. */
export const PathTag = { inline: 0, define: 1, reference: 2 } as const;

/**
 * The sending side of a connection's path table: each distinct actor path is sent in full once per
 * connection (tag `define`) and as a 2-byte id afterwards (tag `reference`).
 *
 * @remarks The table lives and dies with one connection and one direction; the decoder on the other side
 * assigns the same ids in the same order because TCP keeps the frames in order. It stops growing at
 * {@link PATH_TABLE_LIMIT} entries, after which new paths travel inline, so a connection's table memory
 * is bounded on both sides.
 */
export class PathTable {
  private readonly ids = new Map<string, number>();
  /**
   * `ids` by path object (a lookup by identity costs about half one by the path's text); entries are
   * never removed from `ids`, so this is never stale. Emptied when full.
   */
  private readonly idsByPath = new Map<ActorPath, number>();
  /** The path each id stands for (the first object sent with it), to read written frames back. */
  private readonly pathsById: ActorPath[] = [];

  /**
   * The sender and receiver of the last frame whose two paths were both in the table, with their ids:
   * a stream of messages between the same two components (the usual case) skips both lookups. Ids
   * never change once given, so this is never stale.
   */
  private lastSender: ActorPath | undefined;
  private lastReceiver: ActorPath | undefined;
  private lastIds = 0;

  /** Writes the path fields of `sender` then `receiver` at `at` and returns the offset after them. */
  putPair(out: Uint8Array, at: number, sender: ActorPath, receiver: ActorPath): number {
    if (this.isLastPair(sender, receiver)) return this.putLastPair(out, at);
    const start = at;
    at = this.put(out, this.put(out, at, sender), receiver);
    if (at === start + 6 && out[start] === PathTag.reference && out[start + 3] === PathTag.reference) {
      this.lastSender = sender;
      this.lastReceiver = receiver;
      this.lastIds =
        ((out[start + 1] as number) << 24) |
        ((out[start + 2] as number) << 16) |
        ((out[start + 4] as number) << 8) |
        (out[start + 5] as number);
    }
    return at;
  }

  /**
   * Whether `sender` and `receiver` are the last pair {@link PathTable.putPair} wrote as two references:
   * {@link PathTable.putLastPair} then writes their fields without a lookup.
   */
  isLastPair(sender: ActorPath, receiver: ActorPath): boolean {
    return sender === this.lastSender && receiver === this.lastReceiver;
  }

  /**
   * The ids of the last pair written as two references, sender's in the high 16 bits (only meaningful
   * while {@link PathTable.isLastPair} holds).
   */
  get lastPairIds(): number {
    return this.lastIds;
  }

  /** Writes the path fields of the last pair written as two references (6 bytes) at `at`; returns the offset after them. */
  putLastPair(out: Uint8Array, at: number): number {
    const ids = this.lastIds;
    out[at] = PathTag.reference;
    out[at + 1] = ids >>> 24;
    out[at + 2] = (ids >>> 16) & 0xff;
    out[at + 3] = PathTag.reference;
    out[at + 4] = (ids >>> 8) & 0xff;
    out[at + 5] = ids & 0xff;
    return at + 6;
  }

  /** The path that `id` stands for, or `undefined` when no path was given that id. */
  pathOf(id: number): ActorPath | undefined {
    return this.pathsById[id];
  }

  /** Writes the path field of `path` at `at` and returns the offset after it. */
  put(out: Uint8Array, at: number, path: ActorPath): number {
    let id = this.idsByPath.get(path);
    if (id === undefined) {
      id = this.ids.get(path.toString());
      if (id !== undefined) {
        if (this.idsByPath.size >= PATH_TABLE_LIMIT) this.idsByPath.clear();
        this.idsByPath.set(path, id);
      }
    }
    if (id !== undefined) {
      out[at] = PathTag.reference;
      out[at + 1] = id >>> 8;
      out[at + 2] = id & 0xff;
      return at + 3;
    }
    const wire = wireOf(path);
    if (this.ids.size < PATH_TABLE_LIMIT && wire.length - 4 <= PATH_TABLE_MAX_PATH_BYTES) {
      this.ids.set(path.toString(), this.ids.size);
      this.pathsById.push(path);
      out[at] = PathTag.define;
    } else {
      out[at] = PathTag.inline;
    }
    return putBytes(out, at + 1, wire);
  }
}

/**
 * The encoded size of a data frame from `sender` to `receiver` with a payload of `payloadLength` bytes,
 * with both paths inline (an upper bound: a path-table reference is smaller).
 */
export function dataFrameSize(sender: ActorPath, receiver: ActorPath, payloadLength: number): number {
  return FRAME_HEADER_BYTES + 4 + inlinePathBytes(sender, receiver) + payloadLength;
}

/** Encoded size of an `ack` frame. */
export const ACK_FRAME_BYTES = FRAME_HEADER_BYTES + 4;

/**
 * How many bytes `frame` takes on the wire, header included; for a data frame, the size with both paths
 * inline (an upper bound: a path-table reference is smaller).
 */
export function frameSize(frame: Frame): number {
  switch (frame.kind) {
    case 'data':
      return FRAME_HEADER_BYTES + 4 + inlinePathBytes(frame.sender, frame.receiver) + payloadLength(frame);
    case 'ack':
      return ACK_FRAME_BYTES;
    case 'hello':
      return (
        FRAME_HEADER_BYTES +
        2 +
        NONCE_BYTES +
        1 +
        (frame.proof === undefined ? 0 : PROOF_BYTES) +
        wireOf(frame.system).length
      );
    case 'hello-ack':
      return FRAME_HEADER_BYTES + 1 + (frame.proof === undefined ? 0 : PROOF_BYTES);
    case 'bye':
      return FRAME_HEADER_BYTES + 5 + Buffer.byteLength(frame.reason, 'utf8');
    default:
      return assertNever(frame);
  }
}

/**
 * Writes `frame` into `out` at `offset` and returns the offset after it; `out` must have
 * {@link frameSize} bytes free there (pass that size as `size` when it is already known). Data frames
 * use `paths` (the connection's {@link PathTable}) when given and inline paths otherwise.
 *
 * @throws TypeError when a field is out of range (a serId of 0 or above 2^32 - 1, a nonce or proof of the
 * wrong length, a protocol version above 65535).
 */
export function encodeFrame(
  frame: Frame,
  out: Buffer,
  offset: number,
  size?: number,
  paths?: PathTable,
): number {
  if (frame.kind === 'data') return encodeData(frame, out, offset, paths);
  out[offset + 4] = FrameKindByte[frame.kind];
  putU32(out, offset, (size ?? frameSize(frame)) - 4);
  return encodeControl(frame, out, offset + 5);
}

/** Whether `serId` can travel in a data frame: an integer from 1 to 2^32 - 1. */
export function isSerIdValue(serId: number): boolean {
  return serId >= 1 && serId <= 0xffff_ffff && Number.isInteger(serId);
}

function encodeData(frame: DataFrame, out: Buffer, offset: number, paths: PathTable | undefined): number {
  const serId = frame.serId;
  if (!isSerIdValue(serId)) {
    throw new TypeError(
      `Expected \`serId\` to be an integer from 1 to 4294967295, got ${describeValue(serId)}`,
    );
  }
  if (frame instanceof ChunkDataFrame) {
    return encodeDataFields(
      out,
      offset,
      frame.serId,
      frame.sender,
      frame.receiver,
      frame.chunk,
      frame.offset,
      frame.length,
      paths,
    );
  }
  const payload = frame.payload;
  return encodeDataFields(
    out,
    offset,
    frame.serId,
    frame.sender,
    frame.receiver,
    payload,
    0,
    payload.length,
    paths,
  );
}

/**
 * Writes a data frame given by its fields (the payload is `length` bytes at `from` in `chunk`) into
 * `out` at `offset`, as {@link encodeFrame} does, and returns the offset after it; no frame object is
 * needed. The caller has checked `serId` (an integer from 1 to 2^32 - 1, as `TcpTransport.sendData`
 * checks it before anything is queued): this runs once per message sent.
 *
 * @throws RangeError when `out` is short.
 */
export function encodeDataFields(
  out: Buffer,
  offset: number,
  serId: SerId,
  sender: ActorPath,
  receiver: ActorPath,
  chunk: Uint8Array,
  from: number,
  length: number,
  paths: PathTable | undefined,
): number {
  out[offset + 4] = FrameKindByte.data;
  let at = putU32(out, offset + 5, serId);
  if (paths === undefined) {
    out[at] = PathTag.inline;
    at = putBytes(out, at + 1, wireOf(sender));
    out[at] = PathTag.inline;
    at = putBytes(out, at + 1, wireOf(receiver));
  } else {
    at = paths.putPair(out, at, sender, receiver);
  }
  at = putRange(out, at, chunk, from, length);
  // Typed-array writes past the end are silently dropped: never let a short buffer truncate a frame.
  if (at > out.length) throw new RangeError(`A data frame of ${at - offset} bytes overran its buffer`);
  putU32(out, offset, at - offset - 4);
  return at;
}

/** The fields of a data frame before its payload when both paths are references: 1 + 4 + 3 + 3. */
export const DATA_BY_REFERENCE_BYTES = 11;

/** The bytes of a data frame whose paths are references and whose payload is 8 bytes (a number). */
export const NUMBER_BY_REFERENCE_FRAME_BYTES = 4 + DATA_BY_REFERENCE_BYTES + 8;

/**
 * Writes at `offset` the 15 bytes of a data frame before its payload of `payloadLength` bytes when both
 * paths are path-table references with the ids `pairIds` (sender's in the high 16 bits, see
 * `PathTable.lastPairIds`): the same bytes as {@link encodeDataFields}, as five writes through `view` (a
 * `DataView` of the output) instead of fifteen byte stores. The caller made room and checked `serId`.
 */
export function putReferenceDataHeader(
  view: DataView,
  offset: number,
  serId: SerId,
  pairIds: number,
  payloadLength: number,
): void {
  // Literals, not the named constants (DATA_BY_REFERENCE_BYTES 11, FrameKindByte.data 3,
  // PathTag.reference 2 in the first and last byte of the pair's first word): optimised code reads a
  // module binding through its cell, with a check, at every use, and this runs once per message sent.
  view.setUint32(offset, 11 + payloadLength);
  view.setUint8(offset + 4, 3);
  view.setUint32(offset + 5, serId);
  view.setUint32(offset + 9, 0x0200_0002 | ((pairIds >>> 16) << 8));
  view.setUint16(offset + 13, pairIds & 0xffff);
}

/**
 * Writes the steady state's data frame, as {@link encodeDataFields} would: both paths path-table
 * references with the ids `pairIds` (sender's in the high 16 bits, see `PathTable.lastPairIds`) and a
 * payload of the 8 bytes at `from` in `chunk` (a number, the commonest small payload). Written through
 * `view` (a `DataView` of the output) a word at a time, the header by {@link putReferenceDataHeader}.
 * The caller made room for {@link NUMBER_BY_REFERENCE_FRAME_BYTES} at `offset` and checked `serId`;
 * returns the offset after the frame.
 *
 * @throws RangeError when `view` is short (never a truncated frame).
 */
export function encodeNumberByReference(
  view: DataView,
  offset: number,
  serId: SerId,
  pairIds: number,
  chunk: Uint8Array,
  from: number,
): number {
  putReferenceDataHeader(view, offset, serId, pairIds, 8);
  view.setUint32(
    offset + 15,
    (((chunk[from] as number) << 24) |
      ((chunk[from + 1] as number) << 16) |
      ((chunk[from + 2] as number) << 8) |
      (chunk[from + 3] as number)) >>>
      0,
  );
  view.setUint32(
    offset + 19,
    (((chunk[from + 4] as number) << 24) |
      ((chunk[from + 5] as number) << 16) |
      ((chunk[from + 6] as number) << 8) |
      (chunk[from + 7] as number)) >>>
      0,
  );
  return offset + 23;
}

/**
 * Writes an `ack` frame for `count` data frames at `offset` in `out` ({@link ACK_FRAME_BYTES}, which
 * the caller made room for), as {@link encodeFrame} would, without a frame object; returns the offset
 * after it.
 */
export function encodeAckFrame(out: Buffer, offset: number, count: number): number {
  putU32(out, offset, ACK_FRAME_BYTES - 4);
  out[offset + 4] = FrameKindByte.ack;
  return putU32(out, offset + 5, count >>> 0);
}

function encodeControl(frame: Exclude<Frame, DataFrame>, out: Buffer, at: number): number {
  switch (frame.kind) {
    case 'ack':
      return putU32(out, at, frame.count >>> 0);
    case 'hello': {
      if (!Number.isInteger(frame.version) || frame.version < 0 || frame.version > 0xffff) {
        throw new TypeError(
          `Expected \`version\` to be an integer from 0 to 65535, got ${describeValue(frame.version)}`,
        );
      }
      checkLength('nonce', frame.nonce, NONCE_BYTES);
      at = out.writeUInt16BE(frame.version, at);
      out.set(frame.nonce, at);
      at = putProof(out, at + NONCE_BYTES, frame.proof);
      return putBytes(out, at, wireOf(frame.system));
    }
    case 'hello-ack':
      return putProof(out, at, frame.proof);
    case 'bye': {
      const length = Buffer.byteLength(frame.reason, 'utf8');
      at = out.writeUInt8(frame.isError ? 1 : 0, at);
      at = out.writeUInt32BE(length, at);
      return at + out.write(frame.reason, at, length, 'utf8');
    }
    default:
      return assertNever(frame);
  }
}

/**
 * The data frames in `bytes`, frames that this side encoded with `paths` (whole frames back to back;
 * other kinds are skipped), after the first `skip` data frames: how a connection reports the frames it
 * wrote or queued, as frame objects, when it dies. Payloads are views into `bytes`.
 */
export function readDataFrames(bytes: Uint8Array, paths: PathTable, skip: number, into: DataFrame[]): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  let seen = 0;
  while (at + FRAME_HEADER_BYTES <= bytes.length) {
    const end = at + 4 + view.getUint32(at);
    if (bytes[at + 4] === FrameKindByte.data && seen++ >= skip) {
      const serId = view.getUint32(at + 5) as SerId;
      let fieldAt = at + 9;
      const pathField = (): ActorPath => {
        const tag = bytes[fieldAt];
        if (tag === PathTag.reference) {
          const id = view.getUint16(fieldAt + 1);
          fieldAt += 3;
          const path = paths.pathOf(id);
          if (path === undefined) throw new RangeError(`No path was written with id ${id}`);
          return path;
        }
        const length = view.getUint32(fieldAt + 1);
        const text = Buffer.from(bytes.buffer, bytes.byteOffset + fieldAt + 5, length).toString('utf8');
        fieldAt += 5 + length;
        return ActorPath.parse(text);
      };
      const sender = pathField();
      const receiver = pathField();
      into.push(dataFrame(serId, sender, receiver, bytes.subarray(fieldAt, end)));
    }
    at = end;
  }
}

/** Encodes `frames` back to back into one new buffer. */
export function encodeFrames(frames: readonly Frame[]): Buffer {
  let total = 0;
  for (const frame of frames) total += frameSize(frame);
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (const frame of frames) offset = encodeFrame(frame, out, offset);
  return out.subarray(0, offset);
}

/** Writes a big-endian u32 without Buffer's argument checks (the callers checked). */
function putU32(out: Uint8Array, at: number, value: number): number {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
  return at + 4;
}

/** Copies `bytes` into `out`; a plain loop only for the few bytes where a native call costs more. */
function putBytes(out: Uint8Array, at: number, bytes: Uint8Array): number {
  const length = bytes.length;
  if (length > 8) {
    out.set(bytes, at);
  } else {
    for (let i = 0; i < length; i++) out[at + i] = bytes[i] as number;
  }
  return at + length;
}

/** Copies `length` bytes at `from` in `source` into `out`; like {@link putBytes}, without a view. */
function putRange(out: Uint8Array, at: number, source: Uint8Array, from: number, length: number): number {
  if (length > 8) {
    out.set(source.subarray(from, from + length), at);
  } else if (length === 8) {
    // A number, the most common payload: unrolled, as the loop took ~20 ns of every message sent.
    out[at] = source[from] as number;
    out[at + 1] = source[from + 1] as number;
    out[at + 2] = source[from + 2] as number;
    out[at + 3] = source[from + 3] as number;
    out[at + 4] = source[from + 4] as number;
    out[at + 5] = source[from + 5] as number;
    out[at + 6] = source[from + 6] as number;
    out[at + 7] = source[from + 7] as number;
  } else {
    for (let i = 0; i < length; i++) out[at + i] = source[from + i] as number;
  }
  return at + length;
}

function putProof(out: Buffer, at: number, proof: Uint8Array | undefined): number {
  if (proof === undefined) return out.writeUInt8(0, at);
  checkLength('proof', proof, PROOF_BYTES);
  out.set(proof, out.writeUInt8(1, at));
  return at + 1 + PROOF_BYTES;
}

function checkLength(name: string, bytes: Uint8Array, length: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new TypeError(`Expected \`${name}\` to be ${length} bytes, got ${describeValue(bytes)}`);
  }
}
