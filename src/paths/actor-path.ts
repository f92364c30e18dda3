import { describeValue } from '../internal/describe-value.js';
import type { NetMessage } from '../messaging/net-message.js';
import type { Preserialised } from '../serialisation/preserialised.js';
import type { Serialiser } from '../serialisation/serialiser.js';
import type { ComponentId } from './component-id.js';
import { type BuiltInSerialisable, type MessageSource, sourceOf, tellPath } from './message-source.js';
import { PathParseError } from './path-parse-error.js';
import { BROADCAST_MARKER, canonicalId, checkSegment, SELECT_MARKER } from './path-syntax.js';
import { parseSystemPrefix, SystemPath } from './system-path.js';

/**
 * The routing marker at the end of a named path: `*` broadcasts to every member of a group, `?` selects
 * one member.
 *
 * Kompact: the `*` and `?` last segments of a `NamedPath`.
 */
export type PathMarker = 'broadcast' | 'select';

/**
 * The sending methods both kinds of path share, beyond `tell`: an explicit sender, eager and ahead-of-time
 * serialisation, and forwarding a received message.
 */
abstract class PathSending {
  /**
   * Sends `value` to this path from `from`'s system, with `sender` as the sender the receiver sees (and
   * replies to) instead of `from`'s own path: for a component that sends on behalf of another.
   *
   * Kompact: `ActorPath::tell_with_sender`.
   *
   * @throws TypeError when `sender` is not an actor path, `from` is not a component or system, or no
   * serialiser is given for a value without a built-in one.
   */
  tellWithSender<T extends BuiltInSerialisable>(
    value: T,
    from: MessageSource,
    sender: ActorPath,
    serialiser?: Serialiser<T>,
  ): void;
  /** Sends `value`, of a type without a built-in serialiser, with `sender` as its sender (as above). */
  tellWithSender<T>(value: T, from: MessageSource, sender: ActorPath, serialiser: Serialiser<T>): void;
  tellWithSender<T>(value: T, from: MessageSource, sender: ActorPath, serialiser?: Serialiser<T>): void {
    assertPath(sender, 'sender');
    sourceOf(from).dispatcher.tellPath(
      sender,
      this as unknown as ActorPath,
      value,
      serialiser as Serialiser<unknown> | undefined,
    );
  }

  /**
   * Serialises `value` now, in the caller, and sends the bytes: a value that fails to serialise throws
   * here instead of becoming a dead letter later. A receiver on the same system reads the value from
   * the bytes, as from a peer.
   *
   * Kompact: `ActorPath::tell_serialised`.
   *
   * @throws {@link SerialisationError} when `serialiser` fails on `value`; TypeError on a bad `from` or
   * `serialiser`.
   */
  tellSerialised<T>(value: T, from: MessageSource, serialiser: Serialiser<T>): void {
    const source = sourceOf(from);
    source.dispatcher.tellSerialised(
      source.sender,
      this as unknown as ActorPath,
      value,
      serialiser as Serialiser<unknown>,
    );
  }

  /**
   * Sends a value serialised ahead of time (see {@link Preserialised}): its bytes go out as they are,
   * however many times it is sent.
   *
   * Kompact: `ActorPath::tell_preserialised`.
   */
  tellPreserialised(payload: Preserialised, from: MessageSource): void {
    if (typeof payload?.serId !== 'number' || !(payload.bytes instanceof Uint8Array)) {
      throw new TypeError(`Expected \`payload\` to be a Preserialised, got ${describeValue(payload)}`);
    }
    const source = sourceOf(from);
    source.dispatcher.sendPreserialised(source.sender, this as unknown as ActorPath, payload);
  }

  /**
   * Sends a received `message` on to this path, keeping its sender: the receiver replies to whoever
   * sent it first. The value is not deserialised: bytes from a peer go on as they are.
   *
   * Kompact: `ActorPath::forward_with_original_sender`.
   */
  forwardWithOriginalSender(message: NetMessage, from: MessageSource): void {
    this.forwardWithSender(message, from, message?.sender);
  }

