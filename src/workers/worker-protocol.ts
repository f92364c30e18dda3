import type { LevelWithSilent } from 'pino';
import type { ConfigTree } from '../internal/config-tree.js';
import type { KompactErrorCode } from '../internal/kompact-error.js';
import type { FramesMessage } from './thread-channel.js';

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
}

/** A failure told across the thread boundary (errors are cloned without their class). */
export interface ErrorReport {
  readonly code: KompactErrorCode;
  readonly message: string;
}

/** What the parent posts to a worker thread. */
export type ToWorker =
  | FramesMessage
  | { readonly kind: 'shutdown' }
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
  | FramesMessage
  | { readonly kind: 'ready' }
  | { readonly kind: 'setup-failed'; readonly error: ErrorReport }
  | { readonly kind: 'log'; readonly line: string }
  | { readonly kind: 'shut-down' }
  | { readonly kind: 'reply'; readonly requestId: number; readonly value: unknown }
  | { readonly kind: 'failed'; readonly requestId: number; readonly error: ErrorReport };
