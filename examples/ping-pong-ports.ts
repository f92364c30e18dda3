// Ping-pong over a port: the Kompics half of Kompact. The Pinger requires PingPongPort and triggers
// pings; the Ponger provides it and answers each ping with a pong indication.
import type { Logger } from 'pino';
import {
  biconnectComponents,
  ComponentDefinition,
  defaultLogger,
  KompactConfig,
  port,
} from '../src/index.js';
import { runIfMain } from './support/run-if-main.js';

// #region port
/** A request carrying its sequence number. */
export interface Ping {
  readonly seq: number;
}
/** The answer to the ping with the same number. */
export interface Pong {
  readonly seq: number;
}
export const PingPongPort = port<Ping, Pong>('PingPongPort');
// #endregion port

// #region components
export class Ponger extends ComponentDefinition {
  // A handler can be a method, like Kompact's `impl Provide<PingPongPort>`.
  readonly pingPort = this.providePort(PingPongPort, this.onPing);

  onPing(ping: Ping): void {
    this.pingPort.trigger({ seq: ping.seq });
  }
}

export class Pinger extends ComponentDefinition {
  pongs = 0;

  constructor(
    private readonly rounds: number,
    private readonly done: (pongs: number) => void,
  ) {
    super();
  }

  // Or an arrow function, which reads the component's fields like a method.
  readonly pongPort = this.requirePort(PingPongPort, (pong) => {
    this.pongs += 1;
    if (pong.seq + 1 < this.rounds) {
      this.pongPort.trigger({ seq: pong.seq + 1 });
    } else {
      this.ctx.log.info(`Got all ${this.pongs} pongs`);
      this.done(this.pongs);
    }
  });

  override onStart(): void {
    this.pongPort.trigger({ seq: 0 });
  }
}
// #endregion components

// #region main
export async function main(logger: Logger = defaultLogger(), rounds = 10_000): Promise<number> {
  const system = await KompactConfig.default().logger(logger).build();
  let finished!: (pongs: number) => void;
  const allPongs = new Promise<number>((resolve) => {
    finished = resolve;
  });
  const ponger = system.create(() => new Ponger());
  const pinger = system.create(() => new Pinger(rounds, finished));
  biconnectComponents(PingPongPort, ponger, pinger);
  await system.startNotify(ponger);
  system.start(pinger);
  const pongs = await allPongs;
  await system.shutdown();
  return pongs;
}
// #endregion main

runIfMain(import.meta.url, main);
