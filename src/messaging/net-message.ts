import type { ActorPath } from '../paths/actor-path.js';
import type { SerId } from '../serialisation/ser-id.js';
import { SerialisationError } from '../serialisation/serialisation-error.js';
import { deserialiseRange, type Serialiser, serialiseToBytes } from '../serialisation/serialiser.js';
import type { ReceiveBacklog } from './receive-backlog.js';

/**
 * Where a path message to another system goes: the network side of a dispatcher. It serialises a value
 * with its serialiser, or sends bytes that are already serialised as they are.
 */
export interface PayloadSink {
  /** Serialises `value` and sends it; a failure becomes a dead letter there. */
  send(sender: ActorPath, receiver: ActorPath, value: unknown, serialiser: Serialiser<unknown>): void;
  /** Sends the `length` bytes at `offset` in `chunk` (never written again) under `serId`. */
  sendBytes(
    sender: ActorPath,
    receiver: ActorPath,
    serId: SerId,
    chunk: Uint8Array,
    offset: number,
    length: number,
  ): void;
}

/** The cases of {@link NetMessage.match}: for each value type, a serialiser and a handler of that type. */
export type NetMatchCases<Ts extends readonly unknown[], R> = {
  readonly [K in keyof Ts]: readonly [Serialiser<Ts[K]>, (value: Ts[K]) => R];
};

/**
 * A message sent to an actor path, as `receiveNetwork` gets it: who sent it (a path to reply to), the
 * path it was sent to, the serId of its value, and the value itself, deserialised on demand.
 *
 * Kompact: `NetMessage` (`sender`, `receiver`, `data: NetData { ser_id, … }`).
 *
 * @remarks Same-system delivery never serialises: `tryDeserialise` with a serialiser of the right serId
 * returns the very value that was sent (share it only if nobody mutates it). From another system the
 * value is read from the received bytes each time `tryDeserialise` is called.
 *
 * @example
 * ```ts
 * override receiveNetwork(msg: NetMessage) {
 *   const text = msg.tryDeserialise(Serialisers.string);
 *   msg.sender.tell(`echo ${text}`, this);
 * }
 * ```
 */
/**
 * One message kept alive for as long as the module, made with the first one. V8 keeps the hidden class
 * of a class's instances (reached from the class through transitions it holds weakly) only while an
 * instance is alive, and optimised code that embeds it is thrown away when it goes: every full
 * collection that found no message alive (an idle moment, or B7b's harness collecting between
 * iterations) sent the code that decodes, delivers and releases messages back to the interpreter
 * until it was optimised again (B7b with one pair: about a third slower per iteration).
 */
let anchor: NetMessage | undefined;
let isAnchoring = false;

function anchorShapeOf(sender: ActorPath, receiver: ActorPath, serId: SerId): void {
  // The anchor's own construction calls this again.
  if (isAnchoring) return;
  isAnchoring = true;
  anchor = new NetMessage(sender, receiver, serId, undefined, undefined, EMPTY_CHUNK, 0, 0, undefined);
}

const EMPTY_CHUNK = new Uint8Array(0);

export class NetMessage {
  /** Who sent it: reply with `msg.sender.tell(reply, this)`. */
  readonly sender: ActorPath;
  /** The path it was sent to (a named path when sent to an alias or a group). */
  readonly receiver: ActorPath;
  /** Which serialiser reads its value. */
  readonly serId: SerId;
  /**
   * The session of the connection it arrived over (kept when a component here forwards it),
   * `undefined` for a message from this very system.
   * When a peer's messages come with a new session, its connection was replaced in between: messages
   * sent over the old one may have been lost (see the `connection-lost` status event of that session).
   *
   * Kompact: `NetMessage::session`.
   */
  readonly session: number | undefined;
  // Where the value is, in the message itself (one object per message): the sent value and its
  // serialiser (same system), or, with no serialiser, `length` bytes at `offset` in the chunk that
  // `value` holds (from a peer: the received chunk, read in place). One slot for both keeps a received
  // message a field smaller; when `bytes` is asked for, its view of the bytes replaces the chunk there
  // (at offset 0), so the view needs no field of its own either.
  private value: unknown;
  private readonly serialiser: Serialiser<unknown> | undefined;
  private offset: number;
  private readonly length: number;
  // The receive backlog of the connection it came over, while it waits in a mailbox.
  private backlog: ReceiveBacklog | undefined;

  /** @internal Made by the dispatcher. */
  constructor(
    sender: ActorPath,
    receiver: ActorPath,
    serId: SerId,
    value: unknown,
    serialiser: Serialiser<unknown> | undefined,
    chunk: Uint8Array | undefined,
    offset: number,
    length: number,
    session: number | undefined,
  ) {
    this.sender = sender;
    this.receiver = receiver;
    this.serId = serId;
    this.session = session;
    this.value = chunk === undefined ? value : chunk;
    this.serialiser = serialiser;
    this.offset = offset;
    this.length = length;
    this.backlog = undefined;
    if (anchor === undefined) anchorShapeOf(sender, receiver, serId);
  }

  /** @internal Counts this message in `backlog` until it leaves the mailbox it is about to be told to. */
  countIn(backlog: ReceiveBacklog): void {
    this.backlog = backlog;
    backlog.add(this.length);
  }

