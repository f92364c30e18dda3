/**
 * Paths: system paths, actor paths (unique and named), component ids, path syntax and parse errors,
 * and the protocol `path.tell` uses to learn who sends. The package root (`src/index.ts`) re-exports
 * the public part of it.
 */
export { ActorPath, NamedPath, type PathMarker, UniquePath } from './actor-path.js';
export type { ComponentId } from './component-id.js';
export type { BuiltInSerialisable, MessageSource } from './message-source.js';
export { PathParseError, type PathParseReason } from './path-parse-error.js';
export { SystemPath, type Transport } from './system-path.js';