  /**
   * Sends a received `message` on to this path with `sender` as its sender (as
   * {@link PathSending.forwardWithOriginalSender}, but the receiver replies to `sender`).
   *
   * Kompact: `ActorPath::forward_with_sender`.
   */
  forwardWithSender(message: NetMessage, from: MessageSource, sender: ActorPath): void {
    if (typeof (message as Partial<NetMessage> | null)?.tryDeserialise !== 'function') {
      throw new TypeError(`Expected \`message\` to be a NetMessage, got ${describeValue(message)}`);
    }
    assertPath(sender, 'sender');
    sourceOf(from).dispatcher.forward(sender, this as unknown as ActorPath, message);
  }
}

/**
 * The path of one component instance: its system and its component id, printed
 * `tcp://127.0.0.1:63482#<uuid>`.
 *
 * Kompact: `UniquePath` (the target of `system.register(&c)`).
 *
 * @remarks Immutable; the id is kept lower-case. A unique path names one instance; a replacement made
 * by `replaceWith` after a fault has a new id and a new unique path of its own, and the faulted
 * component's unique path reaches it too (as its `ActorRef` does).
 */
export class UniquePath extends PathSending {
  /** Discriminant of {@link ActorPath}. */
  readonly kind = 'unique' as const;
  /** The system the component lives in. */
  readonly system: SystemPath;
  /** The component's id. */
  readonly id: ComponentId;
  private readonly text: string;

  /**
   * Makes the unique path of component `id` in `system`.
   *
   * @throws TypeError when `system` is not a {@link SystemPath} or `id` is not a string.
   * @throws {@link PathParseError} (reason `id`) when `id` is not a UUID.
   */
  constructor(system: SystemPath, id: ComponentId | string) {
    super();
    assertSystem(system);
    if (typeof id !== 'string') {
      throw new TypeError(`Expected \`id\` to be a component id (a UUID string), got ${describeValue(id)}`);
    }
    this.system = system;
    this.id = canonicalId(id, id) as ComponentId;
    this.text = `${system.toString()}#${this.id}`;
    Object.freeze(this);
  }

  /** Whether `other` is the same unique path. */
  equals(other: ActorPath): boolean {
    return this === other || (other instanceof UniquePath && this.text === other.text);
  }

  /**
   * Sends `value` to the component at this path, from `from` (the sending component, whose unique
   * path the receiver sees as `sender`; or a system). Same-system delivery never serialises; to
   * another system the value is serialised with `serialiser`, which may be left out for strings,
   * numbers, bigints, `Uint8Array`s and actor paths.
   *
   * Kompact: `ActorPath::tell(msg, &from)`.
   *
   * @remarks Messages from one sender to one receiver arrive in the order sent. What cannot be
   * delivered (no such path, a refused or lost frame, a value that fails to serialise) becomes a dead
   * letter of the sending system, never an exception.
   * @throws TypeError when `from` is not a component or system, or no serialiser is given for a value
   * without a built-in one (a compile error where the value's type shows it is not a
   * {@link BuiltInSerialisable}).
   *
   * @example
   * ```ts
   * ActorPath.parse('tcp://10.0.0.2:4000/counter').tell('increment', this);
   * msg.sender.tell(count, this, msgpackSerialiser(serId(100)));
   * ```
   */
  tell<T extends BuiltInSerialisable>(value: T, from: MessageSource, serialiser?: Serialiser<T>): void;
  /** Sends `value`, of a type without a built-in serialiser, serialised with `serialiser` (as above). */
  tell<T>(value: T, from: MessageSource, serialiser: Serialiser<T>): void;
  tell<T>(value: T, from: MessageSource, serialiser?: Serialiser<T>): void {
    tellPath(this, value, from, serialiser as Serialiser<unknown> | undefined);
  }

  /** The string form, `tcp://host:port#<uuid>`; {@link ActorPath.parse} reads it back. */
  override toString(): string {
    return this.text;
  }
}

