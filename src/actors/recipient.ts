import type { ComponentId } from '../paths/component-id.js';
import type { ActorRef } from './actor-ref.js';

/**
 * A reference that accepts messages of type `T` and hands each to a component whose own message type
 * is wider: as it is (`actorRef.recipient()`), or adapted on the way (`actorRef.recipientWith(fn)`).
 * A component hands one out to expose one variant of its message union, not the whole union.
 *
 * Kompact: `Recipient<M>` (`ActorRef::recipient` / `recipient_with`).
 *
 * @remarks It sends through the component's `ActorRef`, so it reaches what that reference reaches (a
 * replacement made by `replaceWith` included) and dead-letters like it. The adapter runs on the
 * sender's side, in `tell`; whatever it throws is thrown to the sender, as from any function it calls.
 *
 * @example
 * ```ts
 * type Msg = { kind: 'tick' } | { kind: 'reading'; celsius: number };
 * const readings: Recipient<number> = sensorHub.actorRef().recipientWith((celsius) => ({ kind: 'reading', celsius }));
 * readings.tell(21.5);
 * ```
 */
export class Recipient<T> {
  readonly #ref: ActorRef<unknown>;
  readonly #adapt: ((message: T) => unknown) | undefined;

  /** @internal Made by `actorRef.recipient()` and `actorRef.recipientWith(fn)`. */
  constructor(ref: ActorRef<unknown>, adapt: ((message: T) => unknown) | undefined) {
    this.#ref = ref;
    this.#adapt = adapt;
  }

  /** The id of the component this recipient reaches. */
  get id(): ComponentId {
    return this.#ref.id;
  }

  /** Sends `message` (adapted, for a recipient made with `recipientWith`); returns at once. Kompact: `tell`. */
  tell(message: T): void {
    const adapt = this.#adapt;
    this.#ref.tell(adapt === undefined ? message : adapt(message));
  }

  /**
   * Whether `other` (a recipient or an actor reference) reaches the same component. Kompact: `PartialEq`.
   */
  equals(other: Recipient<never> | ActorRef<never>): boolean {
    return other?.id === this.#ref.id;
  }
}
