// A counter with internal state, asked for its count: Kompact's book chapter "Internal State"
// (counters.rs), actor half. The count of messages and of lifecycle events lives in the component.
import type { Logger } from 'pino';
import { type Ask, ComponentDefinition, KompactConfig } from '../src/index.js';
import { exampleLogger } from './support/example-logger.js';
import { runIfMain } from './support/run-if-main.js';

// #region state
/** What the counter answers with. */
export interface CurrentCount {
  readonly messages: number;
  readonly events: number;
}

/** The request: "count me". */
export type CountMe = 'count-me';

export class Counter extends ComponentDefinition<Ask<CountMe, CurrentCount>> {
  private messageCount = 0;
  private eventCount = 0;

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
export async function main(logger: Logger = exampleLogger(), asks = 100): Promise<CurrentCount> {
  const system = await KompactConfig.default().logger(logger).build();
  const counter = system.create(() => new Counter());
  system.start(counter);
  const actorRef = counter.actorRef();
  for (let i = 0; i < asks; i++) {
    const current = await actorRef.ask('count-me');
    if (i % 25 === 0) system.logger.info(`The current count is: ${JSON.stringify(current)}`);
  }
  const final = await actorRef.ask('count-me');
  system.logger.info(`The final count is: ${JSON.stringify(final)}`);
  await system.shutdown();
  return final;
}
// #endregion main

runIfMain(import.meta.url, main);
