import { describeValue } from '../internal/describe-value.js';
import { KompactError } from '../internal/kompact-error.js';
import type { MessageTarget } from '../messaging/message-target.js';
import type { ComponentId } from '../paths/component-id.js';
import type { Clock } from '../timer/clock.js';
import { Ask, AskEnvelope } from './ask.js';
import { type KPromise, kpromise } from './kpromise.js';
import { Recipient } from './recipient.js';

/** Options of {@link ActorRef.ask} and {@link ActorRef.askWith}. */
export interface AskOptions {
  /** Reject with `ASK_TIMEOUT` if no reply came within this many milliseconds (system clock). */
  readonly timeoutMs?: number;
}

/**
 * What a reference needs of the component it points at: its mailbox and id, and for asks
 * and ended references its name, its system's clock and its dead letters. The component core.
 */
export interface RefTarget extends MessageTarget {
  /** The component's class name, for the message of an ask that timed out. */
  readonly typeName: string;
  /** The system's clock, which times an ask's `timeoutMs`. */
  readonly clock: Clock;
  /** Records `message`, sent through the reference of an ended component, as a dead letter. */
  deadLetterFromEnded(message: unknown): void;
}

let repointRef: (ref: ActorRef<unknown>, core: RefTarget) => void;
let endedCoreOf: (ref: ActorRef<unknown>) => RefTarget;

/**
 * A reference to a component that accepts messages of type `M`. Sending never blocks and never throws
 * at the sender: a message to a component that is gone becomes a dead letter.
 *
 * Kompact: `ActorRef<M>`.
 *
 * @remarks Messages from one sender arrive in the order they were sent (one FIFO mailbox).
 */
export class ActorRef<M> {
  private core: RefTarget;

  static {
    repointRef = (ref, core) => {
      ref.core = core;
    };
    endedCoreOf = (ref) => ref.core;
  }

  /** @internal Obtained with `component.actorRef()` or `ctx.actorRef()`. */
  constructor(core: RefTarget) {
    this.core = core;
  }

  /** The id of the component this reference points at. */
  get id(): ComponentId {
    return this.core.id;
  }

  /** Sends `message`; returns at once. Kompact: `tell`. */
  tell(message: M): void {
    this.core.tell(message);
  }

  /**
   * A {@link Recipient} of `T`, one of the types this reference accepts: a narrower reference to hand
   * to a component that should send only `T`.
   *
   * Kompact: `ActorRef::recipient` (for `T: Into<M>`).
   */
  recipient<T extends M = M>(): Recipient<T> {
    return new Recipient<T>(this, undefined);
  }

  /**
   * A {@link Recipient} of `T` that turns each message into one this reference accepts with `adapt`:
   * for a component that should send a type of its own, which the receiver wraps in its message union.
   *
   * Kompact: `ActorRef::recipient_with`.
   *
   * @example
   * ```ts
   * const replies = ctx.actorRef().recipientWith((total: number) => ({ kind: 'total', total }));
   * ```
   */
  recipientWith<T>(adapt: (message: T) => M): Recipient<T> {
    if (typeof adapt !== 'function') {
      throw new TypeError(`Expected \`adapt\` to be a function, got ${describeValue(adapt)}`);
    }
    return new Recipient<T>(this, adapt);
  }

  /**
   * Sends `request` wrapped in an {@link Ask} and resolves with the reply. Rejects with
   * `PROMISE_DROPPED` when the target is or becomes faulty or destroyed before replying, and with
   * `ASK_TIMEOUT` after `timeoutMs`.
   *
   * Kompact: `ActorRef<Ask<Req, Resp>>::ask`.
   */
  ask<Request, Response>(
    this: ActorRef<Ask<Request, Response>>,
    request: Request,
    options?: AskOptions,
  ): Promise<Response> {
    return this.sendAsk<Response>((promise) => new Ask(promise, request), options, false);
  }

  /**
   * Sends the message `build` makes around a fresh promise, and resolves with what the receiver
   * fulfils it with: for asks nested in a message union.
   *
   * Kompact: `ask_with`.
   *
   * @example
   * ```ts
   * type Msg = { kind: 'add'; n: number } | { kind: 'get'; reply: KPromise<number> };
   * const total = await counter.askWith<number>((reply) => ({ kind: 'get', reply }));
   * ```
   */
  askWith<Response>(build: (promise: KPromise<Response>) => M, options?: AskOptions): Promise<Response> {
    if (typeof build !== 'function') {
      throw new TypeError(`Expected \`build\` to be a function, got ${describeValue(build)}`);
    }
    return this.sendAsk(build, options, true);
  }

  private sendAsk<Response>(
    build: (promise: KPromise<Response>) => M,
    options: AskOptions | undefined,
    wrap: boolean,
  ): Promise<Response> {
    const timeoutMs = options?.timeoutMs;
    if (
      timeoutMs !== undefined &&
      !(typeof timeoutMs === 'number' && timeoutMs >= 0 && timeoutMs <= 2 ** 31 - 1)
    ) {
      throw new TypeError(
        `Expected \`timeoutMs\` to be a number from 0 to ${2 ** 31 - 1}, got ${describeValue(timeoutMs)}`,
      );
    }
    const { promise, future, setOnSettle, discard } = kpromise<Response>();
    let message: M;
    try {
      message = build(promise);
    } catch (error) {
      discard();
      throw error;
    }
    const core = this.core;
    if (timeoutMs !== undefined) {
      const clock = core.clock;
      const timer = clock.setTimer(() => {
        promise.reject(
          new KompactError(
            'ASK_TIMEOUT',
            `no reply from component ${core.id} (${core.typeName}) within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      setOnSettle(() => clock.clearTimer(timer));
    }
    this.tell((wrap ? new AskEnvelope(message, promise as KPromise<unknown>) : message) as M);
    return future;
  }
}

/**
 * What the context of an ended component hands out as its reference: messages (and asks) sent
 * through it are dead letters, even while a replacement may still take the component's queue.
 */
class EndedActorRef<M> extends ActorRef<M> {
  override tell(message: M): void {
    endedCoreOf(this).deadLetterFromEnded(message);
  }
}

/** @internal A reference through which `core`, which has ended, reaches nobody. */
export function endedActorRef(core: RefTarget): ActorRef<unknown> {
  return new EndedActorRef(core);
}

/** @internal Makes `ref` reach `core` from now on (a replacement made by `replaceWith`). */
export function repoint(ref: ActorRef<unknown>, core: RefTarget): void {
  repointRef(ref, core);
}
