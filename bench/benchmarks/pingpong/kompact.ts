import {
  type ActorRef,
  type Component,
  ComponentDefinition,
  type KompactSystem,
} from '../../../src/index.js';
import type { Benchmark } from '../../infra/harness.js';
import { CountdownLatch } from '../../infra/latch.js';
import { type InspectorPage, openInspectorPage } from '../shared/inspector-page.js';
import { buildBenchSystem } from '../shared/kompact-system.js';
import type { PingPongParams } from './params.js';

// B1 in Kompact's actor flavour (MPP `KOMPACTAC`): the pinger sends one static ping carrying its own
// ActorRef, the ponger replies to that ref with a static pong, n times; one message in flight. Both
// sides count (the pinger's countdown, the ponger's pings), so a broken pinger cannot report a fast run.

type Pong = { readonly kind: 'pong' };
type Ping = { readonly sender: ActorRef<Pong> };

const PONG: Pong = Object.freeze({ kind: 'pong' });

class Run {
  readonly kind = 'run';
  constructor(readonly latch: CountdownLatch) {}
}

class Ponger extends ComponentDefinition<Ping> {
  pings = 0;

  override receiveLocal(msg: Ping): void {
    this.pings++;
    msg.sender.tell(PONG);
  }
}

class Pinger extends ComponentDefinition<Pong | Run> {
  readonly #ponger: ActorRef<Ping>;
  readonly #roundTrips: number;
  #ping: Ping | undefined;
  #remaining = 0;
  #latch: CountdownLatch | undefined;

  constructor(ponger: ActorRef<Ping>, roundTrips: number) {
    super();
    this.#ponger = ponger;
    this.#roundTrips = roundTrips;
  }

  get remaining(): number {
    return this.#remaining;
  }

  override receiveLocal(msg: Pong | Run): void {
    if (msg.kind === 'pong') {
      if (--this.#remaining > 0) this.#ponger.tell(this.#ping!);
      else this.#latch!.countDown();
    } else {
      this.#latch = msg.latch;
      this.#remaining = this.#roundTrips;
      this.#ping ??= { sender: this.ctx.actorRef() };
      this.#ponger.tell(this.#ping);
    }
  }
}

/** Options of {@link KompactPingPong}. */
export interface KompactPingPongOptions {
  /**
   * Install a recovery function on the pinger and the ponger (a `replaceWith` from the current state
   * that never runs, as no handler faults): B6's price of supervision on the message path.
   */
  readonly withRecoveryFunction?: boolean;
  /**
   * Start an inspector (`kompact-ts/inspector`) on the system and keep one page's event stream open,
   * read and discarded in this process: the inspector's price on the message path (turn counting) and
   * of its sampling (a snapshot every 500 ms).
   */
  readonly withInspectorPage?: boolean;
}

/** B1 PingPong on kompact-ts with `ActorRef.tell`. */
export class KompactPingPong implements Benchmark<PingPongParams> {
  readonly #withRecoveryFunction: boolean;
  #system: KompactSystem | undefined;
  #roundTrips = 0;
  #ponger: Component<Ponger> | undefined;
  #pinger: Component<Pinger> | undefined;
  #run: Run | undefined;

  readonly #withInspectorPage: boolean;
  #inspector: InspectorPage | undefined;

  constructor(options: KompactPingPongOptions = {}) {
    this.#withRecoveryFunction = options.withRecoveryFunction ?? false;
    this.#withInspectorPage = options.withInspectorPage ?? false;
  }

  async setup(params: PingPongParams): Promise<void> {
    this.#roundTrips = params.n;
    this.#system = await buildBenchSystem();
    if (this.#withInspectorPage) this.#inspector = await openInspectorPage(this.#system);
  }

  async prepareIteration(): Promise<void> {
    const system = this.#system!;
    const roundTrips = this.#roundTrips;
    const ponger = system.create(() => new Ponger());
    const pongerRef = ponger.actorRef();
    const pinger = system.create(() => new Pinger(pongerRef, roundTrips));
    if (this.#withRecoveryFunction) {
      ponger.setRecoveryFunction((fault) => fault.replaceWith(() => new Ponger()));
      pinger.setRecoveryFunction((fault) => {
        const remaining = pinger.onDefinition((definition) => definition.remaining);
        return fault.replaceWith(() => new Pinger(pongerRef, remaining));
      });
    }
    this.#ponger = ponger;
    this.#pinger = pinger;
    this.#run = new Run(new CountdownLatch(1));
    await Promise.all([system.startNotify(ponger), system.startNotify(pinger)]);
  }

  runIteration(): Promise<void> {
    const run = this.#run!;
    this.#pinger!.actorRef().tell(run);
    return run.latch.promise;
  }

  async cleanupIteration(): Promise<void> {
    const system = this.#system!;
    const pinger = this.#pinger!;
    const ponger = this.#ponger!;
    const remaining = pinger.onDefinition((definition) => definition.remaining);
    const pings = ponger.onDefinition((definition) => definition.pings);
    await Promise.all([system.killNotify(pinger), system.killNotify(ponger)]);
    this.#pinger = undefined;
    this.#ponger = undefined;
    if (remaining !== 0) throw new Error(`PingPong finished with ${remaining} round trips left`);
    if (pings !== this.#roundTrips) {
      throw new Error(`PingPong's ponger got ${pings} pings, expected ${this.#roundTrips}`);
    }
  }

  async teardown(): Promise<void> {
    await this.#inspector?.close();
    await this.#system?.shutdown();
  }
}