  /**
   * @internal This message left its mailbox (a turn took it, or it became a dead letter): it no longer
   * counts in its connection's receive backlog. Only the first call counts (a forwarded message
   * reaches a mailbox again).
   */
  release(): void {
    const backlog = this.backlog;
    if (backlog !== undefined) {
      this.backlog = undefined;
      backlog.remove(this.length);
    }
  }

  /**
   * @internal The same value, from `sender` to `receiver`: a forwarded message (the value, or the
   * received bytes, are shared, not copied).
   */
  readdress(sender: ActorPath, receiver: ActorPath): NetMessage {
    return new NetMessage(
      sender,
      receiver,
      this.serId,
      this.value,
      this.serialiser,
      undefined,
      this.offset,
      this.length,
      this.session,
    );
  }

  /**
   * @internal Sends this message's value on to another system through `sink`: serialised with its
   * serialiser (a same-system message), or its received bytes as they are (no deserialising).
   */
  sendVia(sink: PayloadSink, sender: ActorPath, receiver: ActorPath): void {
    const serialiser = this.serialiser;
    if (serialiser !== undefined) {
      sink.send(sender, receiver, this.value, serialiser);
    } else {
      sink.sendBytes(sender, receiver, this.serId, this.value as Uint8Array, this.offset, this.length);
    }
  }

  /** Whether the message came from this very system (its value was never serialised). */
  get isLocal(): boolean {
    return this.serialiser !== undefined;
  }

  /**
   * The value's bytes: those received, or (for a same-system message) the value serialised now.
   *
   * @throws {@link SerialisationError} when a same-system value fails to serialise.
   */
  get bytes(): Uint8Array {
    const serialiser = this.serialiser;
    if (serialiser !== undefined) return serialiseToBytes(serialiser, this.value);
    const chunk = this.value as Uint8Array;
    if (this.offset === 0 && this.length === chunk.length) return chunk;
    const view = new Uint8Array(chunk.buffer, chunk.byteOffset + this.offset, this.length);
    this.value = view;
    this.offset = 0;
    return view;
  }

  /**
   * The value, read with `serialiser`.
   *
   * Kompact: `NetMessage::try_deserialise::<T, D>()`.
   *
   * @throws {@link SerialisationError} with reason `unknown-ser-id` when `serialiser` has another serId
   * than the message (Kompact's `UnpackError::NoIdMatch`), or `invalid-data` when the bytes do not decode.
   */
  tryDeserialise<T>(serialiser: Serialiser<T>): T {
    if (serialiser?.serId !== this.serId) {
      throw new SerialisationError(
        'unknown-ser-id',
        this.serId,
        `Cannot read a message of serId ${this.serId} with a serialiser of serId ${String(serialiser?.serId)}`,
      );
    }
    return this.serialiser !== undefined
      ? (this.value as T)
      : deserialiseRange(serialiser, this.value as Uint8Array, this.offset, this.length);
  }

  /**
   * Reads the value with the first case whose serialiser has this message's serId and passes it to that
   * case's handler; calls `orElse` when no case has that serId.
   *
   * Kompact: `match_deser! { msg { msg(x): T [using D] => …, … } }`.
   *
   * @throws {@link SerialisationError} when the matching case's bytes do not decode; errors thrown by a
   * handler or by `orElse` pass through unchanged.
   *
   * @example
   * ```ts
   * msg.match([
   *   [Serialisers.string, (text) => this.onText(text)],
   *   [MoveSerialiser, (move) => this.onMove(move)],
   * ], (id) => this.ctx.log.warn(`unexpected serId ${id}`));
   * ```
   */
  match<const Ts extends readonly unknown[], R>(cases: NetMatchCases<Ts, R>, orElse: (serId: SerId) => R): R {
    for (const [serialiser, handler] of cases as readonly (readonly [
      Serialiser<unknown>,
      (value: unknown) => R,
    ])[]) {
      if (serialiser.serId === this.serId) return handler(this.tryDeserialise(serialiser));
    }
    return orElse(this.serId);
  }

  /** A short description for logs: `NetMessage(serId 9 from … to …)`. */
  toString(): string {
    return `NetMessage(serId ${this.serId} from ${this.sender.toString()} to ${this.receiver.toString()})`;
  }
}

/** @internal A same-system message: the value travels as it is. */
export function localNetMessage(
  sender: ActorPath,
  receiver: ActorPath,
  value: unknown,
  serialiser: Serialiser<unknown>,
): NetMessage {
  return new NetMessage(sender, receiver, serialiser.serId, value, serialiser, undefined, 0, 0, undefined);
}

/**
 * @internal A message from a peer: its value is read on demand from the `length` bytes at `offset` in
 * `chunk` (all of `chunk` by default), which are never written again; `session` is its connection's.
 */
export function remoteNetMessage(
  sender: ActorPath,
  receiver: ActorPath,
  serId: SerId,
  chunk: Uint8Array,
  offset = 0,
  length = chunk.length - offset,
  session: number | undefined = undefined,
): NetMessage {
  return new NetMessage(sender, receiver, serId, undefined, undefined, chunk, offset, length, session);
}
