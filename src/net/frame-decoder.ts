import { isUtf8 } from 'node:buffer';
import { describeValue } from '../internal/describe-value.js';
import { ActorPath } from '../paths/actor-path.js';
import { SystemPath } from '../paths/system-path.js';
import type { SerId } from '../serialisation/ser-id.js';
import {
  type Frame,
  FrameKindByte,
  NONCE_BYTES,
  PATH_TABLE_LIMIT,
  PATH_TABLE_MAX_PATH_BYTES,
  PathTag,
  PROOF_BYTES,
  PROTOCOL_VERSION,
} from './frame.js';
import { FrameError } from './frame-error.js';

const EMPTY = Buffer.alloc(0);

/**
 * Receives data frames in place: the payload is `length` bytes at `offset` in `chunk`, which is never
 * written again (read it there, or view it; a view keeps the chunk alive).
 */
export interface DataSink {
  data(
    serId: SerId,
    sender: ActorPath,
    receiver: ActorPath,
    chunk: Uint8Array,
    offset: number,
    length: number,
  ): void;
  /**
   * Receives `ack` frames (their count) in place too, when given: a connection reads one per read
   * of its peer's replies.
   */
  ack?(count: number): void;
}

/** The fields of the data frame just decoded for a {@link DataSink}. */
interface InPlaceData {
  serId: SerId;
  sender: ActorPath | undefined;
  receiver: ActorPath | undefined;
  chunk: Uint8Array;
  offset: number;
  length: number;
}

/** What `#decodeBody` returns for a data frame that goes to the data sink (its fields are in `#data`). */
const IN_PLACE: Frame = Object.freeze({ kind: 'ack', count: -1 });

/** Parsed inline paths remembered per decoder; the cache is emptied when it reaches this size. */
const PATH_CACHE_LIMIT = 1024;

/**
 * Turns a byte stream into {@link Frame}s, whatever the chunk boundaries.
 *
 * @remarks A declared length above `maxFrameBytes` is an error as soon as its four length bytes have
 * arrived: the body is never buffered. The first error poisons the decoder: that `push` and every later
 * one return it and deliver nothing more. Frames decoded before the error in the same chunk are
 * delivered. {@link FrameDecoder.stop} makes it ignore the rest of the current chunk and all later input
 * (the connection calls it when it closes inside the sink).
 *
 * @example
 * ```ts
 * const decoder = new FrameDecoder(1 << 20);
 * socket.on('data', (chunk) => {
 *   const error = decoder.push(chunk, (frame) => handle(frame));
 *   if (error !== undefined) closeWith(error);
 * });
 * ```
 */
