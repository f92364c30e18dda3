// The adaptive Buncher: a once-timer that is rescheduled whenever a full batch goes out, so batches
// are emitted by size under load and by timeout when traffic is slow. Kompact's book, chapter
// "Timers" (buncher_adaptive.rs).
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

export class Buncher extends ComponentDefinition {
  private currentBatch: Ping[] = [];
  private outstandingTimeout: ScheduledTimer | undefined;

  constructor(
    private readonly batchSize: number,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  private triggerBatch(): void {
    const batch = this.currentBatch;
    this.currentBatch = [];
    this.batchPort.trigger(new Batch(batch));
  }

  // #region handle-timeout
  private handleTimeout(timer: ScheduledTimer): void {
    if (this.outstandingTimeout === timer) {
      this.triggerBatch();
      this.outstandingTimeout = this.scheduleOnce(this.timeoutMs, (next) => this.handleTimeout(next));
    } else if (this.outstandingTimeout === undefined) {
      this.ctx.log.warn('Got unexpected timeout'); // can happen during restart or teardown
    } // else: an outdated timeout, ignored
  }
  // #endregion handle-timeout

  // #region lifecycle
  override onStart(): void {
    this.outstandingTimeout = this.scheduleOnce(this.timeoutMs, (timer) => this.handleTimeout(timer));
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
    if (this.currentBatch.length >= this.batchSize) {
      this.triggerBatch();
      if (this.outstandingTimeout !== undefined) this.cancelTimer(this.outstandingTimeout);
      this.outstandingTimeout = this.scheduleOnce(this.timeoutMs, (timer) => this.handleTimeout(timer));
    }
  });
  // #endregion batching-port
}

/** Runs the example; returns the batch sizes seen at 1 ping/ms and then at 1 ping/2 ms. */
export async function main(
  logger: Logger = defaultLogger(),
  clock?: Clock,
): Promise<{ fast: number[]; slow: number[] }> {
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
  const seen = (): number => printer.onDefinition((definition) => definition.sizes.length);
  for (let i = 0; i < 500; i++) {
    system.triggerR(new Ping(i), batching);
    await pause(1);
  }
  const fastCount = seen();
  for (let i = 0; i < 500; i++) {
    system.triggerR(new Ping(i), batching);
    await pause(2);
  }
  const sizes = printer.onDefinition((definition) => [...definition.sizes]);
  await system.shutdown();
  const fast = sizes.slice(0, fastCount);
  const slow = sizes.slice(fastCount);
  logger.info(
    `${fast.length} batches at 1 ping/ms, all by size; ${slow.length} at 1 ping/2 ms, by the timer`,
  );
  return { fast, slow };
}

runIfMain(import.meta.url, main);
