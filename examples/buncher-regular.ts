// The regular Buncher: emits a batch when it is full, and whatever it has every `timeoutMs`
// (a periodic timer). Kompact's book, chapter "Timers" (buncher_regular.rs).
import type { Logger } from 'pino';
import {
  biconnectComponents,
  type Clock,
  ComponentDefinition,
  defaultLogger,
  KompactConfig,
  type ScheduledTimer,
} from '../src/index.js';
import { pauseOn } from '../src/testing/index.js';
import { Batch, Batching, BatchPrinter, Ping } from './batching.js';
import { runIfMain } from './support/run-if-main.js';

// #region state
export class Buncher extends ComponentDefinition {
  private currentBatch: Ping[] = [];
  private outstandingTimeout: ScheduledTimer | undefined;

  constructor(
    private readonly batchSize: number,
    private readonly timeoutMs: number,
  ) {
    super();
  }
  // #endregion state

  // #region private-functions
  private triggerBatch(): void {
    const batch = this.currentBatch;
    this.currentBatch = [];
    this.batchPort.trigger(new Batch(batch));
  }

  private handleTimeout(timer: ScheduledTimer): void {
    if (this.outstandingTimeout === timer) {
      this.triggerBatch();
    } else if (this.outstandingTimeout === undefined) {
      this.ctx.log.warn('Got unexpected timeout'); // can happen during restart or teardown
    } // else: an outdated timeout, ignored
  }
  // #endregion private-functions

  // #region lifecycle
  override onStart(): void {
    this.outstandingTimeout = this.schedulePeriodic(this.timeoutMs, this.timeoutMs, (timer) =>
      this.handleTimeout(timer),
    );
  }

  override onStop(): void {
    if (this.outstandingTimeout !== undefined) {
      this.cancelTimer(this.outstandingTimeout);
      this.outstandingTimeout = undefined;
    }
  }

  override onKill(): void {
    this.onStop();
  }
  // #endregion lifecycle

  // #region batching-port
  readonly batchPort = this.providePort(Batching, (ping) => {
    this.currentBatch.push(ping);
    if (this.currentBatch.length >= this.batchSize) this.triggerBatch();
  });
  // #endregion batching-port
}

// #region main
/** Runs the example; returns the sizes of the batches the printer received. */
export async function main(logger: Logger = defaultLogger(), clock?: Clock): Promise<number[]> {
  const config = KompactConfig.default().logger(logger);
  if (clock !== undefined) config.clock(clock);
  const system = await config.build();
  const pause = pauseOn(clock);
  const printer = system.create(() => new BatchPrinter());
  const buncher = system.create(() => new Buncher(100, 150));
  biconnectComponents(Batching, buncher, printer);
  const batching = buncher.onDefinition((definition) => definition.batchPort);
  system.start(printer);
  system.start(buncher);
  // These should usually trigger batches by size...
  for (let i = 0; i < 500; i++) {
    system.triggerR(new Ping(i), batching);
    await pause(1);
  }
  // ...and these by the timer.
  for (let i = 0; i < 500; i++) {
    system.triggerR(new Ping(i), batching);
    await pause(2);
  }
  const sizes = printer.onDefinition((definition) => [...definition.sizes]);
  await system.shutdown();
  const full = sizes.filter((size) => size === 100).length;
  logger.info(
    `${sizes.reduce((sum, size) => sum + size, 0)} of 1000 pings in ${sizes.length} batches: ` +
      `${full} full, ${sizes.length - full} emitted by the timer`,
  );
  return sizes;
}
// #endregion main

runIfMain(import.meta.url, main);
