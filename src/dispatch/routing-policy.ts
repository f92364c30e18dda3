import { describeValue } from '../internal/describe-value.js';
import type { NetMessage } from '../messaging/net-message.js';
import type { ActorPath } from '../paths/actor-path.js';

/**
 * How a routing policy delivers: to every member (`broadcast`, the `*` marker) or to one (`select`, the
 * `?` marker).
 *
 * Kompact: `RoutingPolicy::broadcast()` / `RoutingPolicy::select()`.
 */
export type RoutingMode = 'broadcast' | 'select';

/** What a routing policy may look at to pick members: the message and who sent it. */
export interface RoutingContext {
  /** Who sent the message. */
  readonly sender: ActorPath;
  /**
   * The message itself, as the chosen member will get it: its value can be read with
   * `tryDeserialise` (a same-system value without deserialising).
   */
  readonly message: NetMessage;
}

/**
 * Picks the members of a routing group that receive a message.
 *
 * Kompact: `trait RoutingPolicy<Ref, M>` in `core/src/routing/groups.rs`.
 *
 * @remarks `members` is the group in the lookup table's (stable) order. A policy never throws on an
 * empty group: it returns no members, and the dispatcher dead-letters the message (Kompact computes
 * `x % 0` and poisons the system there). Sending to `group/*` needs a `broadcast` policy, to `group/?`
 * a `select` policy; plain `group` works with either.
 */
export interface RoutingPolicy {
  /** Which policy this is, for logs and for `switch`. */
  readonly kind: string;
  /** Whether the policy delivers to all members or selects one. */
  readonly mode: RoutingMode;
  /** The members that receive a message from `context.sender` (empty when `members` is). */
  route<T>(members: readonly T[], context: RoutingContext): readonly T[];
}

/**
 * Delivers a copy to every member of the group.
 *
 * Kompact: `BroadcastRouting`.
 */
export class BroadcastRouting implements RoutingPolicy {
  /** Discriminant. */
  readonly kind = 'broadcast' as const;
  /** Broadcasts: serves `group/*` and `group`. */
  readonly mode = 'broadcast' as const;

  /** All members (a copy of the array). */
  route<T>(members: readonly T[], _context?: RoutingContext): readonly T[] {
    return [...members];
  }
}

/**
 * Delivers each message to the next member in turn: with three members, messages 1..4 go to members
 * 0, 1, 2, 0.
 *
 * Kompact: `RoundRobinRouting` (an atomic counter mod n).
 *
 * @remarks The counter belongs to the policy instance and advances only when a member was chosen; when
 * the membership changes the rotation continues from the counter modulo the new size.
 */
export class RoundRobinRouting implements RoutingPolicy {
  /** Discriminant. */
  readonly kind = 'round-robin' as const;
  /** Selects one member: serves `group/?` and `group`. */
  readonly mode = 'select' as const;
  private next = 0;

  /** The next member in turn, or none for an empty group. */
  route<T>(members: readonly T[], _context?: RoutingContext): readonly T[] {
    if (members.length === 0) return [];
    const index = this.next % members.length;
    // Wrap well inside the safe-integer range; the rotation only needs the counter modulo n.
    this.next = (this.next + 1) % 0x1_0000_0000;
    return [members[index] as T];
  }
}

/**
 * Delivers every message from the same sender to the same member: a stable hash of the sender path's
 * string form, modulo the group size.
 *
 * Kompact: `SenderDefaultHashBucketRouting` (the default select policy).
 *
 * @remarks The hash is 32-bit FNV-1a over the UTF-16 code units of `sender.toString()`, identical in
 * every process, so two systems with the same group order agree on the member.
 */
export class SenderHashRouting implements RoutingPolicy {
  /** Discriminant. */
  readonly kind = 'sender-hash' as const;
  /** Selects one member: serves `group/?` and `group`. */
  readonly mode = 'select' as const;

  /** The sender's member, or none for an empty group. */
  route<T>(members: readonly T[], context: RoutingContext): readonly T[] {
    if (members.length === 0) return [];
    return [members[stableHash(context.sender.toString()) % members.length] as T];
  }
}

/**
 * Delivers every message with the same value of a field to the same member: `field` reads that value
 * from the message (a string, number, bigint or actor path, hashed by its string form), and a stable
 * hash of it modulo the group size picks the member. `new FieldHashRouting((msg) => msg.sender)` is
 * {@link SenderHashRouting}.
 *
 * Kompact: `FieldHashBucketRouting` (with a field extractor over the `NetMessage`).
 *
 * @remarks `field` is user code run by the dispatcher for each message: if it throws, or returns
 * something else than the types above, that message is a dead letter with a warning (the sender's
 * `tell` never throws). Reading the value with `msg.tryDeserialise(serialiser)` costs a
 * deserialisation for a message from another system.
 *
 * @example
 * ```ts
 * // Every order of one customer goes to the same worker.
 * await system.setRoutingPolicy('orders', new FieldHashRouting((msg) => msg.tryDeserialise(OrderSerialiser).customer));
 * ```
 */
export class FieldHashRouting implements RoutingPolicy {
  /** Discriminant. */
  readonly kind = 'field-hash' as const;
  /** Selects one member: serves `group/?` and `group`. */
  readonly mode = 'select' as const;
  readonly #field: (message: NetMessage) => unknown;

  /** Routes by the value `field` reads from each message. */
  constructor(field: (message: NetMessage) => string | number | bigint | ActorPath) {
    if (typeof field !== 'function') {
      throw new TypeError(`Expected \`field\` to be a function, got ${describeValue(field)}`);
    }
    this.#field = field;
  }

  /** The member of the message's field value, or none for an empty group. */
  route<T>(members: readonly T[], context: RoutingContext): readonly T[] {
    if (members.length === 0) return [];
    const value = this.#field(context.message);
    let text: string;
    switch (typeof value) {
      case 'string':
        text = value;
        break;
      case 'number':
      case 'bigint':
        text = String(value);
        break;
      default:
        if (typeof value === 'object' && value !== null && 'kind' in value) {
          text = (value as ActorPath).toString();
          break;
        }
        throw new TypeError(
          `Expected the routing field to be a string, number, bigint or actor path, got ${describeValue(value)}`,
        );
    }
    return [members[stableHash(text) % members.length] as T];
  }
}

/**
 * A 32-bit FNV-1a hash of a string's UTF-16 code units, as an unsigned integer.
 *
 * @internal
 */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
