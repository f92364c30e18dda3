import { dropPromise, type KPromise } from './kpromise.js';
import type { Request as RequestMessage } from './with-sender.js';

/**
 * What carries an ask's promise through a mailbox: an {@link Ask}, or the envelope around an
 * `askWith` message. One class to test for, so a component turn recognises an ask with the one
 * `instanceof` check it already makes per message, and plain messages pay nothing more.
 */
export abstract class AskCarrier {
  /** The promise the reply completes (each subclass has this field). */
  static promiseOf(carrier: AskCarrier): KPromise<unknown> {
    return (carrier as Ask<unknown, unknown> | AskEnvelope).promise;
  }
}

/**
 * A request that expects one response: the message type of components that answer `ActorRef.ask`.
 * The handler reads {@link Ask.request} and calls {@link Ask.reply} once.
 *
 * Kompact: `Ask<Request, Response>`.
 *
 * @example
 * ```ts
 * class Doubler extends ComponentDefinition<Ask<number, number>> {
 *   override receiveLocal(ask: Ask<number, number>) { ask.reply(ask.request * 2); }
 * }
 * const four = await doubler.actorRef().ask(2);
 * ```
 */
export class Ask<Request, Response> extends AskCarrier implements RequestMessage<Response> {
  /** The asker's request. */
  readonly request: Request;
  /** The promise the reply completes. */
  readonly promise: KPromise<Response>;

  constructor(promise: KPromise<Response>, request: Request) {
    super();
    this.promise = promise;
    this.request = request;
  }

  /**
   * The message builder for `askWith` that asks `request`: `ref.askWith(Ask.of(request))` is
   * `ref.ask(request)` for a reference whose message union includes this `Ask`.
   *
   * Kompact: `Ask::of`.
   *
   * @example
   * ```ts
   * type Msg = { kind: 'reset' } | Ask<number, number>;
   * const doubled = await ref.askWith(Ask.of<number, number>(21));
   * ```
   */
  static of<Request, Response>(request: Request): (promise: KPromise<Response>) => Ask<Request, Response> {
    return (promise) => new Ask(promise, request);
  }

  /** Answers the ask; returns `false` if it was already answered (or timed out). */
  reply(response: Response): boolean {
    return this.promise.fulfil(response);
  }

  /** Answers the ask with `f(request)`. */
  complete(f: (request: Request) => Response): boolean {
    return this.promise.fulfil(f(this.request));
  }

  /**
   * Answers the ask with what `f(request)` resolves to; a rejection rejects the asker's promise.
   * Returns a promise to hand to `Handled.blockOn` or to await in an async handler.
   */
  async completeWith(f: (request: Request) => PromiseLike<Response>): Promise<void> {
    try {
      this.promise.fulfil(await f(this.request));
    } catch (error) {
      this.promise.reject(error);
    }
  }
}

/** How `askWith` carries a user message and the promise inside it through a mailbox. */
export class AskEnvelope extends AskCarrier {
  constructor(
    readonly message: unknown,
    readonly promise: KPromise<unknown>,
  ) {
    super();
  }
}

/** Rejects the ask carried by `message`, if it carries one: its target is gone. */
export function dropAskIn(message: unknown, reason: string): void {
  if (message instanceof AskCarrier) dropPromise(AskCarrier.promiseOf(message), reason);
}
