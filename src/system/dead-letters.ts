import type { Logger } from 'pino';
import { AskEnvelope, dropAskIn } from '../actors/ask.js';
import type { ComponentId } from '../component/component-id.js';
import type { Clock } from '../timer/clock.js';

/** Why a message could not be delivered: its recipient was faulty, or destroyed. */
export type DeadLetterReason = 'faulty' | 'destroyed';

/** A message that reached a component that can no longer handle it. */
export interface DeadLetter {
  /** The id of the component the message was sent to. */
  readonly recipient: ComponentId;
  /** The class name of that component's definition. */
  readonly recipientType: string;
  /** The message as it was sent. An ask's promise was rejected with `PROMISE_DROPPED`. */
  readonly message: unknown;
  /** Why it was not delivered. */
  readonly reason: DeadLetterReason;
}

/** Receives every dead letter of a system. */
export type DeadLetterListener = (letter: DeadLetter) => void;

/** How often (clock milliseconds) the dead-letter warning may be logged. */
const LOG_INTERVAL_MS = 1000;

/**
 * The system's dead-letter office: counts every undelivered message, logs them at warn (at most once
 * a second, with the number left unlogged), and hands each one to subscribers.
 *
 * Kompact: the `DeadletterBox` (which Kompact only uses for network messages).
 */
export class DeadLetters {
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #listeners = new Set<DeadLetterListener>();
  #count = 0;
  #unlogged = 0;
  #lastLogAt = Number.NEGATIVE_INFINITY;

  /** @internal Made by the system. */
  constructor(logger: Logger, clock: Clock) {
    this.#logger = logger;
    this.#clock = clock;
  }

  /** How many messages became dead letters since the system was built. */
  get count(): number {
    return this.#count;
  }

  /** Calls `listener` with every future dead letter; returns the function that unsubscribes it. */
  subscribe(listener: DeadLetterListener): () => void {
    if (typeof listener !== 'function') {
      throw new TypeError(`Expected \`listener\` to be a function, got ${typeof listener}`);
    }
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** @internal Records one undelivered message. */
  publish(recipient: ComponentId, recipientType: string, sent: unknown, reason: DeadLetterReason): void {
    this.#count++;
    dropAskIn(sent, `component ${recipient} (${recipientType}) is ${reason}`);
    const message = sent instanceof AskEnvelope ? sent.message : sent;
    const letter: DeadLetter = { recipient, recipientType, message, reason };
    const now = this.#clock.now();
    if (now - this.#lastLogAt >= LOG_INTERVAL_MS) {
      const suppressed = this.#unlogged;
      this.#unlogged = 0;
      this.#lastLogAt = now;
      this.#logger.warn(
        { recipient, recipientType, reason, suppressed },
        `Dead letter: message to ${reason} component ${recipient} (${recipientType})` +
          (suppressed > 0 ? `; ${suppressed} more since the last report` : ''),
      );
    } else {
      this.#unlogged++;
    }
    for (const listener of this.#listeners) {
      try {
        listener(letter);
      } catch (error) {
        this.#logger.error({ err: error }, 'A dead-letter listener threw; ignored');
      }
    }
  }
}
