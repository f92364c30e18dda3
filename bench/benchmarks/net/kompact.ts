import {
  ActorPath,
  type Component,
  ComponentDefinition,
  type KompactSystem,
  type NetMessage,
  Serialisers,
} from '../../../src/index.js';
import type { Benchmark, Observations } from '../../infra/harness.js';
import { CountdownLatch } from '../../infra/latch.js';
import type { PingPongParams } from '../pingpong/params.js';
import { buildNetworkBenchSystem } from '../shared/kompact-system.js';
import type { NetThroughputPingPongParams } from './params.js';
import { RemoteProcess } from './remote-process.js';
import { rewarmCount, rttObservations } from './round-trip-times.js';

// B5 on kompact-ts (MPP `NETPINGPONG` / `NETTPPINGPONG`, Kompact's actor flavour): the pongers live on a
// second system in a second process (bench/benchmarks/net/remote-side.ts), registered by alias; the pingers, on this
// process's system, send each ping as a number (8-byte f64, the built-in serialiser) to the ponger's
// named path; the ponger reads it and replies with the same number to `msg.sender`, the pinger's unique
// path. Both systems bind 127.0.0.1 on a free port; all pairs share the one connection between them.

/** Time the untimed round trips of setup may take before the point fails. */
const SETUP_TIMEOUT_MS = 10_000;

/** Starts a run of `count` round trips (per pinger); the last pong counts `latch` down. */
export class Run {
  readonly kind = 'run';
  constructor(
    readonly latch: CountdownLatch,
    readonly count: number,
  ) {}
}

/** The remote side's ponger: answers every ping with its index, to the sender's path. */
export class NetPonger extends ComponentDefinition {
  override receiveNetwork(msg: NetMessage): void {
    msg.sender.tell(msg.tryDeserialise(Serialisers.number), this);
  }
}

/** Builds the remote side's system with one started {@link NetPonger} per alias, registered under it. */
export async function startPongers(aliases: readonly string[]): Promise<KompactSystem> {
  const system = await buildNetworkBenchSystem();
  try {
    for (const alias of aliases) {
      const ponger = system.create(() => new NetPonger());
      await system.startNotify(ponger);
      await system.registerByAlias(ponger, alias);
    }
  } catch (error) {
    await system.shutdown();
    throw error;
  }
  return system;
}

/** One ping in flight: the next ping leaves when the pong of the last one arrived; times each round trip. */
class NetPinger extends ComponentDefinition<Run> {
  readonly #ponger: ActorPath;
  /** Each round trip's time, in microseconds, by ping index (of the last run). */
  readonly rttsUs: Float64Array;
  #roundTrips = 0;
  #next = 0;
  #sentAt = 0;
  #misordered = 0;
  #latch: CountdownLatch | undefined;

  constructor(ponger: ActorPath, maxRoundTrips: number) {
    super();
    this.#ponger = ponger;
    this.rttsUs = new Float64Array(maxRoundTrips);
  }

  /** Round trips of the last run still missing. */
  get remaining(): number {
    return this.#roundTrips - this.#next;
  }

  /** Pongs whose index was not that of the ping in flight. */
  get misordered(): number {
    return this.#misordered;
  }

  override receiveLocal(run: Run): void {
    this.#latch = run.latch;
    this.#roundTrips = Math.min(run.count, this.rttsUs.length);
    this.#next = 0;
    this.#misordered = 0;
    this.#send();
  }

