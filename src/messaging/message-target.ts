import type { ComponentId } from '../paths/component-id.js';

/**
 * What a reference or the dispatcher needs of a component to deliver to it: its id and its mailbox.
 * Implemented by the component core; a type only, so a `tell` through it is the same call on the
 * same object (no wrapper on the hot path).
 *
 * Kompact: `MsgQueueContainer`, what an `ActorRef` holds of a component.
 */
export interface MessageTarget {
  /** The id of the component that takes the messages. */
  readonly id: ComponentId;
  /** Queues `message` for the component; one it can no longer handle becomes a dead letter. */
  tell(message: unknown): void;
}

/**
 * What the dispatcher needs of a component it delivers paths to: its mailbox and id, and whether it
 * can still take messages (a routing group skips members that cannot). The component core; a type only.
 */
export interface PathTarget extends MessageTarget {
  /** Whether a message sent now would be queued (not a dead letter). */
  canReceive(): boolean;
}