export class FrameDecoder {
  #maxFrameBytes: number;
  /** What the limit is called in the too-large error: it differs before and after a handshake. */
  #limitName = 'the maximum frame size';
  /** Length bytes of a frame whose header straddles chunks. */
  readonly #header = Buffer.alloc(4);
  #headerFilled = 0;
  /** The body (kind and fields) of a frame that straddles chunks, sized to its declared length. */
  #body: Buffer | undefined;
  #bodyFilled = 0;
  #error: FrameError | undefined;
  #isStopped = false;
  readonly #paths = new Map<string, ActorPath>();
  /** The peer's path table for this connection (see `PathTable`). */
  readonly #table: ActorPath[] = [];
  /**
   * Reads the fields of the frame being decoded; one per decoder, reset for each frame (decoding never
   * re-enters: the sink runs after a frame is decoded).
   */
  readonly #reader = new FieldReader();
  #dataSink: DataSink | undefined;
  readonly #data: InPlaceData = {
    serId: 0 as SerId,
    sender: undefined,
    receiver: undefined,
    chunk: EMPTY,
    offset: 0,
    length: 0,
  };

  /**
   * Makes a decoder.
   *
   * @param maxFrameBytes - the largest declared length accepted: the frame kind byte and body, without
   * the four length bytes.
   * @throws TypeError when `maxFrameBytes` is not an integer from 1 to 4294967295.
   */
  constructor(maxFrameBytes: number) {
    checkMaxFrameBytes(maxFrameBytes);
    this.#maxFrameBytes = maxFrameBytes;
  }

  /**
   * Changes the largest declared length accepted from the next frame header on; `name` describes the
   * limit in the error (a connection lowers it to handshake-sized frames until its peer is known).
   *
   * @throws TypeError when `maxFrameBytes` is not an integer from 1 to 4294967295.
   */
  setMaxFrameBytes(maxFrameBytes: number, name = 'the maximum frame size'): void {
    checkMaxFrameBytes(maxFrameBytes);
    this.#maxFrameBytes = maxFrameBytes;
    this.#limitName = name;
  }

  /** How many bytes of an incomplete frame are held. */
  get bufferedBytes(): number {
    return this.#headerFilled + this.#bodyFilled;
  }

  /** The error that poisoned this decoder, if any. */
  get error(): FrameError | undefined {
    return this.#error;
  }

  /** Ignores the rest of the chunk being decoded and all later input. */
  stop(): void {
    this.#isStopped = true;
    this.#body = undefined;
  }

  /**
   * Decodes `chunk`, calling `sink` with every frame it completes, in order; with `dataSink`, data frames
   * go to it instead, in place (no frame object, no view of the payload).
   *
   * @returns the error that ended decoding, or `undefined`. Errors thrown by a sink propagate unchanged.
   */
  push(chunk: Uint8Array, sink: (frame: Frame) => void, dataSink?: DataSink): FrameError | undefined {
    if (this.#error !== undefined) return this.#error;
    this.#dataSink = dataSink;
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const end = bytes.length;
    const table = this.#table;
    let offset = 0;
    while (offset < end && !this.#isStopped) {
      if (dataSink !== undefined && this.#body === undefined && this.#headerFilled === 0) {
        // The steady state of a connection, decoded here and handed to the sink without a call or a
        // store per field: a whole data frame whose two paths are path-table references (kind, serId,
        // tag + id, tag + id, payload). Anything else, or anything to reject, takes the general path
        // below, which decodes it or names the error.
        // Literals, not the named constants (FrameKindByte.data 3 and .ack 4, PathTag.reference 2,
        // DATA_BY_REFERENCE_BYTES 11; an ack's body is 5 bytes): optimised code reads a module binding
        // through its cell, with a check, at every use, and this runs once per frame.
        const start = offset + 4;
        if (end - start >= 5) {
          const length = readU32(bytes, offset);
          const kind = bytes[start];
          if (kind === 3) {
            if (
              length >= 11 &&
              end - start >= length &&
              length <= this.#maxFrameBytes &&
              bytes[start + 5] === 2 &&
              bytes[start + 8] === 2
            ) {
              const serId = readU32(bytes, start + 1);
              const sender = table[((bytes[start + 6] as number) << 8) | (bytes[start + 7] as number)];
              const receiver = table[((bytes[start + 9] as number) << 8) | (bytes[start + 10] as number)];
              if (serId !== 0 && sender !== undefined && receiver !== undefined) {
                offset = start + length;
                dataSink.data(serId as SerId, sender, receiver, bytes, start + 11, length - 11);
                continue;
              }
            }
          } else if (kind === 4 && length === 5 && this.#maxFrameBytes >= 5 && dataSink.ack !== undefined) {
            // The acknowledgement that rides with each write of the peer: no frame object, no switch.
            offset = start + 5;
            dataSink.ack(readU32(bytes, start + 1));
            continue;
          }
        }
      }
      let frame: Frame;
      try {
        const body = this.#body;
        if (body !== undefined) {
          const take = Math.min(body.length - this.#bodyFilled, bytes.length - offset);
          bytes.copy(body, this.#bodyFilled, offset, offset + take);
          this.#bodyFilled += take;
          offset += take;
          if (this.#bodyFilled < body.length) break;
          this.#body = undefined;
          this.#bodyFilled = 0;
          frame = this.#decodeBody(body, 0, body.length);
        } else if (this.#headerFilled > 0 || bytes.length - offset < 4) {
          const take = Math.min(4 - this.#headerFilled, bytes.length - offset);
          bytes.copy(this.#header, this.#headerFilled, offset, offset + take);
          this.#headerFilled += take;
          offset += take;
          if (this.#headerFilled < 4) break;
          this.#headerFilled = 0;
          this.#body = Buffer.allocUnsafe(this.#checkLength(this.#header.readUInt32BE(0)));
          continue;
        } else {
          const length = this.#checkLength(readU32(bytes, offset));
          const start = offset + 4;
          if (bytes.length - start < length) {
            // Only the declared (and accepted) length is ever allocated for a straddling frame.
            this.#body = Buffer.allocUnsafe(length);
            offset = start;
            continue;
          }
          offset = start + length;
          frame = this.#decodeBody(bytes, start, offset);
        }
      } catch (error) {
        this.#error =
          error instanceof FrameError
            ? error
            : new FrameError('invalid-field', 'The frame could not be decoded', { cause: error });
        this.stop();
        this.#release();
        return this.#error;
      }
      if (frame === IN_PLACE) {
        const data = this.#data;
        (dataSink as DataSink).data(
          data.serId,
          data.sender as ActorPath,
          data.receiver as ActorPath,
          data.chunk,
          data.offset,
          data.length,
        );
      } else {
        sink(frame);
      }
    }
    this.#release();
    return undefined;
  }

  /** Holds no chunk or sink between pushes. */
  #release(): void {
    this.#reader.reset(EMPTY, 0, 0, 0);
    this.#dataSink = undefined;
    const data = this.#data;
    data.chunk = EMPTY;
    data.sender = undefined;
    data.receiver = undefined;
  }

  #checkLength(length: number): number {
    if (length === 0) throw new FrameError('empty', 'A frame declared length 0 (no frame kind)');
    if (length > this.#maxFrameBytes) {
      throw new FrameError(
        'too-large',
        `A frame declared ${length} bytes, above ${this.#limitName} of ${this.#maxFrameBytes} bytes`,
      );
    }
    return length;
  }

  /** Decodes the frame kind and body in `bytes[start, end)`. */
  #decodeBody(bytes: Buffer, start: number, end: number): Frame {
    const kind = bytes[start] as number;
    const reader = this.#reader.reset(bytes, start + 1, end, kind);
    let frame: Frame;
    switch (kind) {
      case FrameKindByte.data: {
        const serId = reader.u32();
        if (serId === 0)
          throw new FrameError('invalid-field', 'A data frame has serId 0 (never valid on the wire)');
        const sender = this.#actorPath(reader);
        const receiver = this.#actorPath(reader);
        if (this.#dataSink === undefined) {
          return { kind: 'data', serId: serId as SerId, sender, receiver, payload: reader.rest() };
        }
        // The payload stays in the chunk (Node never reuses it) and is read in place: no frame object and
        // no view per message; `push` hands the fields to the data sink.
        const data = this.#data;
        data.serId = serId as SerId;
        data.sender = sender;
        data.receiver = receiver;
        data.chunk = bytes;
        data.offset = reader.skipRest();
        data.length = end - data.offset;
        return IN_PLACE;
      }
      case FrameKindByte.ack:
        frame = { kind: 'ack', count: reader.u32() };
        break;
      case FrameKindByte.hello: {
        const version = reader.u16();
        if (version !== PROTOCOL_VERSION) {
          throw new FrameError(
            'unsupported-version',
            `The peer speaks protocol version ${version}; this system speaks version ${PROTOCOL_VERSION}`,
          );
        }
        const nonce = new Uint8Array(reader.bytes(NONCE_BYTES));
        const proof = reader.proof();
        const text = reader.string('system path');
        let system: SystemPath;
        try {
          system = SystemPath.parse(text);
        } catch (error) {
          throw new FrameError('invalid-path', `A hello names an invalid system path: ${String(error)}`, {
            cause: error,
          });
        }
        frame = { kind: 'hello', version, system, nonce, proof };
        break;
      }
      case FrameKindByte['hello-ack']:
        frame = { kind: 'hello-ack', proof: reader.proof() };
        break;
      case FrameKindByte.bye:
        frame = { kind: 'bye', isError: reader.flag('error flag'), reason: reader.string('reason') };
        break;
      default:
        throw new FrameError('unknown-kind', `Unknown frame kind ${kind}`);
    }
    reader.expectEnd();
    return frame;
  }

  /** Reads a path field: inline, defined into the path table, or a reference into it. */
  #actorPath(reader: FieldReader): ActorPath {
    const tag = reader.u8();
    if (tag === PathTag.reference) {
      const id = reader.u16();
      const path = this.#table[id];
      if (path === undefined) {
        throw new FrameError(
          'invalid-field',
          `A data frame refers to path ${id}, but the path table has ${this.#table.length} entries`,
        );
      }
      return path;
    }
    if (tag !== PathTag.inline && tag !== PathTag.define) {
      throw new FrameError('invalid-field', `A path field has tag ${tag} (expected 0, 1 or 2)`);
    }
    const length = reader.u32();
    const view = reader.bytes(length);
    if (
      tag === PathTag.define &&
      (this.#table.length >= PATH_TABLE_LIMIT || length > PATH_TABLE_MAX_PATH_BYTES)
    ) {
      throw new FrameError(
        'invalid-field',
        `A data frame defines a path of ${length} bytes as entry ${this.#table.length} of the path table ` +
          `(at most ${PATH_TABLE_LIMIT} entries of ${PATH_TABLE_MAX_PATH_BYTES} bytes)`,
      );
    }
    if (!isUtf8(view)) throw new FrameError('invalid-utf8', 'An actor path is not valid UTF-8');
    const text = view.toString('utf8');
    let path = this.#paths.get(text);
    if (path === undefined) {
      try {
        path = ActorPath.parse(text);
      } catch (error) {
        throw new FrameError('invalid-path', `A data frame names an invalid actor path: ${String(error)}`, {
          cause: error,
        });
      }
      if (this.#paths.size >= PATH_CACHE_LIMIT) this.#paths.clear();
      this.#paths.set(text, path);
    }
    if (tag === PathTag.define) this.#table.push(path);
    return path;
  }
}

function checkMaxFrameBytes(maxFrameBytes: number): void {
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 1 || maxFrameBytes > 0xffff_ffff) {
    throw new TypeError(
      `Expected \`maxFrameBytes\` to be an integer from 1 to 4294967295, got ${describeValue(maxFrameBytes)}`,
    );
  }
}

/** The big-endian u32 at `at` (the caller checked the bounds). */
function readU32(b: Uint8Array, at: number): number {
  return (
    (b[at] as number) * 0x100_0000 +
    (((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number))
  );
}

/** Bounds-checked reads of one frame body; failures are {@link FrameError}s. */
class FieldReader {
  source: Buffer = EMPTY;
  private at = 0;
  private end = 0;
  private kind = 0;

  /** Points the reader at the fields of a frame of `kind` in `source[start, end)`. */
  reset(source: Buffer, start: number, end: number, kind: number): this {
    this.source = source;
    this.at = start;
    this.end = end;
    this.kind = kind;
    return this;
  }

  /** Claims `count` bytes and returns where they start. */
  take(count: number, what: string): number {
    const at = this.at;
    if (this.end - at < count) {
      throw new FrameError(
        'truncated',
        `A frame of kind ${this.kind} ended inside ${what} (needed ${count} bytes, ${this.end - at} left)`,
      );
    }
    this.at = at + count;
    return at;
  }

  u8(): number {
    return this.source[this.take(1, 'a u8')] as number;
  }

  u16(): number {
    const at = this.take(2, 'a u16');
    const b = this.source;
    return ((b[at] as number) << 8) | (b[at + 1] as number);
  }

  u32(): number {
    return readU32(this.source, this.take(4, 'a u32'));
  }

  bytes(count: number): Buffer {
    const at = this.take(count, `${count} bytes`);
    return this.source.subarray(at, at + count);
  }

  flag(what: string): boolean {
    const flag = this.source[this.take(1, `a ${what}`)] as number;
    if (flag > 1) throw new FrameError('invalid-field', `The ${what} is ${flag} (expected 0 or 1)`);
    return flag === 1;
  }

  proof(): Uint8Array | undefined {
    return this.flag('proof flag') ? new Uint8Array(this.bytes(PROOF_BYTES)) : undefined;
  }

  string(what: string): string {
    const length = this.u32();
    const view = this.bytes(length);
    if (!isUtf8(view)) throw new FrameError('invalid-utf8', `The ${what} is not valid UTF-8`);
    return view.toString('utf8');
  }

  rest(): Buffer {
    const view = this.source.subarray(this.at, this.end);
    this.at = this.end;
    return view;
  }

  /** Claims the rest of the frame and returns where it starts. */
  skipRest(): number {
    const at = this.at;
    this.at = this.end;
    return at;
  }

  expectEnd(): void {
    if (this.at !== this.end) {
      throw new FrameError(
        'trailing-bytes',
        `A frame of kind ${this.kind} has ${this.end - this.at} bytes after its last field`,
      );
    }
  }
}
