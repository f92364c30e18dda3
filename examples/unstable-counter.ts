// The unstable counter of Kompact's chapter "Fault Recovery" (unstable_counter.rs): a u8 count that
// overflows and crashes its component; the recovery function, re-set every second, snapshots the
// count so that the replacement starts from the last snapshot instead of from zero.
import type { Logger } from 'pino';
import {
  type Clock,
  ComponentDefinition,
  defaultLogger,
  KompactConfig,
  type ScheduledTimer,
} from '../src/index.js';
import { pauseOn } from '../src/testing/index.js';
import { runIfMain } from './support/run-if-main.js';

const COUNT_TIMEOUT_MS = 10;
const STATE_TIMEOUT_MS = 1000;
/** The largest value of Rust's u8. */
const U8_MAX = 255;

// #region state
export class UnstableCounter extends ComponentDefinition {
  private countTimeout: ScheduledTimer | undefined;
  private stateTimeout: ScheduledTimer | undefined;

  // #region with-state
  /** A counter that starts from `count` (0 by default). */
  constructor(private count = 0) {
    super();
  }
  // #endregion with-state
  // #endregion state

  // #region lifecycle
  override onStart(): void {
    this.countTimeout = this.schedulePeriodic(COUNT_TIMEOUT_MS, COUNT_TIMEOUT_MS, () =>
      this.handleCountTimeout(),
    );
    this.stateTimeout = this.schedulePeriodic(STATE_TIMEOUT_MS, STATE_TIMEOUT_MS, () =>
      this.handleStateTimeout(),
    );
    this.saveRecoveryState();
  }

  override onStop(): void {
    if (this.countTimeout !== undefined) this.cancelTimer(this.countTimeout);
    if (this.stateTimeout !== undefined) this.cancelTimer(this.stateTimeout);
    this.countTimeout = undefined;
    this.stateTimeout = undefined;
  }

  override onKill(): void {
    this.onStop();
  }
  // #endregion lifecycle

  // #region timeouts
  private handleCountTimeout(): void {
    // At debug (KOMPACT_LOG_LEVEL=debug shows it): one line every 10 ms would bury the recoveries.
    this.ctx.log.debug(`Incrementing count of ${this.count}`);
    if (this.count === U8_MAX) throw new Error('Count overflowed!');
    this.count += 1;
  }

  private handleStateTimeout(): void {
    this.ctx.log.info(`Saving recovery state with count of ${this.count}`);
    this.saveRecoveryState();
  }

  /** Re-sets the recovery function: it closes over the current count and timers (the snapshot). */
  private saveRecoveryState(): void {
    const count = this.count;
    const countTimeout = this.countTimeout;
    const stateTimeout = this.stateTimeout;
    this.ctx.setRecoveryFunction((fault) =>
      fault.recoverWith((_fault, system, logger) => {
        logger.warn(
          { count, atMs: system.now() },
          `Recovering UnstableCounter based on last state count=${count}`,
        );
        // Clean up the now invalid timers (kompact-ts already released them at the fault).
        if (countTimeout !== undefined) system.cancelTimer(countTimeout);
        if (stateTimeout !== undefined) system.cancelTimer(stateTimeout);
        const counter = system.create(() => new UnstableCounter(count));
        system.start(counter);
      }),
    );
  }
  // #endregion timeouts
}

// #region main
export async function main(
  logger: Logger = defaultLogger(),
  clock?: Clock,
  runMs = 5000,
): Promise<{ crashes: number; recoveries: number }> {
  const config = KompactConfig.default().logger(logger);
  if (clock !== undefined) config.clock(clock);
  const system = await config.build();
  const component = system.create(() => new UnstableCounter());
  system.start(component);
  await pauseOn(clock)(runMs);
  logger.info('Shutting down system');
  await system.shutdown();
  const { faults: crashes, recoveries } = system.supervision.stats;
  logger.info(`${crashes} crashes in ${runMs} ms, ${recoveries} recoveries from the last snapshot`);
  return { crashes, recoveries };
}
// #endregion main

runIfMain(import.meta.url, main);
