import type { ActorPath } from '../paths/actor-path.js';

/**
 * How a routing policy delivers: to every member (`broadcast`, the `*` marker) or to one (`select`, the
 * `?` marker).
 *
 * Kompact: `RoutingPolicy::broadcast()` / `RoutingPolicy::select()`.
 */
export type RoutingMode = 'broadcast' | 'select';

/** What a routing policy may look at to pick members: for now the sender's path. */
export interface RoutingContext {
  /** Who sent the message. */
  readonly sender: ActorPath;
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
