// A counter with internal state: Kompact's book chapter "Internal State" (counters.rs). It counts the
// actor messages it is asked with and the events it gets (lifecycle events and port requests), and
// answers both ways: an ask reply, and a CurrentCount indication on its port.
import type { Logger } from 'pino';
import {
  type Ask,
  type Clock,
  ComponentDefinition,
  defaultLogger,
  KompactConfig,
  port,
} from '../src/index.js';
import { pauseOn } from '../src/testing/index.js';
import { runIfMain } from './support/run-if-main.js';

// #region state
/** What the counter answers with. */
export interface CurrentCount {
  readonly messages: number;
  readonly events: number;
}

/** The request: "count me". */
export type CountMe = 'count-me';

/** Requests are CountMe, indications the CurrentCount after each. */
export const CounterPort = port<CountMe, CurrentCount>('CounterPort');

export class Counter extends ComponentDefinition<Ask<CountMe, CurrentCount>> {
  private messageCount = 0;
  private eventCount = 0;

  readonly counterPort = this.providePort(CounterPort, () => {
    this.ctx.log.debug('Got a counter event!');
    this.eventCount += 1;
    this.counterPort.trigger(this.currentCount());
  });

  private currentCount(): CurrentCount {
    return { messages: this.messageCount, events: this.eventCount };
  }
  // #endregion state

  // #region behaviour
  override onStart(): void {
    this.ctx.log.info('Got a start event!');
    this.eventCount += 1;
  }

  override onStop(): void {
    this.ctx.log.info('Got a stop event!');
    this.eventCount += 1;
  }

  override onKill(): void {
    this.ctx.log.info('Got a kill event!');
    this.eventCount += 1;
  }

  override receiveLocal(ask: Ask<CountMe, CurrentCount>): void {
    ask.complete(() => {
      this.ctx.log.debug('Got a message!');
      this.messageCount += 1;
      return this.currentCount();
    });
  }
  // #endregion behaviour
}

// #region main
export async function main(
  logger: Logger = defaultLogger(),
  asks = 100,
  clock?: Clock,
): Promise<CurrentCount> {
  const config = KompactConfig.default().logger(logger);
  if (clock !== undefined) config.clock(clock);
  const system = await config.build();
  const counter = system.create(() => new Counter());
  system.start(counter);
  const actorRef = counter.actorRef();
  const portRef = counter.onDefinition((definition) => definition.counterPort);
  for (let i = 0; i < asks; i++) {
    const current = await actorRef.ask('count-me');
    if (i % 25 === 0) system.logger.info(`The current count is: ${JSON.stringify(current)}`);
  }
  for (let i = 0; i < asks; i++) {
    system.triggerR('count-me', portRef);
    // Where do the answers go? Nothing is connected to the port: the indications are dropped.
  }
  // Port events and actor messages are separate queues with no order between them: give the
  // requests time to be handled before asking for the final count.
  await pauseOn(clock)(100);
  const final = await actorRef.ask('count-me');
  system.logger.info(`The final count is: ${JSON.stringify(final)}`);
  await system.shutdown();
  return final;
}
// #endregion main

runIfMain(import.meta.url, main);
