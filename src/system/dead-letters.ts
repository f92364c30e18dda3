import type { Logger } from 'pino';
import { AskEnvelope, dropAskIn } from '../actors/ask.js';
import type { ActorPath } from '../paths/actor-path.js';
import type { ComponentId } from '../paths/component-id.js';
import type { Clock } from '../timer/clock.js';

/**
 * Why a message could not be delivered.
 *
 * - `faulty` / `destroyed`: its recipient component is faulty, or destroyed.
 * - `unresolved`: nothing is registered at the actor path it was sent to (or its group has no member).
 * - `unroutable`: the path is on another system and this system has no network.
 * - `unknown-ser-id`: it arrived from another system under a serId no registered serialiser handles.
 * - `misaddressed`: it arrived from another system addressed to a path of a third system; it is never
 *   delivered here, whatever is registered under the same id or name.
 * - `serialisation-failed`: its value could not be serialised for another system.
 * - `refused`: the network transport refused it (`detail`: backpressure, blocked, too-large, closed).
 * - `lost`: it was accepted for another system but not delivered (`detail`: dropped after the retries,
 *   unacknowledged when a connection was lost, blocked, disconnected, closed).
 * - `sent-to-dead-letters`: it was told to the system's dead-letter reference on purpose
 *   (`system.deadLetterRef()`).
 * - `worker-down`: it was sent to a worker system (or a pool with no live worker) whose thread is down:
 *   faulted, waiting to restart, given up, or terminated. Messages are not queued for a worker that is
 *   down (`detail` says which state it is in).
 */
export type DeadLetterReason =
  | 'faulty'
  | 'destroyed'
  | 'unresolved'
  | 'unroutable'
  | 'unknown-ser-id'
  | 'misaddressed'
  | 'serialisation-failed'
  | 'refused'
  | 'lost'
  | 'sent-to-dead-letters'
  | 'worker-down';

/** A message that could not be delivered, and why. */
export interface DeadLetter {
  /** The id of the component the message was sent to, when one was found. */
  readonly recipient: ComponentId | undefined;
  /** The class name of that component's definition, when one was found. */
  readonly recipientType: string | undefined;
  /** The actor path the message was sent to, for messages sent to a path. */
  readonly path: ActorPath | undefined;
  /**
   * The message as it was sent (for a path message, the value, or the `NetMessage` when only its bytes
   * are left). An ask's promise was rejected with `PROMISE_DROPPED`.
   */
  readonly message: unknown;
  /** Why it was not delivered. */
  readonly reason: DeadLetterReason;
  /** More about the reason, for path messages (e.g. which transport limit refused it). */
  readonly detail: string | undefined;
}

/** Receives every dead letter of a system. */
export type DeadLetterListener = (letter: DeadLetter) => void;

/** How often (clock milliseconds) the dead-letter warning may be logged. */
const LOG_INTERVAL_MS = 1000;

/**
 * The system's dead-letter office: counts every undelivered message, logs them at warn (at most once
 * a second, with the number left unlogged, and a summary of those still unlogged at shutdown), and
 * hands each one to subscribers.
 *
 * Kompact: the `DeadletterBox` (which Kompact only uses for network messages).
 */
export class DeadLetters {
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #listeners = new Set<DeadLetterListener>();
  #count = 0;
  #unlogged = 0;
  /** The reasons of the dead letters not logged since the last report, for the summary at shutdown. */
  readonly #unloggedReasons = new Map<DeadLetterReason, number>();
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

  /** @internal Records one message a component could not take. */
  publish(recipient: ComponentId, recipientType: string, sent: unknown, reason: DeadLetterReason): void {
    dropAskIn(sent, `component ${recipient} (${recipientType}) is ${reason}`);
    const message = sent instanceof AskEnvelope ? sent.message : sent;
    this.#record(
      { recipient, recipientType, path: undefined, message, reason, detail: undefined },
      `message to ${reason} component ${recipient} (${recipientType})`,
    );
  }

  /** @internal Records one message sent to an actor path that could not be delivered. */
  publishToPath(
    path: ActorPath,
    message: unknown,
    reason: DeadLetterReason,
    detail: string | undefined,
  ): void {
    this.#record(
      { recipient: undefined, recipientType: undefined, path, message, reason, detail },
      `message to ${path.toString()} ${reason}${detail === undefined ? '' : ` (${detail})`}`,
    );
  }

  /**
   * @internal At shutdown: reports the dead letters the rate limit kept out of the log since the last
   * report, by reason, so a program that ends within a second of them still says they happened.
   */
  flushUnlogged(): void {
    const unlogged = this.#unlogged;
    if (unlogged === 0) return;
    const reasons = [...this.#unloggedReasons].sort((a, b) => b[1] - a[1]);
    this.#unlogged = 0;
    this.#unloggedReasons.clear();
    this.#logger.warn(
      { suppressed: unlogged, reasons: Object.fromEntries(reasons) },
      `${unlogged} more dead letter${unlogged === 1 ? ' was' : 's were'} not logged: ` +
        reasons.map(([reason, count]) => `${count} ${reason}`).join(', '),
    );
  }

  #record(letter: DeadLetter, description: string): void {
    this.#count++;
    const now = this.#clock.now();
    if (now - this.#lastLogAt >= LOG_INTERVAL_MS) {
      const suppressed = this.#unlogged;
      this.#unlogged = 0;
      this.#unloggedReasons.clear();
      this.#lastLogAt = now;
      this.#logger.warn(
        {
          recipient: letter.recipient,
          recipientType: letter.recipientType,
          path: letter.path?.toString(),
          reason: letter.reason,
          suppressed,
        },
        `Dead letter: ${description}${suppressed > 0 ? `; ${suppressed} more since the last report` : ''}`,
      );
    } else {
      this.#unlogged++;
      this.#unloggedReasons.set(letter.reason, (this.#unloggedReasons.get(letter.reason) ?? 0) + 1);
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
