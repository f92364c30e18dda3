// Senders: recipients that narrow or adapt a reference, WithSender/WithRecipient requests answered
// with an ordinary message, Ask.of for askWith, and promise() for asks built by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ActorRef,
  Ask,
  ComponentDefinition,
  type DeadLetter,
  type HandlerReturn,
  type KPromise,
  promise,
  type Recipient,
  type Request,
  WithRecipient,
  WithSender,
} from '../src/index.js';
import { withSystem } from '../src/testing/index.js';
import { DEADLINE_MS, deferred, within } from './support/promises.js';

type HubMsg = { kind: 'reading'; celsius: number } | { kind: 'reset' } | string;

/** Keeps every message it receives, and resolves `seen` once it has `expected` of them. */
class Hub extends ComponentDefinition<HubMsg> {
  readonly received: HubMsg[] = [];
  readonly done = deferred();
  constructor(private readonly expected: number) {
    super();
  }
  override receiveLocal(msg: HubMsg): HandlerReturn {
    this.received.push(msg);
    if (this.received.length === this.expected) this.done.resolve();
  }
}

/** Answers every request for the count with its count, whatever kind of request it is. */
class Counter extends ComponentDefinition<Request<number> & { readonly content: string }> {
  count = 7;
  override receiveLocal(request: Request<number>): HandlerReturn {
    request.reply(this.count);
  }
}

type AskerMsg =
  | { kind: 'go'; counter: ActorRef<WithRecipient<string, number>> }
  | { kind: 'total'; total: number };

/** Asks a counter with a WithRecipient whose reply becomes one of its own messages. */
class Asker extends ComponentDefinition<AskerMsg> {
  readonly total = deferred<number>();
  override receiveLocal(msg: AskerMsg): HandlerReturn {
    if (msg.kind === 'go') {
      msg.counter.tell(
        WithRecipient.fromConvert('count', this.ctx, (total: number): AskerMsg => ({ kind: 'total', total })),
      );
    } else {
      this.total.resolve(msg.total);
    }
  }
}

/** Asks a counter with a WithSender: the reply is its whole message type. */
class PlainAsker extends ComponentDefinition<
  number | { kind: 'go'; counter: ActorRef<WithSender<string, number>> }
> {
  readonly total = deferred<number>();
  override receiveLocal(
    msg: number | { kind: 'go'; counter: ActorRef<WithSender<string, number>> },
  ): HandlerReturn {
    if (typeof msg === 'number') this.total.resolve(msg);
    else msg.counter.tell(WithSender.from('count', this.ctx));
  }
}

describe('Recipient', () => {
  it('delivers a variant of the message union unchanged with recipient()', async () => {
    await withSystem(async (system) => {
      const hub = system.create(() => new Hub(1));
      await system.startNotify(hub);
      const texts: Recipient<string> = hub.actorRef().recipient<string>();
      texts.tell('hello');
      const definition = hub.onDefinition((d) => d);
      await within(definition.done.promise, DEADLINE_MS, 'the hub to get the text');
      assert.deepEqual(definition.received, ['hello']);
    });
  });

  it('adapts each message on the way with recipientWith(fn)', async () => {
    await withSystem(async (system) => {
      const hub = system.create(() => new Hub(2));
      await system.startNotify(hub);
      const readings = hub
        .actorRef()
        .recipientWith((celsius: number): HubMsg => ({ kind: 'reading', celsius }));
      readings.tell(21.5);
      readings.tell(-3);
      const definition = hub.onDefinition((d) => d);
      await within(definition.done.promise, DEADLINE_MS, 'the hub to get two readings');
      assert.deepEqual(definition.received, [
        { kind: 'reading', celsius: 21.5 },
        { kind: 'reading', celsius: -3 },
      ]);
    });
  });

  it('reaches the same component as its reference, and dead-letters once that component is gone', async () => {
    await withSystem(async (system) => {
      const hub = system.create(() => new Hub(1));
      await system.startNotify(hub);
      const ref = hub.actorRef();
      const readings = ref.recipientWith((celsius: number): HubMsg => ({ kind: 'reading', celsius }));
      assert.equal(readings.id, hub.id);
      assert.ok(readings.equals(ref));
      assert.ok(readings.equals(ref.recipient()));
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      await system.killNotify(hub);
      readings.tell(5);
      assert.equal(letters.length, 1);
      assert.deepEqual(letters[0]?.message, { kind: 'reading', celsius: 5 });
    });
  });

  it('refuses an adapter that is not a function', async () => {
    await withSystem(async (system) => {
      const hub = system.create(() => new Hub(1));
      assert.throws(
        () => hub.actorRef().recipientWith(42 as unknown as (n: number) => HubMsg),
        /Expected `adapt` to be a function, got `42` \(number\)/,
      );
    });
  });
});

