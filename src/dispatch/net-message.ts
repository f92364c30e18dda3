import type { SerId } from '../serialisation/ser-id.js';
import { SerialisationError } from '../serialisation/serialisation-error.js';
import { deserialiseFromBytes, type Serialiser, serialiseToBytes } from '../serialisation/serialiser.js';
import type { ActorPath } from './actor-path.js';

/** @internal Where a {@link NetMessage}'s value is: still the sent object (same system), or bytes (from a peer). */
export type NetPayload =
  | { readonly kind: 'local'; readonly value: unknown; readonly serialiser: Serialiser<unknown> }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array };

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
export class NetMessage {
  /** Who sent it: reply with `msg.sender.tell(reply, this)`. */
  readonly sender: ActorPath;
  /** The path it was sent to (a named path when sent to an alias or a group). */
  readonly receiver: ActorPath;
  /** Which serialiser reads its value. */
  readonly serId: SerId;
  private readonly payload: NetPayload;

  /** @internal Made by the dispatcher. */
  constructor(sender: ActorPath, receiver: ActorPath, serId: SerId, payload: NetPayload) {
    this.sender = sender;
    this.receiver = receiver;
    this.serId = serId;
    this.payload = payload;
  }

  /** Whether the message came from this very system (its value was never serialised). */
  get isLocal(): boolean {
    return this.payload.kind === 'local';
  }

  /**
   * The value's bytes: those received, or (for a same-system message) the value serialised now.
   *
   * @throws {@link SerialisationError} when a same-system value fails to serialise.
   */
  get bytes(): Uint8Array {
    const payload = this.payload;
    return payload.kind === 'bytes' ? payload.bytes : serialiseToBytes(payload.serialiser, payload.value);
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
    const payload = this.payload;
    return payload.kind === 'local' ? (payload.value as T) : deserialiseFromBytes(serialiser, payload.bytes);
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
  return new NetMessage(sender, receiver, serialiser.serId, { kind: 'local', value, serialiser });
}

/** @internal A message from a peer: its value is read from `bytes` on demand. */
export function remoteNetMessage(
  sender: ActorPath,
  receiver: ActorPath,
  serId: SerId,
  bytes: Uint8Array,
): NetMessage {
  return new NetMessage(sender, receiver, serId, { kind: 'bytes', bytes });
}
