import type { Component } from '../component/component.js';
import type { ComponentContext } from '../component/component-context.js';
import type { ComponentDefinition } from '../component/component-definition.js';
import { describeValue } from '../internal/describe-value.js';
import type { NetMessage } from '../messaging/net-message.js';
import type { Preserialised } from '../serialisation/preserialised.js';
import type { Serialiser } from '../serialisation/serialiser.js';
import type { SystemHandle } from '../system/system-handle.js';
import type { ActorPath } from './actor-path.js';

/**
 * Who sends a message to an actor path: a component (its definition, `this.ctx`, or its `Component`
 * handle), whose unique path becomes the message's sender, or a system (from outside any component;
 * nobody can answer such a message).
 *
 * Kompact: `ActorSource` / `Dispatching` (the `from` of `ActorPath::tell(msg, &from)`).
 */
export type MessageSource =
  | ComponentDefinition<unknown>
  | ComponentContext<unknown>
  | Component<ComponentDefinition<unknown>>
  | SystemHandle;

/**
 * The value types `path.tell` serialises without being given a serialiser: strings, numbers, bigints,
 * `Uint8Array`s (and so `Buffer`s) and actor paths. Any other value needs one as the third argument.
 *
 * Kompact: the built-in `Serialisable` implementations of primitive types and `ActorPath`.
 */
export type BuiltInSerialisable = string | number | bigint | Uint8Array | ActorPath;

/**
 * What sends a path message on: the sender's dispatcher, which picks the serialiser (a
 * built-in one when none is given) and delivers locally or over the network.
 */
export interface PathSender {
  tellPath(
    sender: ActorPath,
    receiver: ActorPath,
    value: unknown,
    serialiser: Serialiser<unknown> | undefined,
  ): void;
  /** Serialises `value` now (a failure throws to the caller), then sends its bytes. */
  tellSerialised(
    sender: ActorPath,
    receiver: ActorPath,
    value: unknown,
    serialiser: Serialiser<unknown>,
  ): void;
  /** Sends bytes serialised ahead of time, as they are. */
  sendPreserialised(sender: ActorPath, receiver: ActorPath, payload: Preserialised): void;
  /** Sends a received message on, with `sender` as its sender, without deserialising it. */
  forward(sender: ActorPath, receiver: ActorPath, message: NetMessage): void;
}

/** Where a source's messages go, and the sender path they carry. */
export interface TellSource {
  readonly dispatcher: PathSender;
  readonly sender: ActorPath;
}

/**
 * Components (definition, context, handle) and systems answer a method under this symbol
 * with their {@link TellSource}: the paths layer needs no runtime class to tell who is sending.
 */
export const messageSource: unique symbol = Symbol('kompact.messageSource');

/** Something with a {@link messageSource} method. */
interface MessageSourceProtocol {
  [messageSource](): TellSource;
}

/** `path.tell(value, from, serialiser?)`: checks `from` and hands over to its dispatcher. */
export function tellPath(
  receiver: ActorPath,
  value: unknown,
  from: unknown,
  serialiser: Serialiser<unknown> | undefined,
): void {
  const source = sourceOf(from);
  source.dispatcher.tellPath(source.sender, receiver, value, serialiser);
}

/** The {@link TellSource} of `from`, the `from` argument of a path's sending methods. */
export function sourceOf(from: unknown): TellSource {
  if (
    typeof from !== 'object' ||
    from === null ||
    typeof (from as Partial<MessageSourceProtocol>)[messageSource] !== 'function'
  ) {
    throw new TypeError(
      `Expected \`from\` to be the sending component (\`this\`, \`this.ctx\` or a Component) or a system, got ${describeValue(from)}`,
    );
  }
  return (from as MessageSourceProtocol)[messageSource]();
}