describe('WithSender and WithRecipient', () => {
  it('answers a WithSender request with an ordinary message to the sender', async () => {
    await withSystem(async (system) => {
      const counter = system.create(() => new Counter());
      const asker = system.create(() => new PlainAsker());
      await system.startNotify(counter);
      await system.startNotify(asker);
      asker
        .actorRef()
        .tell({ kind: 'go', counter: counter.actorRef() as ActorRef<WithSender<string, number>> });
      const total = await within(
        asker.onDefinition((d) => d.total.promise),
        DEADLINE_MS,
        'the reply',
      );
      assert.equal(total, 7);
    });
  });

  it("answers a WithRecipient request through the recipient, adapted into the asker's own union", async () => {
    await withSystem(async (system) => {
      const counter = system.create(() => new Counter());
      const asker = system.create(() => new Asker());
      await system.startNotify(counter);
      await system.startNotify(asker);
      asker
        .actorRef()
        .tell({ kind: 'go', counter: counter.actorRef() as ActorRef<WithRecipient<string, number>> });
      const total = await within(
        asker.onDefinition((d) => d.total.promise),
        DEADLINE_MS,
        'the adapted reply',
      );
      assert.equal(total, 7);
    });
  });

  it('keeps the original sender when a request is forwarded to another component by reference', async () => {
    /** Passes every request on to the counter it was given, unchanged: the counter answers the asker. */
    class Front extends ComponentDefinition<WithSender<string, number>> {
      constructor(private readonly counter: ActorRef<WithSender<string, number>>) {
        super();
      }
      override receiveLocal(request: WithSender<string, number>): HandlerReturn {
        this.counter.tell(request);
      }
    }
    await withSystem(async (system) => {
      const counter = system.create(() => new Counter());
      const front = system.create(
        () => new Front(counter.actorRef() as ActorRef<WithSender<string, number>>),
      );
      const asker = system.create(() => new PlainAsker());
      await Promise.all([system.startNotify(counter), system.startNotify(front), system.startNotify(asker)]);
      asker.actorRef().tell({ kind: 'go', counter: front.actorRef() });
      const total = await within(
        asker.onDefinition((d) => d.total.promise),
        DEADLINE_MS,
        'the forwarded reply',
      );
      assert.equal(total, 7);
    });
  });

  it('keeps the request as content, and names a sender that is not a reference', () => {
    const fake = { actorRef: () => 'nope' } as unknown as { actorRef(): ActorRef<number> };
    assert.throws(
      () => WithSender.from('x', fake),
      /Expected `from.actorRef\(\)` to return an ActorRef, got/,
    );
    assert.throws(
      () => new WithSender('x', {} as ActorRef<number>),
      /Expected `sender` to be an ActorRef, got/,
    );
    assert.throws(
      () => new WithRecipient('x', {} as Recipient<number>),
      /Expected `sender` to be a Recipient, got/,
    );
  });
});

describe('Ask.of and promise()', () => {
  it('builds an ask for askWith, for a reference whose union includes that Ask', async () => {
    type Msg = { kind: 'reset' } | Ask<number, number>;
    class Doubler extends ComponentDefinition<Msg> {
      override receiveLocal(msg: Msg): HandlerReturn {
        if (msg instanceof Ask) msg.reply(msg.request * 2);
      }
    }
    await withSystem(async (system) => {
      const doubler = system.create(() => new Doubler());
      await system.startNotify(doubler);
      const doubled = await within(
        doubler.actorRef().askWith(Ask.of<number, number>(21)),
        DEADLINE_MS,
        'the doubled answer',
      );
      assert.equal(doubled, 42);
    });
  });

  it('pairs a KPromise made by hand with the promise it completes', async () => {
    type Msg = { kind: 'get'; reply: KPromise<number> };
    class Answerer extends ComponentDefinition<Msg> {
      override receiveLocal(msg: Msg): HandlerReturn {
        msg.reply.fulfil(99);
      }
    }
    await withSystem(async (system) => {
      const answerer = system.create(() => new Answerer());
      await system.startNotify(answerer);
      const [reply, answer] = promise<number>();
      assert.equal(reply.isCompleted, false);
      answerer.actorRef().tell({ kind: 'get', reply });
      assert.equal(await within(answer, DEADLINE_MS, 'the answer to the hand-made promise'), 99);
      assert.equal(reply.isCompleted, true);
    });
  });
});
