/**
 * Dispatch: system and actor paths, aliases, the named-path lookup table and routing policies.
 * The package root (`src/index.ts`) re-exports the public part of it.
 */
export { ActorPath, NamedPath, type PathMarker, UniquePath } from './actor-path.js';
export { parseAlias } from './alias.js';
export { PathParseError, type PathParseReason } from './path-parse-error.js';
export { type InsertResult, PathTrie, type UpdateResult } from './path-trie.js';
export {
  BroadcastRouting,
  RoundRobinRouting,
  type RoutingContext,
  type RoutingMode,
  type RoutingPolicy,
  SenderHashRouting,
} from './routing-policy.js';
export { SystemPath, type Transport } from './system-path.js';
