import type { Logger } from 'pino';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { Scheduler } from '../runtime/scheduler.js';
import type { ComponentSupervisor } from '../supervision/component-supervisor.js';
import type { Config } from '../system/config.js';
import type { DeadLetterReason } from '../system/dead-letters.js';
import type { SystemHandle } from '../system/system-handle.js';
import type { Clock } from '../timer/clock.js';
import type { TimerFacility } from '../timer/timer-facility.js';
import type { ComponentCore } from './component-core.js';

/** What a component core needs from its system. Implemented by the system; internal. */
export interface ComponentHost {
  readonly scheduler: Scheduler;
  readonly supervisor: ComponentSupervisor;
  readonly clock: Clock;
  readonly timers: TimerFacility;
  readonly config: Config;
  readonly logger: Logger;
  readonly handle: SystemHandle;
  /** The system's lookup table and router for actor paths. */
  readonly dispatcher: Dispatcher;
  /** Handler calls in one component turn. Kompact: `throughput`. */
  readonly throughput: number;
  /** Messages before port events in one turn: floor(throughput × message-priority). */
  readonly maxMessages: number;
  /** Clock milliseconds a kill (or shutdown) waits for a blocked component before abandoning what it blocks on. */
  readonly shutdownGraceMs: number;
  /** Records a message that reached a component that can no longer handle it. */
  deadLetter(recipient: ComponentCore, message: unknown, reason: DeadLetterReason): void;
  /** Forgets a component that was destroyed or whose fault was handled. */
  componentEnded(core: ComponentCore): void;
}
