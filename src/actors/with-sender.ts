import { describeValue } from '../internal/describe-value.js';
import { ActorRef } from './actor-ref.js';
import { Recipient } from './recipient.js';

/**
 * A message that expects a response of type `Response`: whoever handles it answers with `reply`.
 * {@link Ask}, {@link WithSender} and {@link WithRecipient} are requests.
 *
 * Kompact: the `Request` trait.
 */
export interface Request<Response> {
  /** Answers the request. */
  reply(response: Response): void;
}

/**
 * Something that hands out an actor reference: a component's context (`this.ctx`), a `Component`,
 * or an object of your own with an `actorRef()` method.
 *
 * Kompact: `ActorRefFactory`.
 */
export interface ActorRefFactory<M> {
  /** The reference replies go to. */
  actorRef(): ActorRef<M>;
}

/**
 * A request and the actor reference its response goes to, as one message: actor-to-actor
 * request/response without an `ask` promise (the reply is an ordinary message of the asker's).
 *
 * Kompact: `WithSender<Req, Resp>`.
 *
 * @example
 * ```ts
 * // in the asking component, whose messages include `number`:
 * counter.tell(WithSender.from('count', this.ctx));
 * // in the counter, whose messages are WithSender<string, number>:
 * override receiveLocal(msg: WithSender<string, number>) { msg.reply(this.count); }
 * ```
 */
export class WithSender<Req, Resp> implements Request<Resp> {
  /** The request. */
  readonly content: Req;
  /** Where the response goes. */
  readonly sender: ActorRef<Resp>;

  /** Pairs `content` with the reference `sender` that the response goes to. */
  constructor(content: Req, sender: ActorRef<Resp>) {
    if (!(sender instanceof ActorRef)) {
      throw new TypeError(`Expected \`sender\` to be an ActorRef, got ${describeValue(sender)}`);
    }
    this.content = content;
    this.sender = sender;
  }

  /** Pairs `content` with the reference of `from` (e.g. `this.ctx`). Kompact: `WithSender::from`. */
  static from<Req, Resp>(content: Req, from: ActorRefFactory<Resp>): WithSender<Req, Resp> {
    return new WithSender(content, refOf(from));
  }

  /** Sends `response` to the sender. */
  reply(response: Resp): void {
    this.sender.tell(response);
  }
}

/**
 * A request and the {@link Recipient} its response goes to: like {@link WithSender}, for an asker whose
 * message type is wider than the response (the recipient adapts or narrows it).
 *
 * Kompact: `WithRecipient<Req, Resp>`.
 *
 * @example
 * ```ts
 * type AskerMsg = { kind: 'total'; total: number } | { kind: 'go' };
 * // inside the asker:
 * counter.tell(WithRecipient.fromConvert('count', this.ctx, (total: number): AskerMsg => ({ kind: 'total', total })));
 * ```
 */
export class WithRecipient<Req, Resp> implements Request<Resp> {
  /** The request. */
  readonly content: Req;
  /** Where the response goes. */
  readonly sender: Recipient<Resp>;

  /** Pairs `content` with the recipient `sender` that the response goes to. */
  constructor(content: Req, sender: Recipient<Resp>) {
    if (!(sender instanceof Recipient)) {
      throw new TypeError(`Expected \`sender\` to be a Recipient, got ${describeValue(sender)}`);
    }
    this.content = content;
    this.sender = sender;
  }

  /**
   * Pairs `content` with a recipient of `from`'s reference, whose message type includes `Resp`.
   * Kompact: `WithRecipient::from`.
   */
  static from<Req, Resp>(content: Req, from: ActorRefFactory<Resp>): WithRecipient<Req, Resp> {
    return new WithRecipient(content, refOf(from).recipient());
  }

  /**
   * Pairs `content` with a recipient of `from`'s reference that turns the response into one of its
   * messages with `convert`. Kompact: `WithRecipient::from_convert`.
   */
  static fromConvert<Req, Resp, M>(
    content: Req,
    from: ActorRefFactory<M>,
    convert: (response: Resp) => M,
  ): WithRecipient<Req, Resp> {
    return new WithRecipient(content, refOf(from).recipientWith(convert));
  }

  /** Sends `response` to the sender, through its recipient. */
  reply(response: Resp): void {
    this.sender.tell(response);
  }
}

function refOf<M>(from: ActorRefFactory<M>): ActorRef<M> {
  if (typeof (from as Partial<ActorRefFactory<M>> | null)?.actorRef !== 'function') {
    throw new TypeError(
      `Expected \`from\` to have an actorRef() method (a context, a Component), got ${describeValue(from)}`,
    );
  }
  const ref = from.actorRef();
  if (!(ref instanceof ActorRef)) {
    throw new TypeError(`Expected \`from.actorRef()\` to return an ActorRef, got ${describeValue(ref)}`);
  }
  return ref;
}
