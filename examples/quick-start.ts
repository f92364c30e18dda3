// The README's taste of kompact-ts: a counter that overflows, snapshots itself by re-setting its
// recovery function, and is replaced in place — the same ActorRef reaches the replacement.
// #region quick-start
import type { Logger } from 'pino';
import {
  type Ask,
  ComponentDefinition,
  defaultLogger,
  KompactConfig,
  type KompactError,
} from '../src/index.js';
import { runIfMain } from './support/run-if-main.js';

/** Adds what it is asked with and answers the new count; a u8, so it overflows past 255. */
class Counter extends ComponentDefinition<Ask<number, number>> {
  constructor(private count = 0) {
    super();
  }

  override receiveLocal(ask: Ask<number, number>): void {
    this.count += ask.request;
    if (this.count > 255) throw new Error('Count overflowed!');
    const snapshot = this.count; // a replacement will start from here
    this.ctx.setRecoveryFunction((fault) => fault.replaceWith(() => new Counter(snapshot)));
    ask.reply(this.count);
  }
}

export async function main(logger: Logger = defaultLogger()): Promise<(number | string)[]> {
  const system = await KompactConfig.default().logger(logger).build();
  const counter = system.create(() => new Counter());
  await system.startNotify(counter);
  const ref = counter.actorRef();
  const answers = [
    await ref.ask(200), // 200
    await ref.ask(100).catch((error: KompactError) => error.code), // faults: 'PROMISE_DROPPED'
    await ref.ask(5), // 205: the replacement answers through the same ref, from the snapshot
  ];
  logger.info(`answers: ${answers.join(', ')}`);
  await system.shutdown();
  return answers;
}
// #endregion quick-start

runIfMain(import.meta.url, main);
