import type { Logger } from 'pino';
import type { Component } from '../component/component.js';
import type { ComponentDefinition } from '../component/component-definition.js';
import type { ComponentId } from '../paths/component-id.js';
import type { SystemPath } from '../paths/system-path.js';
import type { Fault, FaultContext } from './fault.js';

/** What a recovery handler did: the plan it was made with. */
export type RecoveryKind = 'ignore' | 'recover-with' | 'restart-default' | 'replace-with';

/**
 * Something the supervisor saw or did. Subscribe with `system.supervision.on(kind, listener)`.
 *
 * - `fault`: a component faulted.
 * - `recovered`: its recovery handler ran to the end (`replacementId` when `replaceWith` started one).
 * - `recovery-failed`: the recovery function or the recovery handler threw (or the function returned
 *   something that is not a recovery handler); the component stays faulty, nothing else is affected.
 * - `recovery-slow`: a recovery handler ran longer than `recoveryBudgetMs`, or returned a promise.
 * - `gave-up`: `replaceWith`'s restart limit was reached; the component stays down.
 * - `worker-fault`: a worker system's thread ended without being asked to ({@link WorkerFaultCause});
 *   `willRestart` says whether its `restart` options start a new thread.
 * - `worker-restarted`: a new thread ran the worker's module again and its setup finished: its named
 *   services answer at the same paths.
 * - `worker-gave-up`: the worker's restart limit was reached (or its module failed on a restart); it
 *   stays down and messages to it are dead letters (`worker-down`).
 */
export type SupervisionEvent =
  | {
      readonly kind: 'fault';
      readonly componentId: ComponentId;
      readonly componentType: string;
      readonly fault: Fault;
      readonly description: string;
    }
  | {
      readonly kind: 'recovered';
      readonly componentId: ComponentId;
      readonly componentType: string;
      readonly recovery: RecoveryKind;
      readonly replacementId: ComponentId | undefined;
      /** The component that took over (from `restartDefault` or `replaceWith`), to stop or kill it later. */
      readonly replacement: Component<ComponentDefinition<unknown>> | undefined;
    }
  | {
      readonly kind: 'recovery-failed';
      readonly componentId: ComponentId;
      readonly componentType: string;
      readonly stage: 'recovery-function' | 'recovery-handler';
      readonly error: unknown;
    }
  | {
      readonly kind: 'recovery-slow';
      readonly componentId: ComponentId;
      readonly componentType: string;
      readonly durationMs: number;
      readonly budgetMs: number;
      readonly returnedPromise: boolean;
    }
  | {
      readonly kind: 'gave-up';
      readonly componentId: ComponentId;
      readonly componentType: string;
      readonly restarts: number;
      readonly withinMs: number;
    }
  | {
      readonly kind: 'worker-fault';
      /** The worker's name (`spawnWorker`'s `name`, or `worker-<n>`). */
      readonly worker: string;
      readonly systemPath: SystemPath;
      /** The id of the thread that ended. */
      readonly threadId: number;
      readonly cause: WorkerFaultCause;
      readonly description: string;
      readonly willRestart: boolean;
    }
  | {
      readonly kind: 'worker-restarted';
      readonly worker: string;
      readonly systemPath: SystemPath;
      /** The id of the new thread. */
      readonly threadId: number;
      /** Restarts of this worker so far, this one included. */
      readonly restarts: number;
    }
  | {
      readonly kind: 'worker-gave-up';
      readonly worker: string;
      readonly systemPath: SystemPath;
      readonly restarts: number;
      readonly withinMs: number;
      readonly description: string;
    };

/**
 * Why a worker's thread ended: an exception or rejection nothing handled (`uncaught`: Node reports
 * both the same way), `process.exit()` or a plain end of the thread (`exit`, with its code), or the
 * thread's heap limit (`out-of-memory`, from `resourceLimits`).
 */
export type WorkerFaultCause =
  | { readonly kind: 'uncaught'; readonly error: unknown }
  | { readonly kind: 'exit'; readonly exitCode: number }
  | { readonly kind: 'out-of-memory'; readonly error: unknown };

/** The kinds of {@link SupervisionEvent}. */
export type SupervisionEventKind = SupervisionEvent['kind'];

