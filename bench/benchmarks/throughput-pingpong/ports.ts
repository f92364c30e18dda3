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
import type { ThroughputPingPongParams } from './params.js';

// B2 in Kompact's component flavour (MPP `KOMPACTCO`): each pair is a pinger requiring and a ponger
// providing a PingPongPort, biconnected. Started inside the timed region, each pinger triggers up to
// `pipeline` pings, then one new ping per pong until it has sent and received `count`. With
// `staticOnly` both sides trigger shared static events; otherwise `Ping{index}` / `Pong{index}` per event.

type Ping = { readonly index: number };
type Pong = { readonly index: number };

const STATIC_PING: Ping = Object.freeze({ index: 0 });
const STATIC_PONG: Pong = Object.freeze({ index: 0 });

const PingPongPort = port<Ping, Pong>('ThroughputPingPongPort');

class Ponger extends ComponentDefinition {
  readonly #isStaticOnly: boolean;

  constructor(isStaticOnly: boolean) {
    super();
    this.#isStaticOnly = isStaticOnly;
  }

  readonly pingPort = this.providePort(PingPongPort, this.onPing);

  onPing(ping: Ping): void {
    this.pingPort.trigger(this.#isStaticOnly ? STATIC_PONG : { index: ping.index });
  }
}

class Pinger extends ComponentDefinition {
  readonly #count: number;
  readonly #pipeline: number;
  readonly #isStaticOnly: boolean;
  readonly #latch: CountdownLatch;
  #sent = 0;
  #received = 0;

  constructor(count: number, pipeline: number, isStaticOnly: boolean, latch: CountdownLatch) {
    super();
    this.#count = count;
    this.#pipeline = pipeline;
    this.#isStaticOnly = isStaticOnly;
    this.#latch = latch;
  }

  get received(): number {
    return this.#received;
  }

  readonly pongPort = this.requirePort(PingPongPort, this.onPong);

  onPong(): void {
    this.#received++;
    if (this.#sent < this.#count) this.#sendPing();
    else if (this.#received === this.#count) this.#latch.countDown();
  }

  override onStart(): void {
    const inFlight = Math.min(this.#pipeline, this.#count);
    while (this.#sent < inFlight) this.#sendPing();
  }

  #sendPing(): void {
    const index = this.#sent++;
    this.pongPort.trigger(this.#isStaticOnly ? STATIC_PING : { index });
  }
}

/** B2 ThroughputPingPong on kompact-ts over biconnected ports. */
export class KompactPortsThroughputPingPong implements Benchmark<ThroughputPingPongParams> {
  #system: KompactSystem | undefined;
  #params: ThroughputPingPongParams | undefined;
  #pingers: Component<Pinger>[] = [];
  #pongers: Component<Ponger>[] = [];
  #latch: CountdownLatch | undefined;

  async setup(params: ThroughputPingPongParams): Promise<void> {
    this.#params = params;
    this.#system = await buildBenchSystem();
  }

  async prepareIteration(): Promise<void> {
    const system = this.#system!;
    const { msgsPerPair, pipeline, pairs, staticOnly } = this.#params!;
    const latch = new CountdownLatch(pairs);
    for (let i = 0; i < pairs; i++) {
      const ponger = system.create(() => new Ponger(staticOnly));
      const pinger = system.create(() => new Pinger(msgsPerPair, pipeline, staticOnly, latch));
      biconnectComponents(PingPongPort, ponger, pinger);
      this.#pongers.push(ponger);
      this.#pingers.push(pinger);
    }
    this.#latch = latch;
    await Promise.all(this.#pongers.map((ponger) => system.startNotify(ponger)));
  }

  runIteration(): Promise<void> {
    const system = this.#system!;
    for (const pinger of this.#pingers) system.start(pinger);
    return this.#latch!.promise;
  }

  async cleanupIteration(): Promise<void> {
    const system = this.#system!;
    const expected = this.#params!.msgsPerPair;
    const received = this.#pingers.map((pinger) => pinger.onDefinition((definition) => definition.received));
    await Promise.all([...this.#pingers, ...this.#pongers].map((component) => system.killNotify(component)));
    this.#pingers = [];
    this.#pongers = [];
    const short = received.find((count) => count !== expected);
    if (short !== undefined) {
      throw new Error(`ThroughputPingPong (ports) pinger received ${short} pongs, expected ${expected}`);
    }
  }

  async teardown(): Promise<void> {
    await this.#system?.shutdown();
  }
}
