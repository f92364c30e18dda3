import type { MessagePort } from 'node:worker_threads';
import type { LevelWithSilent } from 'pino';
import type { ConfigTree } from '../internal/config-tree.js';
import type { KompactErrorCode } from '../internal/kompact-error.js';
import type { ChannelMessage } from './thread-channel.js';

/** The parent's settings a worker system is built with: plain data, cloned into the thread. */
export interface WorkerSettings {
  readonly label: string;
  readonly throughput: number;
  readonly messagePriority: number;
  readonly logLevel: LevelWithSilent;
  readonly recoveryBudgetMs: number;
  readonly shutdownGraceMs: number;
  readonly implicitRoutes: boolean;
  readonly tree: ConfigTree;
}

/** The `workerData` of a worker thread. */
export interface WorkerInit {
  /** The module whose default export is the worker's definition. */
  readonly moduleUrl: string;
  readonly name: string;
  /** The worker system's path, `thread://worker:<n>`: the same for every thread of one worker. */
  readonly systemPath: string;
  readonly settings: WorkerSettings;
  readonly data: unknown;
  /**
   * A direct port to each sibling whose thread was up when this one started: this thread sends to
   * them on it from the start; what they send on it is held until their `switched-from` arrives.
   */
  readonly peers: readonly PeerPort[];
  /** The thread's OS scheduling priority (`SpawnWorkerOptions.threadPriority`), set before the setup runs. */
  readonly threadPriority: number | undefined;
}

/** A port to a sibling worker's thread, and that worker's system path. */
export interface PeerPort {
  readonly systemPath: string;
  readonly port: MessagePort;
}

/** A failure told across the thread boundary (errors are cloned without their class). */
export interface ErrorReport {
  readonly code: KompactErrorCode;
  readonly message: string;
}

/** What the parent posts to a worker thread. */
export type ToWorker =
  | ChannelMessage
  | { readonly kind: 'shutdown' }
  /** A direct port to a sibling that has just started: send to it there from now on. */
  | ({ readonly kind: 'peer' } & PeerPort)
  /** The sibling's thread ended: its port is dead, send through the parent again. */
  | { readonly kind: 'peer-gone'; readonly systemPath: string }
  /**
   * Everything the sibling `from` sent here through the parent has arrived (it came before this, on the
   * same port): what it sends on its direct port may be delivered now, in order.
   */
  | { readonly kind: 'switched-from'; readonly from: string }
  | {
      readonly kind: 'create';
      readonly requestId: number;
      readonly moduleUrl: string;
      readonly exportName: string;
      readonly args: readonly unknown[];
    }
  | {
      readonly kind: 'lifecycle';
      readonly requestId: number;
      readonly componentId: string;
      readonly action: 'start' | 'stop' | 'kill' | 'is-faulty';
    };

/** What a worker thread posts to its parent. */
export type FromWorker =
  | ChannelMessage
  | { readonly kind: 'ready' }
  | { readonly kind: 'setup-failed'; readonly error: ErrorReport }
  | { readonly kind: 'log'; readonly line: string }
  | { readonly kind: 'shut-down' }
  /** This thread now sends to sibling `to` on its direct port; what it relayed before is in the parent. */
  | { readonly kind: 'switched'; readonly to: string }
  | { readonly kind: 'reply'; readonly requestId: number; readonly value: unknown }
  | { readonly kind: 'failed'; readonly requestId: number; readonly error: ErrorReport };
