/**
 * kompact-ts: Kompact's component-and-actor model for TypeScript on Node.js.
 * This module is the whole public API.
 */
export { ActorRef, type AskOptions } from './actors/actor-ref.js';
export { Ask } from './actors/ask.js';
export { KPromise, promise } from './actors/kpromise.js';
export { Recipient } from './actors/recipient.js';
export { type ActorRefFactory, type Request, WithRecipient, WithSender } from './actors/with-sender.js';
export { Component } from './component/component.js';
export type { ComponentContext } from './component/component-context.js';
export type { LifecycleState } from './component/component-core.js';
export { ComponentDefinition, type MessageOf } from './component/component-definition.js';
export {
  Handled,
  HandlerError,
  type HandlerErrorKind,
  type HandlerResult,
  type HandlerReturn,
} from './component/handled.js';
export {
  BroadcastRouting,
  FieldHashRouting,
  RoundRobinRouting,
  type RoutingContext,
  type RoutingMode,
  type RoutingPolicy,
  SenderHashRouting,
} from './dispatch/routing-policy.js';
export type { ConfigTree } from './internal/config-tree.js';
export { KompactError, type KompactErrorCode } from './internal/kompact-error.js';
export { type NetMatchCases, NetMessage } from './messaging/net-message.js';
export type { NetworkOptions } from './net/network-link.js';
export {
  type NetworkStatus,
  NetworkStatusPort,
  type NetworkStatusRequest,
} from './net/network-status-port.js';
export type { TcpTransportTls as NetworkTls } from './net/tcp-transport-options.js';
export { ActorPath, NamedPath, type PathMarker, UniquePath } from './paths/actor-path.js';
export type { ComponentId } from './paths/component-id.js';
export type { BuiltInSerialisable, MessageSource } from './paths/message-source.js';
export { PathParseError, type PathParseReason } from './paths/path-parse-error.js';
export { SystemPath, type Transport } from './paths/system-path.js';
export { biconnectComponents, biconnectPorts } from './ports/connect.js';
export { Port, port } from './ports/port.js';
export { type Channel, ProvidedPort, RequiredPort } from './ports/port-ends.js';
export { type OffTask, type OffTaskFunction, offTask } from './runtime/off-task.js';
export { BufferReader } from './serialisation/buffer-reader.js';
export { BufferWriter } from './serialisation/buffer-writer.js';
export { type MatchCases, matchDeserialise } from './serialisation/match-deserialise.js';
export { type MsgpackSerialiserOptions, msgpackSerialiser } from './serialisation/msgpack-serialiser.js';
export { Preserialised } from './serialisation/preserialised.js';
export { MAX_RESERVED_SER_ID, ReservedSerIds, type SerId, serId } from './serialisation/ser-id.js';
export { SerialisationError, type SerialisationErrorReason } from './serialisation/serialisation-error.js';
export type { Serialiser } from './serialisation/serialiser.js';
export { Serialisers } from './serialisation/serialisers.js';
export { memorySnapshotStore } from './snapshots/memory-snapshot-store.js';
export type { SnapshotStore, SnapshotWrite } from './snapshots/snapshot-store.js';
export { type SaveOutcome, Snapshots } from './snapshots/snapshots.js';
export {
  type Fault,
  FaultContext,
  type RecoveryAction,
  type RecoveryFunction,
  RecoveryHandler,
  type RecoveryPlan,
  type ReplaceOptions,
} from './supervision/fault.js';
export {
  type RecoveryKind,
  Supervision,
  type SupervisionEvent,
  type SupervisionEventKind,
  type SupervisionStats,
  type WorkerFaultCause,
} from './supervision/supervision-events.js';
export { Config } from './system/config.js';
export {
  ConfigEntry,
  type ConfigEntryDefinition,
  type ConfigReader,
  ConfigType,
} from './system/config-entry.js';
export type { DeadLetter, DeadLetterListener, DeadLetterReason, DeadLetters } from './system/dead-letters.js';
export {
  type DefaultLoggerOptions,
  defaultLogger,
  type LogDestination,
  type LogFormat,
} from './system/default-logger.js';
export { type ConfigFormat, ConfigKeys, KompactConfig } from './system/kompact-config.js';
export { KompactSystem, type SystemState } from './system/kompact-system.js';
export type { SystemHandle } from './system/system-handle.js';
export { type Clock, type ClockTimer, SystemClock } from './timer/clock.js';
export { ScheduledTimer, type TimerState } from './timer/scheduled-timer.js';
export {
  defineWorker,
  type WorkerDefinition,
  type WorkerDefinitionOptions,
  type WorkerSetup,
} from './workers/define-worker.js';
export { type DefinitionClass, remotable } from './workers/remotable.js';
export { RemoteComponent } from './workers/remote-component.js';
export { type PoolRouting, type SpawnWorkersOptions, WorkerPool } from './workers/worker-pool.js';
export {
  type SpawnWorkerOptions,
  type WorkerRestart,
  type WorkerState,
  WorkerSystem,
} from './workers/worker-system.js';
