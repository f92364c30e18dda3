/**
 * kompact-ts: Kompact's component-and-actor model for TypeScript on Node.js.
 * This module is the whole public API.
 */
export { ActorRef, type AskOptions } from './actors/actor-ref.js';
export { Ask } from './actors/ask.js';
export { KPromise } from './actors/kpromise.js';
export { Component } from './component/component.js';
export type { ComponentContext } from './component/component-context.js';
export type { LifecycleState } from './component/component-core.js';
export { ComponentDefinition, type MessageOf } from './component/component-definition.js';
export type { ComponentId } from './component/component-id.js';
export {
  Handled,
  HandlerError,
  type HandlerErrorKind,
  type HandlerResult,
  type HandlerReturn,
} from './component/handled.js';
export { biconnectComponents, biconnectPorts } from './ports/connect.js';
export { Port, port } from './ports/port.js';
export { type Channel, ProvidedPort, RequiredPort } from './ports/port-ends.js';
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
} from './supervision/supervision-events.js';
export { Config, type ConfigTree } from './system/config.js';
export type { DeadLetter, DeadLetterListener, DeadLetterReason, DeadLetters } from './system/dead-letters.js';
export { type ConfigFormat, ConfigKeys, KompactConfig } from './system/kompact-config.js';
export { KompactError, type KompactErrorCode } from './system/kompact-error.js';
export { KompactSystem, type SystemState } from './system/kompact-system.js';
export type { SystemHandle } from './system/system-handle.js';
export { type Clock, type ClockTimer, SystemClock } from './timer/clock.js';
export { ScheduledTimer, type TimerState } from './timer/scheduled-timer.js';