/**
 * A path by name: a system and a list of segments, optionally ending in a routing marker, printed
 * `tcp://127.0.0.1:63482/my-service/instance1` (or `…/group/*`, `…/group/?`).
 *
 * Kompact: `NamedPath` (the target of `system.registerByAlias(&c, "a/b")`).
 *
 * @remarks Immutable. `segments` never holds a marker: `tcp://h:1/group/*` has segments `['group']` and
 * marker `'broadcast'`. A marker may stand alone (`tcp://h:1/*`: the whole tree), but a path without a
 * marker needs at least one segment.
 */
export class NamedPath extends PathSending {
  /** Discriminant of {@link ActorPath}. */
  readonly kind = 'named' as const;
  /** The system the named service lives in. */
  readonly system: SystemPath;
  /** The name's segments, without the marker; frozen. */
  readonly segments: readonly string[];
  /** The routing marker at the end, if any. */
  readonly marker: PathMarker | undefined;
  private readonly text: string;

  /**
   * Makes a named path in `system`.
   *
   * @throws TypeError when `system` is not a {@link SystemPath}, `segments` is not an array of strings or
   * `marker` is not `'broadcast'`, `'select'` or `undefined`.
   * @throws {@link PathParseError} when a segment is empty or contains `/ # * ?`, or when there are no
   * segments and no marker.
   */
  constructor(system: SystemPath, segments: readonly string[], marker?: PathMarker) {
    super();
    assertSystem(system);
    if (!Array.isArray(segments) || !segments.every((segment) => typeof segment === 'string')) {
      throw new TypeError(`Expected \`segments\` to be an array of strings, got ${describeValue(segments)}`);
    }
    if (marker !== undefined && marker !== 'broadcast' && marker !== 'select') {
      throw new TypeError(
        `Expected \`marker\` to be 'broadcast', 'select' or undefined, got ${describeValue(marker)}`,
      );
    }
    for (const segment of segments) checkSegment(segment, segment);
    if (segments.length === 0 && marker === undefined) {
      throw new PathParseError('empty-segment', '', 'a named path needs at least one segment or a marker');
    }
    this.system = system;
    this.segments = Object.freeze([...segments]);
    this.marker = marker;
    const tail = marker === undefined ? [] : [marker === 'broadcast' ? BROADCAST_MARKER : SELECT_MARKER];
    this.text = `${system.toString()}/${[...this.segments, ...tail].join('/')}`;
    Object.freeze(this);
  }

  /** Whether `other` is the same named path (system, segments and marker). */
  equals(other: ActorPath): boolean {
    return this === other || (other instanceof NamedPath && this.text === other.text);
  }

  /**
   * Sends `value` to the component at this path, from `from` (the sending component, whose unique
   * path the receiver sees as `sender`; or a system). Same-system delivery never serialises; to
   * another system the value is serialised with `serialiser`, which may be left out for strings,
   * numbers, bigints, `Uint8Array`s and actor paths.
   *
   * Kompact: `ActorPath::tell(msg, &from)`.
   *
   * @remarks Messages from one sender to one receiver arrive in the order sent. What cannot be
   * delivered (no such path, a refused or lost frame, a value that fails to serialise) becomes a dead
   * letter of the sending system, never an exception.
   * @throws TypeError when `from` is not a component or system, or no serialiser is given for a value
   * without a built-in one (a compile error where the value's type shows it is not a
   * {@link BuiltInSerialisable}).
   *
   * @example
   * ```ts
   * ActorPath.parse('tcp://10.0.0.2:4000/counter').tell('increment', this);
   * msg.sender.tell(count, this, msgpackSerialiser(serId(100)));
   * ```
   */
  tell<T extends BuiltInSerialisable>(value: T, from: MessageSource, serialiser?: Serialiser<T>): void;
  /** Sends `value`, of a type without a built-in serialiser, serialised with `serialiser` (as above). */
  tell<T>(value: T, from: MessageSource, serialiser: Serialiser<T>): void;
  tell<T>(value: T, from: MessageSource, serialiser?: Serialiser<T>): void {
    tellPath(this, value, from, serialiser as Serialiser<unknown> | undefined);
  }