  override receiveNetwork(msg: NetMessage): void {
    const receivedAt = performance.now();
    const index = msg.tryDeserialise(Serialisers.number);
    if (index !== this.#next) this.#misordered++;
    this.rttsUs[this.#next] = (receivedAt - this.#sentAt) * 1000;
    if (++this.#next < this.#roundTrips) this.#send();
    else this.#latch!.countDown();
  }

  #send(): void {
    this.#sentAt = performance.now();
    this.#ponger.tell(this.#next, this);
  }
}

/** Up to `pipeline` pings in flight: one new ping per pong until `count` were sent and answered. */
export class NetThroughputPinger extends ComponentDefinition<Run> {
  readonly #ponger: ActorPath;
  readonly #pipeline: number;
  #count = 0;
  #sent = 0;
  #received = 0;
  #invalid = 0;
  #latch: CountdownLatch | undefined;

  constructor(ponger: ActorPath, pipeline: number) {
    super();
    this.#ponger = ponger;
    this.#pipeline = pipeline;
  }

  /** Pongs received in the last run. */
  get received(): number {
    return this.#received;
  }

  /** Pongs of the last run whose index was never sent. */
  get invalid(): number {
    return this.#invalid;
  }

  override receiveLocal(run: Run): void {
    this.#latch = run.latch;
    this.#count = run.count;
    this.#sent = 0;
    this.#received = 0;
    this.#invalid = 0;
    const inFlight = Math.min(this.#pipeline, this.#count);
    while (this.#sent < inFlight) this.#ponger.tell(this.#sent++, this);
  }

  override receiveNetwork(msg: NetMessage): void {
    const index = msg.tryDeserialise(Serialisers.number);
    if (!(index >= 0 && index < this.#sent)) this.#invalid++;
    this.#received++;
    if (this.#sent < this.#count) this.#ponger.tell(this.#sent++, this);
    else if (this.#received === this.#count) this.#latch!.countDown();
  }
}

/**
 * This process's system and the remote one: forks the remote side, builds the local system, and opens
 * the connection with one untimed round trip per ponger.
 */
class NetSides {
  readonly system: KompactSystem;
  readonly remote: RemoteProcess;
  readonly pongers: readonly ActorPath[];

  private constructor(system: KompactSystem, remote: RemoteProcess, pongers: readonly ActorPath[]) {
    this.system = system;
    this.remote = remote;
    this.pongers = pongers;
  }

  static async open(aliases: readonly string[]): Promise<NetSides> {
    const remote = await RemoteProcess.start({ implementation: 'kompact-ts', aliases });
    let system: KompactSystem | undefined;
    try {
      system = await buildNetworkBenchSystem();
      const pongers = aliases.map((alias) => ActorPath.parse(`${remote.address}/${alias}`));
      const sides = new NetSides(system, remote, pongers);
      for (const ponger of pongers) await sides.#roundTrip(ponger);
      return sides;
    } catch (error) {
      await system?.shutdown();
      await remote.stop();
      throw error;
    }
  }

  /**
   * Runs `count` round trips on each pinger (`count` per pinger) and resolves when all are done; rejects
   * if the remote side exits first, or after `timeoutMs` when given (a run that can never finish, e.g.
   * to an alias that is not registered, must not hang the point).
   */
  run(
    pingers: readonly Component<ComponentDefinition<Run>>[],
    count: number,
    timeoutMs?: number,
  ): Promise<void> {
    const latch = new CountdownLatch(pingers.length);
    const run = new Run(latch, count);
    for (const pinger of pingers) pinger.actorRef().tell(run);
    const races: Promise<void>[] = [latch.promise, this.remote.unexpectedExit];
    let timer: NodeJS.Timeout | undefined;
    if (timeoutMs !== undefined) {
      races.push(
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${count} round trips did not complete within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      );
    }
    return Promise.race(races).finally(() => clearTimeout(timer));
  }

  /** One untimed round trip to `ponger`, from a pinger made for it. */
  async #roundTrip(ponger: ActorPath): Promise<void> {
    const pinger = this.system.create(() => new NetPinger(ponger, 1));
    await this.system.startNotify(pinger);
    await this.run([pinger], 1, SETUP_TIMEOUT_MS);
    await this.system.killNotify(pinger);
  }

  /** Shuts this system down (the connection closes gracefully), then the remote side. */
  async close(): Promise<void> {
    try {
      await this.system.shutdown();
    } finally {
      await this.remote.stop();
    }
  }
}

/** B5a NetPingPong on kompact-ts: `n` round trips to the remote `ponger`, one in flight. */
export class KompactNetPingPong implements Benchmark<PingPongParams> {
  #sides: NetSides | undefined;
  #roundTrips = 0;
  #pinger: Component<NetPinger> | undefined;
  #observations: Observations = {};

  async setup(params: PingPongParams): Promise<void> {
    this.#roundTrips = params.n;
    this.#sides = await NetSides.open(['ponger']);
  }

  async prepareIteration(): Promise<void> {
    const sides = this.#sides!;
    const ponger = sides.pongers[0]!;
    const roundTrips = this.#roundTrips;
    const pinger = sides.system.create(() => new NetPinger(ponger, roundTrips));
    this.#pinger = pinger;
    await sides.system.startNotify(pinger);
    await sides.run([pinger], rewarmCount(roundTrips));
  }

  runIteration(): Promise<void> {
    return this.#sides!.run([this.#pinger!], this.#roundTrips);
  }

  async cleanupIteration(): Promise<void> {
    const { system, remote } = this.#sides!;
    const pinger = this.#pinger!;
    this.#pinger = undefined;
    const { remaining, misordered, rttsUs } = pinger.onDefinition((definition) => ({
      remaining: definition.remaining,
      misordered: definition.misordered,
      rttsUs: definition.rttsUs,
    }));
    await system.killNotify(pinger);
    await remote.collectGarbage();
    if (remaining !== 0) throw new Error(`NetPingPong finished with ${remaining} round trips left`);
    if (misordered !== 0) throw new Error(`NetPingPong received ${misordered} pongs out of order`);
    this.#observations = rttObservations(rttsUs);
  }

  iterationObservations(): Observations {
    return this.#observations;
  }

  async teardown(): Promise<void> {
    await this.#sides?.close();
  }
}

/** B5b NetThroughputPingPong on kompact-ts: `pairs` pingers here, each with its ponger over there. */
export class KompactNetThroughputPingPong implements Benchmark<NetThroughputPingPongParams> {
  #sides: NetSides | undefined;
  #params: NetThroughputPingPongParams | undefined;
  #pingers: Component<NetThroughputPinger>[] = [];

  async setup(params: NetThroughputPingPongParams): Promise<void> {
    this.#params = params;
    this.#sides = await NetSides.open(Array.from({ length: params.pairs }, (_, i) => `ponger-${i}`));
  }

  async prepareIteration(): Promise<void> {
    const sides = this.#sides!;
    const { msgsPerPair, pipeline } = this.#params!;
    this.#pingers = sides.pongers.map((ponger) =>
      sides.system.create(() => new NetThroughputPinger(ponger, pipeline)),
    );
    await Promise.all(this.#pingers.map((pinger) => sides.system.startNotify(pinger)));
    await sides.run(this.#pingers, rewarmCount(msgsPerPair));
  }

  runIteration(): Promise<void> {
    return this.#sides!.run(this.#pingers, this.#params!.msgsPerPair);
  }

  async cleanupIteration(): Promise<void> {
    const { system, remote } = this.#sides!;
    const expected = this.#params!.msgsPerPair;
    const counts = this.#pingers.map((pinger) =>
      pinger.onDefinition((definition) => ({ received: definition.received, invalid: definition.invalid })),
    );
    await Promise.all(this.#pingers.map((pinger) => system.killNotify(pinger)));
    this.#pingers = [];
    await remote.collectGarbage();
    const short = counts.find(({ received }) => received !== expected);
    if (short !== undefined) {
      throw new Error(`NetThroughputPingPong pinger received ${short.received} pongs, expected ${expected}`);
    }
    const invalid = counts.reduce((sum, { invalid }) => sum + invalid, 0);
    if (invalid !== 0)
      throw new Error(`NetThroughputPingPong received ${invalid} pongs for pings never sent`);
  }

  async teardown(): Promise<void> {
    await this.#sides?.close();
  }
}
