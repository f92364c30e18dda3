import { Component, coreOf } from '../component/component.js';
import type { ComponentContext } from '../component/component-context.js';
import { ComponentCore } from '../component/component-core.js';
import { ComponentDefinition } from '../component/component-definition.js';
import { describeValue } from '../internal/kompact-error.js';
import type { Serialiser } from '../serialisation/serialiser.js';
import { Serialisers } from '../serialisation/serialisers.js';
import type { SystemHandle } from '../system/system-handle.js';
import { ActorPath } from './actor-path.js';
import type { Dispatcher } from './dispatcher.js';

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

/** @internal Where a source's messages go, and the sender path they carry. */
export interface TellSource {
  readonly dispatcher: Dispatcher;
  readonly sender: ActorPath;
}

/** @internal A system answers this with its dispatcher and its sender path. */
export const tellSourceOf: unique symbol = Symbol('kompact.tellSource');

/** @internal Something with a {@link tellSourceOf} method (a system). */
interface SystemSource {
  [tellSourceOf](): TellSource;
}

function sourceOf(from: unknown): TellSource {
  let core: ComponentCore | undefined;
  if (from instanceof ComponentDefinition) core = from.ctx as unknown as ComponentCore;
  else if (from instanceof ComponentCore) core = from;
  else if (from instanceof Component) core = coreOf(from);
  else if (typeof from === 'object' && from !== null && tellSourceOf in from) {
    return (from as SystemSource)[tellSourceOf]();
  }
  if (core === undefined) {
    throw new TypeError(
      `Expected \`from\` to be the sending component (\`this\`, \`this.ctx\` or a Component) or a system, got ${describeValue(from)}`,
    );
  }
  return { dispatcher: core.dispatcher, sender: core.actorPath() };
}

/** The built-in serialiser of `value`'s type, or `undefined` when it has none. */
function builtInSerialiserFor(value: unknown): Serialiser<unknown> | undefined {
  switch (typeof value) {
    case 'string':
      return Serialisers.string as Serialiser<unknown>;
    case 'number':
      return Serialisers.number as Serialiser<unknown>;
    case 'bigint':
      return Serialisers.bigint as Serialiser<unknown>;
    case 'object':
      if (value instanceof Uint8Array) return Serialisers.bytes as Serialiser<unknown>;
      if (ActorPath.isActorPath(value)) return Serialisers.actorPath as Serialiser<unknown>;
      return undefined;
    default:
      return undefined;
  }
}

function isSerialiser(value: unknown): value is Serialiser<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Serialiser<unknown>).serialise === 'function' &&
    typeof (value as Serialiser<unknown>).deserialise === 'function' &&
    Number.isSafeInteger((value as Serialiser<unknown>).serId)
  );
}

/** @internal `path.tell(value, from, serialiser?)`. */
export function tellPath(
  receiver: ActorPath,
  value: unknown,
  from: unknown,
  serialiser: Serialiser<unknown> | undefined,
): void {
  const source = sourceOf(from);
  let chosen = serialiser;
  if (chosen === undefined) {
    chosen = builtInSerialiserFor(value);
    if (chosen === undefined) {
      throw new TypeError(
        `Expected a serialiser for ${describeValue(value)}: only strings, numbers, bigints, Uint8Arrays and actor paths have a built-in one (pass one, e.g. msgpackSerialiser(serId(100)))`,
      );
    }
  } else if (!isSerialiser(chosen)) {
    throw new TypeError(`Expected \`serialiser\` to be a Serialiser, got ${describeValue(serialiser)}`);
  }
  source.dispatcher.send(source.sender, receiver, value, chosen);
}
