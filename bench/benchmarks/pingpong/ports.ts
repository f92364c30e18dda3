import {
  biconnectComponents,
  type Component,
  ComponentDefinition,
  type KompactSystem,
  port,
} from '../../../src/index.js';
import type { Benchmark } from '../../infra/harness.js';
import { CountdownLatch } from '../../infra/latch.js';
import { buildBenchSystem } from '../shared/kompact-system.js';
import type { PingPongParams } from './params.js';

// B1 in Kompact's component flavour (MPP `KOMPACTCO`): PingPongPort with request Ping and indication
// Pong; the pinger requires it, the ponger provides it, the two are biconnected. The pinger triggers
// the first static ping in `onStart` (started inside the timed region, as in MPP) and one more per pong,
// n times; one message in flight; the ponger counts its pings too, so a broken pinger cannot report a
// fast run. The handlers are methods, like Kompact's `Provide`/`Require` impls:
// the runtime then calls them by name and V8 can inline them into the turn (see docs/ports-and-channels.md).

type Ping = { readonly kind: 'ping' };
type Pong = { readonly kind: 'pong' };

const PING: Ping = Object.freeze({ kind: 'ping' });
const PONG: Pong = Object.freeze({ kind: 'pong' });

/** B1's port: requests are pings, indications pongs. Kompact: `PingPongPort`. */
export const PingPongPort = port<Ping, Pong>('PingPongPort');

class Ponger extends ComponentDefinition {
  pings = 0;
  readonly pingPort = this.providePort(PingPongPort, this.onPing);

  onPing(): void {
    this.pings++;
    this.pingPort.trigger(PONG);
  }
}

class Pinger extends ComponentDefinition {
  readonly #latch: CountdownLatch;
  #remaining: number;

  constructor(roundTrips: number, latch: CountdownLatch) {
    super();
    this.#remaining = roundTrips;
    this.#latch = latch;
  }

  get remaining(): number {
    return this.#remaining;
  }

  readonly pongPort = this.requirePort(PingPongPort, this.onPong);

  onPong(): void {
    if (--this.#remaining > 0) this.pongPort.trigger(PING);
    else this.#latch.countDown();
  }

  override onStart(): void {
    this.pongPort.trigger(PING);
  }
}

/** B1 PingPong on kompact-ts over a biconnected port. */
export class KompactPortsPingPong implements Benchmark<PingPongParams> {
  #system: KompactSystem | undefined;
  #roundTrips = 0;
  #ponger: Component<Ponger> | undefined;
  #pinger: Component<Pinger> | undefined;
  #latch: CountdownLatch | undefined;

  async setup(params: PingPongParams): Promise<void> {
    this.#roundTrips = params.n;
    this.#system = await buildBenchSystem();
  }

  async prepareIteration(): Promise<void> {
    const system = this.#system!;
    const roundTrips = this.#roundTrips;
    const latch = new CountdownLatch(1);
    const ponger = system.create(() => new Ponger());
    const pinger = system.create(() => new Pinger(roundTrips, latch));
    biconnectComponents(PingPongPort, ponger, pinger);
    this.#ponger = ponger;
    this.#pinger = pinger;
    this.#latch = latch;
    await system.startNotify(ponger);
  }

  runIteration(): Promise<void> {
    this.#system!.start(this.#pinger!);
    return this.#latch!.promise;
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
    if (remaining !== 0) throw new Error(`PingPong (ports) finished with ${remaining} round trips left`);
    if (pings !== this.#roundTrips) {
      throw new Error(`PingPong (ports)'s ponger got ${pings} pings, expected ${this.#roundTrips}`);
    }
  }

  async teardown(): Promise<void> {
    await this.#system?.shutdown();
  }
}
