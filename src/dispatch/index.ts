/**
 * Dispatch: aliases, the dispatcher with its named-path lookup table, and routing policies (paths
 * themselves are in `paths/`).
 * The package root (`src/index.ts`) re-exports the public part of it.
 */
export { parseAlias } from './alias.js';
export { type InsertResult, PathTrie, type UpdateResult } from './path-trie.js';
export {
  BroadcastRouting,
  RoundRobinRouting,
  type RoutingContext,
  type RoutingMode,
  type RoutingPolicy,
  SenderHashRouting,
} from './routing-policy.js';
