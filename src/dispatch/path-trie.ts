import { describeValue } from '../internal/describe-value.js';

/** What {@link PathTrie.insert} did: stored the value, or found the path taken and changed nothing. */
export type InsertResult<V> =
  | { readonly kind: 'inserted' }
  | { readonly kind: 'duplicate'; readonly existing: V };

/** What {@link PathTrie.update} did: stored the value at a free path, or replaced the value there. */
export type UpdateResult<V> =
  | { readonly kind: 'inserted' }
  | { readonly kind: 'replaced'; readonly previous: V };

interface TrieNode<V> {
  value: V | undefined;
  readonly children: Map<string, TrieNode<V>>;
}

function newNode<V>(): TrieNode<V> {
  return { value: undefined, children: new Map() };
}

function assertSegments(segments: unknown): asserts segments is readonly string[] {
  // A plain loop: every lookup of a message to a named path passes here, and `every` with a callback
  // is slow on the frozen arrays of `NamedPath.segments`.
  if (Array.isArray(segments)) {
    let i = 0;
    while (i < segments.length && typeof segments[i] === 'string') i++;
    if (i === segments.length) return;
  }
  throw new TypeError(`Expected \`segments\` to be an array of strings, got ${describeValue(segments)}`);
}

/**
 * The lookup table for named paths: values stored at segment lists, with exact lookup and whole-subtree
 * listing for routing groups.
 *
 * Kompact: `PathTrie` in `core/src/dispatch/lookup` (the named half of the `ActorStore`).
 *
 * @remarks The trie stores any non-nullish value and does not validate segment syntax (use
 * {@link parseAlias} first). Iteration is depth-first, a node before its children, children in the
 * order they were first inserted, so a group's member order is stable while its membership is.
 * The empty segment list is the root.
 *
 * @example
 * ```ts
 * const trie = new PathTrie<string>();
 * trie.insert(['tests', 'group', 'one'], 'a');
 * trie.insert(['tests', 'group', 'two'], 'b');
 * trie.insert(['tests', 'group', 'one'], 'c'); // { kind: 'duplicate', existing: 'a' }
 * trie.subtree(['tests', 'group']);            // ['a', 'b']
 * ```
 */
export class PathTrie<V extends NonNullable<unknown>> {
  private readonly root: TrieNode<V> = newNode();
  private count = 0;

  /** How many values are stored. */
  get size(): number {
    return this.count;
  }

  /**
   * Stores `value` at `segments` unless a value is already there.
   *
   * Kompact: the duplicate check of `register_by_alias` (`RegistrationError::DuplicateEntry`).
   */
  insert(segments: readonly string[], value: V): InsertResult<V> {
    assertSegments(segments);
    const node = this.descend(segments);
    if (node.value !== undefined) return { kind: 'duplicate', existing: node.value };
    node.value = value;
    this.count++;
    return { kind: 'inserted' };
  }

  /**
   * Stores `value` at `segments`, replacing any value there.
   *
   * Kompact: `update_alias_registration` (replace or insert).
   */
  update(segments: readonly string[], value: V): UpdateResult<V> {
    assertSegments(segments);
    const node = this.descend(segments);
    const previous = node.value;
    node.value = value;
    if (previous !== undefined) return { kind: 'replaced', previous };
    this.count++;
    return { kind: 'inserted' };
  }

  /** Removes and returns the value at `segments` (`undefined` when there is none); prunes empty branches. */
  remove(segments: readonly string[]): V | undefined {
    assertSegments(segments);
    const trail: TrieNode<V>[] = [this.root];
    let node = this.root;
    for (const segment of segments) {
      const child = node.children.get(segment);
      if (child === undefined) return undefined;
      trail.push(child);
      node = child;
    }
    const removed = node.value;
    if (removed === undefined) return undefined;
    node.value = undefined;
    this.count--;
    for (let i = segments.length; i > 0; i--) {
      const current = trail[i] as TrieNode<V>;
      if (current.value !== undefined || current.children.size > 0) break;
      (trail[i - 1] as TrieNode<V>).children.delete(segments[i - 1] as string);
    }
    return removed;
  }

  /**
   * Removes every value for which `predicate` holds (for example the aliases of a destroyed component)
   * and returns how many it removed.
   */
  removeWhere(predicate: (value: V, segments: readonly string[]) => boolean): number {
    const doomed = [...this.entries()].filter(([segments, value]) => predicate(value, segments));
    for (const [segments] of doomed) this.remove(segments);
    return doomed.length;
  }

  /** The value stored exactly at `segments`, or `undefined`. */
  lookup(segments: readonly string[]): V | undefined {
    return this.find(segments)?.value;
  }

  /**
   * Every value at `segments` or below it, depth-first: the members of the routing group rooted there.
   * Empty when nothing is stored there.
   *
   * Kompact: routing to "all `Ref` entries in the node's whole subtree".
   */
  subtree(segments: readonly string[]): V[] {
    const node = this.find(segments);
    const values: V[] = [];
    if (node !== undefined) collect(node, values);
    return values;
  }

  /** Every stored `[segments, value]` pair, depth-first. */
  *entries(): IterableIterator<[readonly string[], V]> {
    const stack: [TrieNode<V>, readonly string[]][] = [[this.root, []]];
    while (stack.length > 0) {
      const [node, segments] = stack.pop() as [TrieNode<V>, readonly string[]];
      if (node.value !== undefined) yield [segments, node.value];
      const children = [...node.children];
      for (let i = children.length - 1; i >= 0; i--) {
        const [segment, child] = children[i] as [string, TrieNode<V>];
        stack.push([child, [...segments, segment]]);
      }
    }
  }

  private find(segments: readonly string[]): TrieNode<V> | undefined {
    assertSegments(segments);
    let node: TrieNode<V> | undefined = this.root;
    for (let i = 0; i < segments.length; i++) {
      node = node.children.get(segments[i] as string);
      if (node === undefined) return undefined;
    }
    return node;
  }

  private descend(segments: readonly string[]): TrieNode<V> {
    let node = this.root;
    for (const segment of segments) {
      let child = node.children.get(segment);
      if (child === undefined) {
        child = newNode();
        node.children.set(segment, child);
      }
      node = child;
    }
    return node;
  }
}

function collect<V>(node: TrieNode<V>, into: V[]): void {
  if (node.value !== undefined) into.push(node.value);
  for (const child of node.children.values()) collect(child, into);
}
