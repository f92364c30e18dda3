import { dropPromise, type KPromise } from './kpromise.js';

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
export class Ask<Request, Response> {
  /** The asker's request. */
  readonly request: Request;
  /** The promise the reply completes. */
  readonly promise: KPromise<Response>;

  constructor(promise: KPromise<Response>, request: Request) {
    this.promise = promise;
    this.request = request;
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
export class AskEnvelope {
  constructor(
    readonly message: unknown,
    readonly promise: KPromise<unknown>,
  ) {}
}

/** Rejects the ask carried by `message`, if it carries one: its target is gone. */
export function dropAskIn(message: unknown, reason: string): void {
  if (message instanceof Ask) dropPromise(message.promise, reason);
  else if (message instanceof AskEnvelope) dropPromise(message.promise, reason);
}
