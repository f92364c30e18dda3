// The messages between a SQLite snapshot store and its worker thread.
import type { PackedBatch } from '../snapshots/packed-batch.js';

/** What the worker is started with. */
export interface WorkerSettings {
  readonly file: string;
  readonly table: string;
  readonly synchronous: SqliteSynchronous;
  readonly busyTimeoutMs: number;
}

/** SQLite's `synchronous` settings that keep a committed transaction after a crash of the process. */
export type SqliteSynchronous = 'FULL' | 'NORMAL' | 'EXTRA';

/** A request to the worker; `id` pairs it with its reply (set by the store when it posts the request). */
export type WorkerRequest =
  | { readonly op: 'write'; id: number; readonly batch: PackedBatch }
  | { readonly op: 'load'; id: number; readonly key: string }
  | { readonly op: 'keys'; id: number; readonly prefix: string }
  | { readonly op: 'close'; id: number };

/** An error as it crosses from the worker: SQLite's code (`SQLITE_FULL`, ...) kept. */
export interface WorkerError {
  readonly name: string;
  readonly message: string;
  readonly code: string | undefined;
}

/** What the worker posts: its start, and one reply per request. */
export type WorkerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'open-failed'; readonly isMissing: boolean; readonly error: WorkerError }
  | { readonly kind: 'done'; readonly id: number; readonly value?: Uint8Array | readonly string[] }
  | { readonly kind: 'failed'; readonly id: number; readonly error: WorkerError };

/** The error of `thrown` in a form that crosses threads. */
export function toWorkerError(thrown: unknown): WorkerError {
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code;
    return { name: thrown.name, message: thrown.message, code: typeof code === 'string' ? code : undefined };
  }
  return { name: 'Error', message: String(thrown), code: undefined };
}

/** An `Error` rebuilt from a {@link WorkerError}, for the `cause` of a `KompactError`. */
export function fromWorkerError(error: WorkerError): Error {
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  if (error.code !== undefined) Object.assign(rebuilt, { code: error.code });
  return rebuilt;
}