/** Counters of what supervision did since the system was built. */
export interface SupervisionStats {
  /** Components that faulted. */
  readonly faults: number;
  /** Recovery handlers that ran to the end. */
  readonly recoveries: number;
  /** Recovery functions or handlers that threw. */
  readonly recoveryFailures: number;
  /** Recovery handlers over their time budget or returning a promise. */
  readonly slowRecoveries: number;
  /** Components left down because their restart limit was reached. */
  readonly gaveUp: number;
  /** Messages that could not be delivered (the same count as `system.deadLetters.count`). */
  readonly deadLetters: number;
}

type EventOf<K extends SupervisionEventKind> = Extract<SupervisionEvent, { kind: K }>;

/** @internal The `fault` event of `context`. */
export function faultEvent(context: FaultContext): EventOf<'fault'> {
  return {
    kind: 'fault',
    componentId: context.componentId,
    componentType: context.componentType,
    fault: context.fault,
    description: context.description,
  };
}

/** @internal The `recovered` event of `context`, recovered by `recovery` (and `replacement`). */
export function recoveredEvent(
  context: FaultContext,
  recovery: RecoveryKind,
  replacement: Component<ComponentDefinition<unknown>> | undefined,
): EventOf<'recovered'> {
  return {
    kind: 'recovered',
    componentId: context.componentId,
    componentType: context.componentType,
    recovery,
    replacementId: replacement?.id,
    replacement,
  };
}

type Listener<K extends SupervisionEventKind> = (event: Extract<SupervisionEvent, { kind: K }>) => void;

/**
 * The system's supervision events and counters, as `system.supervision`.
 *
 * @example
 * ```ts
 * system.supervision.on('fault', (event) => console.log(event.componentId, event.description));
 * ```
 */
export class Supervision {
  // TS `private` fields, not `#private`, as in ComponentCore: `record` is on every fault's path.
  private readonly listeners = new Map<SupervisionEventKind, Set<(event: SupervisionEvent) => void>>();
  private readonly logger: Logger;
  private readonly deadLetterCount: () => number;
  private faults = 0;
  private recoveries = 0;
  private recoveryFailures = 0;
  private slowRecoveries = 0;
  private gaveUp = 0;

  /** @internal Made by the system. */
  constructor(logger: Logger, deadLetterCount: () => number) {
    this.logger = logger;
    this.deadLetterCount = deadLetterCount;
  }

  /** Calls `listener` for every future event of `kind`; returns the function that unsubscribes it. */
  on<K extends SupervisionEventKind>(kind: K, listener: Listener<K>): () => void {
    if (typeof listener !== 'function') {
      throw new TypeError(`Expected \`listener\` to be a function, got ${typeof listener}`);
    }
    let set = this.listeners.get(kind);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(kind, set);
    }
    const stored = listener as (event: SupervisionEvent) => void;
    set.add(stored);
    return () => {
      set.delete(stored);
    };
  }

  /** The counters so far. */
  get stats(): SupervisionStats {
    return {
      faults: this.faults,
      recoveries: this.recoveries,
      recoveryFailures: this.recoveryFailures,
      slowRecoveries: this.slowRecoveries,
      gaveUp: this.gaveUp,
      deadLetters: this.deadLetterCount(),
    };
  }

  /**
   * @internal Counts an event of `kind`; returns whether someone listens to it, and only then should
   * the caller build the event (which reads component ids, made on first read) and `publish` it.
   */
  record(kind: SupervisionEventKind): boolean {
    switch (kind) {
      case 'fault':
        this.faults++;
        break;
      case 'recovered':
        this.recoveries++;
        break;
      case 'recovery-failed':
        this.recoveryFailures++;
        break;
      case 'recovery-slow':
        this.slowRecoveries++;
        break;
      case 'gave-up':
        this.gaveUp++;
        break;
    }
    const listeners = this.listeners.get(kind);
    return listeners !== undefined && listeners.size > 0;
  }

  /** @internal Hands `event`, already {@link Supervision.record}ed, to the listeners of its kind. */
  publish(event: SupervisionEvent): void {
    const listeners = this.listeners.get(event.kind);
    if (listeners === undefined) return;
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error({ err: error }, `A supervision listener for '${event.kind}' threw; ignored`);
      }
    }
  }
}
