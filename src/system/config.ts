import { type ConfigTree, isTree } from '../internal/config-tree.js';
import { describeValue } from '../internal/describe-value.js';
import { KompactError } from '../internal/kompact-error.js';
import { ConfigEntry } from './config-entry.js';

/**
 * Deep-merges `source` into `target`; later values win, tables merge key by key. `onLeaf` hears the
 * dotted path of every value set (to remember which source set it).
 */
export function mergeInto(
  target: Record<string, unknown>,
  source: ConfigTree,
  onLeaf?: (path: string) => void,
  prefix = '',
): void {
  for (const [key, value] of Object.entries(source)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isTree(value)) {
      const existing = target[key];
      const child: Record<string, unknown> = isTree(existing) ? existing : {};
      target[key] = child;
      mergeInto(child, value, onLeaf, path);
    } else {
      target[key] = value;
      onLeaf?.(path);
    }
  }
}

/** Turns `{ 'a.b': 1 }` into `{ a: { b: 1 } }`, recursively, so dotted keys and tables mean the same. */
export function expandDottedKeys(tree: ConfigTree): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(tree)) {
    const value = isTree(raw) ? expandDottedKeys(raw) : raw;
    const parts = key.split('.');
    const last = parts.pop() as string;
    let node = out;
    for (const part of parts) {
      const next = node[part];
      if (isTree(next)) {
        node = next;
      } else {
        const fresh: Record<string, unknown> = {};
        node[part] = fresh;
        node = fresh;
      }
    }
    mergeInto(node, { [last]: value });
  }
  return out;
}

/**
 * A system's merged, immutable configuration, read with dotted paths such as
 * `kompact.runtime.throughput`. Available as `system.config` and `ctx.config`.
 *
 * Kompact: `Config` with `config["key"]`, `select`, and the typed getters.
 */
export class Config {
  readonly #tree: ConfigTree;

  /** @internal Made by `KompactConfig.build`. */
  constructor(tree: ConfigTree) {
    this.#tree = deepFreeze(tree);
  }

  /**
   * The value of a declared entry: read with its type, its default when the key is not configured.
   * Kompact: `config.read(&ENTRY)` / `read_or_default`.
   *
   * @throws {@link KompactError} `CONFIG_INVALID` naming the key when the value is missing (and the
   * entry has no default) or is not of the entry's type.
   */
  get<T>(entry: ConfigEntry<T>): T;
  /** The value at `path`, or `undefined` when there is none. */
  get(path: string): unknown;
  get(pathOrEntry: string | ConfigEntry<unknown>): unknown {
    if (pathOrEntry instanceof ConfigEntry) return pathOrEntry.resolve(this.#lookup(pathOrEntry.key));
    return this.#lookup(pathOrEntry);
  }

  #lookup(path: string): unknown {
    let node: unknown = this.#tree;
    for (const part of path.split('.')) {
      if (!isTree(node)) return undefined;
      node = node[part];
    }
    return node;
  }

  /** Whether a value exists at `path`. */
  has(path: string): boolean {
    return this.get(path) !== undefined;
  }

  /** The string at `path`; `fallback` when missing; a `CONFIG_INVALID` error when it is not a string. */
  getString(path: string, fallback?: string): string {
    return this.#typed(path, fallback, 'a string', (v): v is string => typeof v === 'string');
  }

  /** The number at `path`; `fallback` when missing; a `CONFIG_INVALID` error when it is not a number. */
  getNumber(path: string, fallback?: number): number {
    return this.#typed(
      path,
      fallback,
      'a number',
      (v): v is number => typeof v === 'number' && !Number.isNaN(v),
    );
  }

  /** The boolean at `path`; `fallback` when missing; a `CONFIG_INVALID` error when it is not a boolean. */
  getBoolean(path: string, fallback?: boolean): boolean {
    return this.#typed(path, fallback, 'a boolean', (v): v is boolean => typeof v === 'boolean');
  }

  /** The whole tree (frozen). */
  toObject(): ConfigTree {
    return this.#tree;
  }

  #typed<T>(path: string, fallback: T | undefined, expected: string, check: (v: unknown) => v is T): T {
    const value = this.get(path);
    if (value === undefined) {
      if (fallback !== undefined) return fallback;
      throw new KompactError('CONFIG_INVALID', `Missing config key ${path}`);
    }
    if (!check(value)) {
      throw new KompactError(
        'CONFIG_INVALID',
        `Invalid value for ${path}: expected ${expected}, got ${describeValue(value)}`,
      );
    }
    return value;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
