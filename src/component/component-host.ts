import type { Logger } from 'pino';
import type { UniquePath } from '../paths/actor-path.js';
import type { PathSender } from '../paths/message-source.js';
import type { OffLoop } from '../runtime/off-loop-pool.js';
import type { Scheduler } from '../runtime/scheduler.js';
import type { Snapshots } from '../snapshots/snapshots.js';
import type { FaultContext, RecoveryFunction } from '../supervision/fault.js';
import type { FaultedComponent } from '../supervision/faulted-component.js';
import type { Config } from '../system/config.js';
import type { DeadLetterReason } from '../system/dead-letters.js';
import type { SystemHandle } from '../system/system-handle.js';
import type { Clock } from '../timer/clock.js';
import type { TimerService } from '../timer/timer-facility.js';
import type { ComponentCore } from './component-core.js';

/**
 * What a component needs of its system's dispatcher: to register its unique path, to hand its paths
 * to a replacement, and to tell paths. Implemented by the dispatcher.
 */
export interface HostDispatcher extends PathSender {
  /** The sender path of messages from nobody (the system, or an ended component). */
  readonly systemSenderPath: UniquePath;
  /** Registers `core` under its unique path (once) and returns the path. */
  register(core: ComponentCore): UniquePath;
  /** Moves every path of `from` (faulted) to `to` (its replacement). */
  transfer(from: ComponentCore, to: ComponentCore): void;
}

/**
 * What a component needs of its supervisor: someone to hand a fault to, in one call, with the
 * recovery function that was set. The supervisor then drives recovery through the narrow
 * {@link FaultedComponent}. Implemented by the supervisor.
 */
export interface FaultHandler {
  /** `component` faulted (`context` says how): run `recoveryFunction` and queue its recovery. */
  faulted(component: FaultedComponent, context: FaultContext, recoveryFunction: RecoveryFunction): void;
}

/**
 * What a component core needs from its system: narrow interfaces, not the concrete supervisor,
 * timer facility and dispatcher. Implemented by the system; internal.
 */
export interface ComponentHost {
  readonly scheduler: Scheduler;
  readonly supervisor: FaultHandler;
  readonly clock: Clock;
  readonly timers: TimerService;
  readonly config: Config;
  readonly logger: Logger;
  readonly handle: SystemHandle;
  /** The system's lookup table and router for actor paths. */
  readonly dispatcher: HostDispatcher;
  /** The system's snapshots (`ctx.snapshots`). */
  readonly snapshots: Snapshots;
  /** Handler calls in one component turn. Kompact: `throughput`. */
  readonly throughput: number;
  /** Messages before port events in one turn: floor(throughput × message-priority). */
  readonly maxMessages: number;
  /** Clock milliseconds a kill (or shutdown) waits for a blocked component before abandoning what it blocks on. */
  readonly shutdownGraceMs: number;
  /** The worker pool that runs `spawnOff` tasks (started by the first task). */
  readonly offLoop: OffLoop;
  /** Records a message that reached a component that can no longer handle it. */
  deadLetter(recipient: ComponentCore, message: unknown, reason: DeadLetterReason): void;
  /** Forgets a component that was destroyed or whose fault was handled. */
  componentEnded(core: ComponentCore, state: 'faulty' | 'destroyed'): void;
}
