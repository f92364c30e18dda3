import type { EventLoopUtilization } from 'node:perf_hooks';
import { type IntervalHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { ComponentCore, LifecycleState } from '../component/component-core.js';
import { describeThrown } from '../internal/describe-thrown.js';
import { describeValue } from '../internal/describe-value.js';
import type { NetworkStatus } from '../net/network-status-port.js';
import type { ComponentId } from '../paths/component-id.js';
import type { SupervisionEvent } from '../supervision/supervision-events.js';
import type { DeadLetter, DeadLetterReason } from '../system/dead-letters.js';
import { type KompactSystem, type RuntimeView, runtimeViewOf } from '../system/kompact-system.js';
import type { WorkerState } from '../workers/worker-system.js';
import { TurnCounter } from './turn-counter.js';

/** One component in the inspector's table. */
export interface ComponentRow {
  readonly id: ComponentId;
  /** The class name of its definition. */
  readonly type: string;
  readonly state: LifecycleState;
  /** Messages and port events queued and not handled yet. */
  readonly queued: number;
  /** Handler calls (messages, port events, timers, lifecycle) since the inspector started. */
  readonly handled: number;
  /** Timers scheduled and not fired or cancelled yet. */
  readonly timers: number;
  /** Restarts of its line (it and the components it replaced) seen since the inspector started. */
  readonly restarts: number;
  /** The last fault of its line, as the supervisor described it. */
  readonly lastFault: string | undefined;
  /** Its unique path and aliases, where it is registered. */
  readonly paths: readonly string[];
}

/** One step of the supervision timeline. */
export interface TimelineEntry {
  /** Increases by one per entry, so a page can tell new entries from those it has. */
  readonly seq: number;
  /** Wall-clock time (ms since the epoch) the inspector saw it. */
  readonly atMs: number;
  /**
   * `fault`, `recovered`, `recovery-failed`, `recovery-slow`, `gave-up`, and for a worker system this
   * system spawned, `worker-fault`, `worker-restarted`, `worker-gave-up`.
   */
  readonly kind: SupervisionEvent['kind'];
  /** The component, or `undefined` for a worker's event. */
  readonly componentId: ComponentId | undefined;
  /** The component's type, or `worker <name> (<system path>)` for a worker's event. */
  readonly componentType: string;
  /** The error, the recovery taken, or the limit reached. */
  readonly detail: string;
  /** The component that took over, for `recovered` with a replacement. */
  readonly replacementId: ComponentId | undefined;
}

/** One worker system this system spawned. */
export interface WorkerRow {
  readonly name: string;
  readonly systemPath: string;
  readonly state: WorkerState;
  readonly threadId: number;
  readonly restarts: number;
}

/** One recent dead letter. */
export interface DeadLetterEntry {
  readonly atMs: number;
  readonly reason: DeadLetterReason;
  /** The recipient component (`id (Type)`) or actor path. */
  readonly to: string;
  readonly detail: string | undefined;
  /** The message, described briefly. */
  readonly message: string;
}

/** A connection edge of the port graph: `provider`'s port sends indications to `requirer`'s. */
export interface PortEdge {
  readonly provider: ComponentId;
  readonly requirer: ComponentId;
  /** The port type's name. */
  readonly port: string;
}

/** One peer system of the network. */
export interface PeerRow {
  readonly system: string;
  /** `connected`, `connecting`, `retrying`, `closing`, `blocked` or `idle`. */
  readonly status: string;
  /** Established connections with it. */
  readonly connections: number;
  /** Data frames and bytes (all frames) each way, over its connections since the system was built. */
  readonly framesSent: number;
  readonly bytesSent: number;
  readonly framesReceived: number;
  readonly bytesReceived: number;
  /** Connection attempts made after a failed one. */
  readonly retries: number;
  /** Frames waiting for a connection. */
  readonly queuedFrames: number;
  /** Messages to it that became `lost` dead letters since the inspector started. */
  readonly lost: number;
  /** Connection events seen for it since the inspector started, by kind. */
  readonly events: Readonly<Record<string, number>>;
}

/** What the inspector page shows, sampled at one moment. */
export interface InspectorSnapshot {
  readonly atMs: number;
  readonly system: {
    readonly label: string;
    readonly path: string;
    readonly state: string;
    readonly uptimeMs: number;
  };
  readonly overview: {
    readonly components: Readonly<Record<LifecycleState, number>>;
    readonly messagesPerSecond: number;
    readonly deadLettersPerSecond: number;
    readonly faultsPerSecond: number;
    readonly totals: {
      readonly handled: number;
      readonly deadLetters: number;
      readonly faults: number;
      readonly recoveries: number;
      readonly recoveryFailures: number;
      readonly gaveUp: number;
    };
    /** Event-loop delay since the last sample (ms) and utilisation (0–1). */
    readonly eventLoop: {
      readonly delayMeanMs: number;
      readonly delayMaxMs: number;
      readonly utilisation: number;
    };
    readonly heap: { readonly usedBytes: number; readonly totalBytes: number };
  };
  readonly components: readonly ComponentRow[];
  /** Components left out of `components` (the table shows at most `maxComponents`). */
  readonly componentsOmitted: number;
  readonly ports: {
    readonly nodes: readonly { readonly id: ComponentId; readonly type: string }[];
    readonly edges: readonly PortEdge[];
  };
  readonly timeline: readonly TimelineEntry[];
  readonly deadLetters: {
    readonly byReason: Readonly<Partial<Record<DeadLetterReason, number>>>;
    readonly latest: readonly DeadLetterEntry[];
  };
  /** The worker systems this system spawned and has not terminated, pools' members included. */
  readonly workers: readonly WorkerRow[];
  readonly network:
    | {
        readonly systemPath: string;
        readonly peers: readonly PeerRow[];
        readonly totals: Readonly<Record<string, number>>;
      }
    | undefined;
}

/** Timeline entries kept (the oldest go first). */
const TIMELINE_LENGTH = 200;
/** Recent dead letters kept. */
const DEAD_LETTERS_KEPT = 20;

/** What the inspector remembers of a line (a component and its replacements). */
interface Line {
  restarts: number;
  lastFault: string | undefined;
}

function detailOf(event: SupervisionEvent): string {
  switch (event.kind) {
    case 'fault':
      return event.description;
    case 'recovered':
      return event.replacementId === undefined
        ? event.recovery
        : `${event.recovery} → ${event.replacementId}`;
    case 'recovery-failed':
      return `${event.stage}: ${describeThrown(event.error)}`;
    case 'recovery-slow':
      return `${Math.round(event.durationMs)} ms (budget ${event.budgetMs} ms)${event.returnedPromise ? ', returned a promise' : ''}`;
    case 'gave-up':
      return `${event.restarts} restarts within ${event.withinMs} ms`;
    case 'worker-fault':
      return `${event.cause.kind}: ${event.description}${event.willRestart ? ' (restarting)' : ''}`;
    case 'worker-restarted':
      return `thread ${event.threadId}, restart ${event.restarts}`;
    case 'worker-gave-up':
      return `${event.restarts} restarts within ${event.withinMs} ms: ${event.description}`;
  }
}

function briefly(message: unknown): string {
  const text = describeValue(message);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/**
 * Samples a system for the inspector: counts handler calls per component through the scheduler's turn
 * observer, listens to supervision events and dead letters, and builds an {@link InspectorSnapshot}
 * on request (the server asks on its timer, only while a page is open).
 */
export class SystemSampler {
  readonly #system: KompactSystem;
  readonly #runtime: RuntimeView;
  readonly #turns = new TurnCounter();
  readonly #lines = new Map<ComponentId, Line>();
  readonly #timeline: TimelineEntry[] = [];
  #seq = 0;
  readonly #deadLetterReasons = new Map<DeadLetterReason, number>();
  readonly #latestDeadLetters: DeadLetterEntry[] = [];
  readonly #peerEvents = new Map<string, Record<string, number>>();
  readonly #lostByPeer = new Map<string, number>();
  readonly #unsubscribe: (() => void)[] = [];
  readonly #delay: IntervalHistogram;
  #elu: EventLoopUtilization;
  #last: { atMs: number; handled: number; deadLetters: number; faults: number };
  readonly #maxComponents: number;

  constructor(system: KompactSystem, maxComponents: number) {
    this.#system = system;
    this.#runtime = runtimeViewOf(system);
    this.#maxComponents = maxComponents;
    this.#runtime.scheduler.turnObserver = this.#turns;
    const supervision = system.supervision;
    for (const kind of [
      'fault',
      'recovered',
      'recovery-failed',
      'recovery-slow',
      'gave-up',
      'worker-fault',
      'worker-restarted',
      'worker-gave-up',
    ] as const) {
      this.#unsubscribe.push(supervision.on(kind, (event: SupervisionEvent) => this.#supervised(event)));
    }
    this.#unsubscribe.push(system.deadLetters.subscribe((letter) => this.#deadLetter(letter)));
    const link = this.#runtime.link;
    if (link !== undefined) {
      const listener = (status: NetworkStatus): void => {
        if ('system' in status) this.#peerEvent(status.system.toString(), status.kind);
      };
      link.statusListeners.add(listener);
      this.#unsubscribe.push(() => link.statusListeners.delete(listener));
    }
    // Enabled only while a page watches (see `watched`): its 10 ms timer is not free.
    this.#delay = monitorEventLoopDelay({ resolution: 10 });
    this.#elu = performance.eventLoopUtilization();
    this.#last = { atMs: performance.now(), handled: 0, deadLetters: 0, faults: 0 };
  }

  /**
   * Whether a page is watching: the event-loop delay is measured only then (handler calls, faults and
   * dead letters are counted all along, so a page opened later still sees them).
   */
  set watched(isWatched: boolean) {
    if (isWatched) this.#delay.enable();
    else this.#delay.disable();
    this.#delay.reset();
  }

  /** Called after each supervision event (the server then sends a snapshot sooner than its interval). */
  onSupervision: (() => void) | undefined = undefined;

  /** Stops counting and listening. */
  close(): void {
    if (this.#runtime.scheduler.turnObserver === this.#turns)
      this.#runtime.scheduler.turnObserver = undefined;
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe.length = 0;
    this.#delay.disable();
  }

  /** The core of a live component with id `id`, for the inspector's actions. */
  coreOf(id: string): ComponentCore | undefined {
    for (const core of this.#runtime.live) if (core.id === id) return core;
    return undefined;
  }

  #peerEvent(system: string, kind: string): void {
    let events = this.#peerEvents.get(system);
    if (events === undefined) {
      events = {};
      this.#peerEvents.set(system, events);
    }
    events[kind] = (events[kind] ?? 0) + 1;
  }

  /** A snapshot of the system now; rates are over the time since the previous one. */
  sample(): InspectorSnapshot {
    const runtime = this.#runtime;
    const system = this.#system;
    const nowMs = performance.now();
    const stats = system.supervision.stats;
    const handled = this.#turns.total;
    const elapsedS = Math.max((nowMs - this.#last.atMs) / 1000, 1e-3);
    const rate = (now: number, before: number): number => Math.max(0, (now - before) / elapsedS);
    const overviewRates = {
      messagesPerSecond: rate(handled, this.#last.handled),
      deadLettersPerSecond: rate(stats.deadLetters, this.#last.deadLetters),
      faultsPerSecond: rate(stats.faults, this.#last.faults),
    };
    this.#last = { atMs: nowMs, handled, deadLetters: stats.deadLetters, faults: stats.faults };
    const elu = performance.eventLoopUtilization(this.#elu);
    this.#elu = performance.eventLoopUtilization();
    const delay = this.#delay;
    const eventLoop = {
      delayMeanMs: Number.isNaN(delay.mean) ? 0 : delay.mean / 1e6,
      delayMaxMs: delay.max / 1e6,
      utilisation: elu.utilization,
    };
    delay.reset();

    const byState: Record<LifecycleState, number> = { passive: 0, active: 0, faulty: 0, destroyed: 0 };
    const timers = runtime.timers.pendingByOwner();
    const rows: ComponentRow[] = [];
    const nodes: { id: ComponentId; type: string }[] = [];
    const edges: PortEdge[] = [];
    const ids = new Set<ComponentId>();
    for (const core of runtime.live) {
      byState[core.state]++;
      const id = core.id;
      ids.add(id);
      const ends = core.portEnds();
      if (ends.length > 0) nodes.push({ id, type: core.typeName });
      for (const end of ends) {
        if (end.kind !== 'provided') continue;
        for (const peer of end.peers)
          edges.push({ provider: id, requirer: peer.core.id, port: end.type.name });
      }
      if (rows.length >= this.#maxComponents) continue;
      const line = this.#lines.get(id);
      rows.push({
        id,
        type: core.typeName,
        state: core.state,
        queued: core.queuedCount,
        handled: this.#turns.countOf(core),
        timers: timers.get(core) ?? 0,
        restarts: line?.restarts ?? 0,
        lastFault: line?.lastFault,
        paths: runtime.dispatcher.pathsOf(core),
      });
    }
    // Lines of components that ended and were not replaced are forgotten once they pile up.
    if (this.#lines.size > 2 * ids.size + 64) {
      for (const id of this.#lines.keys()) if (!ids.has(id)) this.#lines.delete(id);
    }
    // Not process.memoryUsage(): its resident-set size costs ten times more than the heap figures.
    const heap = getHeapStatistics();
    return {
      atMs: Date.now(),
      system: {
        label: system.label,
        path: system.systemPath().toString(),
        state: system.state,
        uptimeMs: runtime.clock.now() - runtime.builtAtMs,
      },
      overview: {
        components: byState,
        ...overviewRates,
        totals: {
          handled,
          deadLetters: stats.deadLetters,
          faults: stats.faults,
          recoveries: stats.recoveries,
          recoveryFailures: stats.recoveryFailures,
          gaveUp: stats.gaveUp,
        },
        eventLoop,
        heap: { usedBytes: heap.used_heap_size, totalBytes: heap.total_heap_size },
      },
      components: rows,
      componentsOmitted: runtime.live.size - rows.length,
      ports: { nodes, edges },
      timeline: [...this.#timeline],
      deadLetters: {
        byReason: Object.fromEntries(this.#deadLetterReasons),
        latest: [...this.#latestDeadLetters],
      },
      workers: runtime.spawnedWorkers().map((worker) => ({
        name: worker.name,
        systemPath: worker.systemPath().toString(),
        state: worker.state,
        threadId: worker.threadId,
        restarts: worker.restarts,
      })),
      network: this.#network(),
    };
  }

  #network(): InspectorSnapshot['network'] {
    const link = this.#runtime.link;
    const transport = link?.transport;
    if (link === undefined || transport === undefined) return undefined;
    const peers: PeerRow[] = transport.peerStats().map((peer) => {
      const system = peer.system.toString();
      return {
        system,
        status: peer.status,
        connections: peer.connections,
        framesSent: peer.framesSent,
        bytesSent: peer.bytesSent,
        framesReceived: peer.framesReceived,
        bytesReceived: peer.bytesReceived,
        retries: peer.retries,
        queuedFrames: peer.queuedFrames,
        lost: this.#lostByPeer.get(system) ?? 0,
        events: { ...(this.#peerEvents.get(system) ?? {}) },
      };
    });
    return { systemPath: link.systemPath.toString(), peers, totals: { ...link.stats() } };
  }

  #supervised(event: SupervisionEvent): void {
    const isWorkerEvent =
      event.kind === 'worker-fault' || event.kind === 'worker-restarted' || event.kind === 'worker-gave-up';
    const detail = detailOf(event);
    let replacementId: ComponentId | undefined;
    if (!isWorkerEvent) {
      const id = event.componentId;
      let line = this.#lines.get(id);
      if (line === undefined) {
        line = { restarts: 0, lastFault: undefined };
        this.#lines.set(id, line);
      }
      if (event.kind === 'fault') line.lastFault = detail;
      if (event.kind === 'recovered' && event.replacementId !== undefined) {
        replacementId = event.replacementId;
        this.#lines.set(replacementId, { restarts: line.restarts + 1, lastFault: line.lastFault });
      }
    }
    this.#timeline.push({
      seq: ++this.#seq,
      atMs: Date.now(),
      kind: event.kind,
      // A worker's event concerns its whole thread: no component to open.
      componentId: isWorkerEvent ? undefined : event.componentId,
      componentType: isWorkerEvent
        ? `worker ${event.worker} (${event.systemPath.toString()})`
        : event.componentType,
      detail,
      replacementId,
    });
    if (this.#timeline.length > TIMELINE_LENGTH) this.#timeline.shift();
    this.onSupervision?.();
  }

  #deadLetter(letter: DeadLetter): void {
    this.#deadLetterReasons.set(letter.reason, (this.#deadLetterReasons.get(letter.reason) ?? 0) + 1);
    if (letter.reason === 'lost' && letter.path !== undefined) {
      const system = letter.path.system.toString();
      this.#lostByPeer.set(system, (this.#lostByPeer.get(system) ?? 0) + 1);
    }
    this.#latestDeadLetters.push({
      atMs: Date.now(),
      reason: letter.reason,
      to:
        letter.path?.toString() ??
        (letter.recipient === undefined ? 'unknown' : `${letter.recipient} (${letter.recipientType})`),
      detail: letter.detail,
      message: briefly(letter.message),
    });
    if (this.#latestDeadLetters.length > DEAD_LETTERS_KEPT) this.#latestDeadLetters.shift();
  }
}