  /** The string form, `tcp://host:port/a/b` (with `/*` or `/?` for a marker); {@link ActorPath.parse} reads it back. */
  override toString(): string {
    return this.text;
  }
}

/**
 * Where a message goes: a {@link UniquePath} (one component instance) or a {@link NamedPath} (a name
 * that may be re-pointed, or a routing group). Switch on `kind`.
 *
 * Kompact: `enum ActorPath { Unique(UniquePath), Named(NamedPath) }`.
 */
export type ActorPath = UniquePath | NamedPath;

// Paths are immutable, so a parsed path can be shared; a network peer sends the same few paths over and
// over. Cleared wholesale when full, which bounds it against a peer sending endless distinct paths.
const PARSE_CACHE_LIMIT = 1024;
const parseCache = new Map<string, ActorPath>();

/**
 * Parsing and recognising actor paths.
 *
 * Kompact: `impl FromStr for ActorPath`.
 */
export const ActorPath = {
  /**
   * Parses the string form of an actor path: `<transport>://<host>:<port>#<uuid>` or
   * `<transport>://<host>:<port>/<segment>(/<segment>)*`, optionally ending in `/*` or `/?`.
   *
   * @remarks Transports `local` and `tcp`; hosts IPv4, bracketed IPv6 or hostnames; ports 0–65535;
   * segments non-empty and free of `/ # * ?`; a marker only as the last segment.
   * `ActorPath.parse(path.toString())` equals `path` for every path. Recently parsed texts are cached,
   * so parsing the same text again may return the same (immutable) instance.
   * @throws TypeError when `text` is not a string.
   * @throws {@link PathParseError} saying what is wrong, with a `reason`.
   *
   * @example
   * ```ts
   * const path = ActorPath.parse('tcp://127.0.0.1:63482/my-service/instance1');
   * if (path.kind === 'named') path.segments; // ['my-service', 'instance1']
   * ```
   */
  parse(text: string): ActorPath {
    if (typeof text !== 'string') {
      throw new TypeError(`Expected \`text\` to be a string, got ${describeValue(text)}`);
    }
    const cached = parseCache.get(text);
    if (cached !== undefined) return cached;
    const path = parseUncached(text);
    if (parseCache.size >= PARSE_CACHE_LIMIT) parseCache.clear();
    parseCache.set(text, path);
    return path;
  },

  /** Whether `value` is an actor path. */
  isActorPath(value: unknown): value is ActorPath {
    return value instanceof UniquePath || value instanceof NamedPath;
  },
} as const;

function parseUncached(text: string): ActorPath {
  const { system, rest } = parseSystemPrefix(text);
  if (rest === '') {
    throw new PathParseError('form', text, 'expected `#<id>` or `/<segment>` after the system address');
  }
  if (rest.startsWith('#')) {
    return new UniquePath(system, canonicalId(rest.slice(1), text));
  }
  const parts = rest.slice(1).split('/');
  const last = parts.length - 1;
  let marker: PathMarker | undefined;
  for (let i = 0; i <= last; i++) {
    const part = parts[i] as string;
    if (part === BROADCAST_MARKER || part === SELECT_MARKER) {
      if (i !== last) {
        throw new PathParseError(
          'marker-position',
          text,
          `the marker \`${part}\` may only be the last segment`,
        );
      }
      marker = part === BROADCAST_MARKER ? 'broadcast' : 'select';
    } else {
      checkSegment(part, text);
    }
  }
  return new NamedPath(system, marker === undefined ? parts : parts.slice(0, last), marker);
}

function assertSystem(system: unknown): asserts system is SystemPath {
  if (!(system instanceof SystemPath)) {
    throw new TypeError(`Expected \`system\` to be a SystemPath, got ${describeValue(system)}`);
  }
}

function assertPath(path: unknown, name: string): asserts path is ActorPath {
  if (!(path instanceof UniquePath || path instanceof NamedPath)) {
    throw new TypeError(`Expected \`${name}\` to be an ActorPath, got ${describeValue(path)}`);
  }
}
