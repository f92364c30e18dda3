import { Effect, Fiber, Queue } from 'effect';
import type { Benchmark } from '../../../infra/harness.js';
import { CountdownLatch } from '../../../infra/latch.js';
import type { ThroughputPingPongParams } from '../params.js';

// B2 on effect fibers over queues (one `Queue` and one forked fiber per actor, as in pingpong.ts):
// `pairs` pinger/ponger pairs. On Run a pinger offers up to `pipeline` pings, then one new ping per pong
// until it has sent and received `msgsPerPair`. With `staticOnly` the pinger reuses one ping and the
// ponger one pong; otherwise both allocate `{index}` per message.

type Pong = { readonly kind: 'pong'; readonly index: number };
type Run = { readonly kind: 'run'; readonly finish: (pongs: number) => void };
type PingerMsg = Pong | Run;
type Ping = { readonly sender: Queue.Enqueue<PingerMsg>; readonly index: number };

const STATIC_PONG: Pong = Object.freeze({ kind: 'pong', index: 0 });

function ponger(inbox: Queue.Dequeue<Ping>, isStaticOnly: boolean): Effect.Effect<never> {
  return Queue.take(inbox).pipe(
    Effect.flatMap((ping) =>
      Queue.offer(ping.sender, isStaticOnly ? STATIC_PONG : { kind: 'pong', index: ping.index }),
    ),
    Effect.forever,
  );
}

function pinger(
  inbox: Queue.Queue<PingerMsg>,
  pongerInbox: Queue.Enqueue<Ping>,
  count: number,
  pipeline: number,
  isStaticOnly: boolean,
): Effect.Effect<never> {
  const staticPing: Ping = { sender: inbox, index: 0 };
  const ping = (index: number): Ping => (isStaticOnly ? staticPing : { sender: inbox, index });
  let sent = 0;
  let received = 0;
  let finish: (pongs: number) => void = () => {};
  return Queue.take(inbox).pipe(
    Effect.flatMap((msg): Effect.Effect<unknown> => {
      if (msg.kind === 'run') {
        finish = msg.finish;
        received = 0;
        const window: Ping[] = [];
        for (sent = 0; sent < Math.min(pipeline, count); sent++) window.push(ping(sent));
        return Queue.offerAll(pongerInbox, window);
      }
      received++;
      if (sent < count) return Queue.offer(pongerInbox, ping(sent++));
      if (received === count) finish(received);
      return Effect.succeed(true);
    }),
    Effect.forever,
  );
}

class EffectThroughputPingPong implements Benchmark<ThroughputPingPongParams> {
  #params: ThroughputPingPongParams | undefined;
  #pingerInboxes: Queue.Queue<PingerMsg>[] = [];
  #fibers: Fiber.Fiber<never>[] = [];
  #received: number[] = [];

  setup(params: ThroughputPingPongParams): void {
    this.#params = params;
  }

  prepareIteration(): void {
    const { msgsPerPair, pipeline, pairs, staticOnly } = this.#params!;
    for (let i = 0; i < pairs; i++) {
      const pongerInbox = Effect.runSync(Queue.unbounded<Ping>());
      const pingerInbox = Effect.runSync(Queue.unbounded<PingerMsg>());
      this.#pingerInboxes.push(pingerInbox);
      this.#fibers.push(
        Effect.runFork(ponger(pongerInbox, staticOnly)),
        Effect.runFork(pinger(pingerInbox, pongerInbox, msgsPerPair, pipeline, staticOnly)),
      );
    }
    this.#received = [];
  }

  runIteration(): Promise<void> {
    const latch = new CountdownLatch(this.#pingerInboxes.length);
    const run: Run = {
      kind: 'run',
      finish: (pongs) => {
        this.#received.push(pongs);
        latch.countDown();
      },
    };
    for (const inbox of this.#pingerInboxes) Effect.runSync(Queue.offer(inbox, run));
    return latch.promise;
  }

  async cleanupIteration(): Promise<void> {
    await Effect.runPromise(Fiber.interruptAll(this.#fibers));
    const pairs = this.#pingerInboxes.length;
    this.#fibers = [];
    this.#pingerInboxes = [];
    const expected = this.#params!.msgsPerPair;
    const wrong = this.#received.find((count) => count !== expected);
    if (this.#received.length !== pairs || wrong !== undefined) {
      throw new Error(
        `effect ThroughputPingPong: pingers received [${this.#received.join(', ')}] pongs, expected ${pairs} × ${expected}`,
      );
    }
  }

  teardown(): void {}
}

/** B2 ThroughputPingPong on effect fibers over queues. */
export function create(): Benchmark<ThroughputPingPongParams> {
  return new EffectThroughputPingPong();
}
