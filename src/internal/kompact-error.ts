/**
 * Why a kompact-ts operation failed; the `code` of every {@link KompactError}.
 *
 * - `SYSTEM_TERMINATED`: the system was shut down; it accepts no more work.
 * - `SYSTEM_SHUTTING_DOWN`: shutdown is in progress; new components cannot be created or started.
 * - `PROMISE_DROPPED`: the component that should have settled this promise is gone (destroyed or faulty)
 *   or dropped the request without answering.
 * - `ASK_TIMEOUT`: an ask got no reply within its `timeoutMs`.
 * - `CONFIG_INVALID`: a configuration value failed validation; the message names the key and the value.
 * - `CONFIG_LOAD_FAILED`: a configuration file or string could not be read or parsed.
 * - `COMPONENT_DESTROYED`: the component was destroyed and cannot take lifecycle requests any more.
 * - `COMPONENT_FAULTY`: the component is faulty and cannot take lifecycle requests any more.
 * - `FOREIGN_COMPONENT`: the component belongs to another system.
 * - `DEFINITION_OUTSIDE_CREATE`: a `ComponentDefinition` was constructed outside `system.create`.
 * - `NOT_IN_HANDLER`: an operation that needs the component's own turn was called from outside it.
 * - `PATH_PARSE_FAILED`: an actor path, system path or alias is malformed; see `PathParseError.reason`.
 * - `SERIALISATION_FAILED`: a value could not be serialised, or bytes could not be deserialised.
 * - `UNKNOWN_SER_ID`: bytes arrived under a serId that no registered serialiser handles.
 * - `DUPLICATE_SER_ID`: a serialiser was registered under a serId that is already taken.
 * - `BIND_FAILED`: the network transport could not listen on its configured address.
 * - `MALFORMED_FRAME`: bytes from a peer do not form a valid frame; that connection is closed.
 * - `FRAME_TOO_LARGE`: a frame is longer than the configured maximum frame size.
 * - `HANDSHAKE_FAILED`: a connection's handshake failed (protocol version, shared secret, blocked peer,
 *   unexpected frame or timeout); that connection is closed.
 * - `TRANSPORT_CLOSED`: the network transport was closed; it accepts no more work.
 * - `DUPLICATE_ENTRY`: an alias or routing group is already registered at that path (use
 *   `updateAliasRegistration` to re-point it).
 * - `TASK_NOT_FOUND`: a `spawnOff` task's module does not exist, or does not export a function by the
 *   task's name.
 * - `WORKER_MODULE_INVALID`: a worker module could not be loaded, or its default export is not made by
 *   `defineWorker`.
 * - `WORKER_SETUP_FAILED`: a worker's setup function threw or rejected, or its thread ended before the
 *   setup finished.
 * - `WORKER_DOWN`: the worker's thread is down (faulted, restarting, given up or terminated), so the
 *   request to it cannot be answered.
 * - `NOT_REMOTABLE`: a class given to `worker.create` was not made creatable on a worker with `remotable`.
 * - `INSPECTOR_UNSAFE`: the inspector was asked to listen on an address other than loopback without a
 *   token (anyone who reaches the address could read the system).
 * - `INSPECTOR_DEPENDENCY_MISSING`: the inspector page's libraries (`uplot`, `cytoscape`, optional peer
 *   dependencies of kompact-ts) are not installed.
 * - `WORKER_NESTED`: a worker system tried to spawn workers of its own (only the main thread's systems
 *   spawn workers).
 * - `SNAPSHOT_FAILED`: a snapshot store could not save, load or delete (disk full, file locked or
 *   corrupt, ...) or could not open; `cause` holds the store's own error.
 * - `SNAPSHOT_STORE_CLOSED`: the snapshot store was closed (its system shut down); it takes no more work.
 * - `DEPENDENCY_MISSING`: an optional dependency (such as `better-sqlite3` for `kompact-ts/sqlite`) is
 *   not installed or cannot be loaded; the message names the install command.
 */
export type KompactErrorCode =
  | 'SYSTEM_TERMINATED'
  | 'SYSTEM_SHUTTING_DOWN'
  | 'PROMISE_DROPPED'
  | 'ASK_TIMEOUT'
  | 'CONFIG_INVALID'
  | 'CONFIG_LOAD_FAILED'
  | 'COMPONENT_DESTROYED'
  | 'COMPONENT_FAULTY'
  | 'FOREIGN_COMPONENT'
  | 'DEFINITION_OUTSIDE_CREATE'
  | 'NOT_IN_HANDLER'
  | 'PATH_PARSE_FAILED'
  | 'SERIALISATION_FAILED'
  | 'UNKNOWN_SER_ID'
  | 'DUPLICATE_SER_ID'
  | 'BIND_FAILED'
  | 'MALFORMED_FRAME'
  | 'FRAME_TOO_LARGE'
  | 'HANDSHAKE_FAILED'
  | 'TRANSPORT_CLOSED'
  | 'DUPLICATE_ENTRY'
  | 'TASK_NOT_FOUND'
  | 'WORKER_MODULE_INVALID'
  | 'WORKER_SETUP_FAILED'
  | 'WORKER_DOWN'
  | 'NOT_REMOTABLE'
  | 'INSPECTOR_UNSAFE'
  | 'INSPECTOR_DEPENDENCY_MISSING'
  | 'WORKER_NESTED'
  | 'SNAPSHOT_FAILED'
  | 'SNAPSHOT_STORE_CLOSED'
  | 'DEPENDENCY_MISSING';

/**
 * The one error class of kompact-ts: every failure the runtime reports carries a {@link KompactErrorCode}.
 *
 * @example
 * ```ts
 * try { await ref.ask(1, { timeoutMs: 50 }); }
 * catch (e) { if (e instanceof KompactError && e.code === 'ASK_TIMEOUT') retry(); }
 * ```
 */
export class KompactError extends Error {
  /** Why the operation failed. */
  readonly code: KompactErrorCode;

  constructor(code: KompactErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KompactError';
    this.code = code;
  }
}
