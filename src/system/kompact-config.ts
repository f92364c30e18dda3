import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import type { LevelWithSilent, Logger } from 'pino';
import { parse as parseToml } from 'smol-toml';
import { closestName } from '../internal/closest-name.js';
import { type ConfigTree, isTree } from '../internal/config-tree.js';
import { describeThrown } from '../internal/describe-thrown.js';
import { describeValue } from '../internal/describe-value.js';
import { KompactError } from '../internal/kompact-error.js';
import {
  checkNetworkSource,
  isNetworkKey,
  NETWORK_CONFIG_KEYS,
  NETWORK_TABLE,
  NetworkSettings,
  networkCallOptions,
  networkKeys,
} from '../net/network-config.js';
import type { NetworkOptions } from '../net/network-link.js';
import type { SystemPath } from '../paths/system-path.js';
import type { Serialiser } from '../serialisation/serialiser.js';
import { SerialiserRegistry } from '../serialisation/serialiser-registry.js';
import type { SnapshotStore } from '../snapshots/snapshot-store.js';
import type { Clock } from '../timer/clock.js';
import { expandDottedKeys, mergeInto } from './config.js';
import { ConfigEntry } from './config-entry.js';
import { buildSystem, type KompactSystem } from './kompact-system.js';

/** The format of a configuration text: Kompact's TOML, or JSON with the same keys. */
export type ConfigFormat = 'toml' | 'json';

/** The config file extensions `loadConfigFile` reads, and the format of each. */
const CONFIG_FILE_FORMATS: ReadonlyMap<string, ConfigFormat> = new Map([
  ['.toml', 'toml'],
  ['.json', 'json'],
]);

/** The configuration keys kompact-ts reads, with their defaults. */
export const ConfigKeys = {
  /** The system's label in logs. Default `kompact-runtime-<n>`. */
  label: 'kompact.runtime.label',
  /** Handler calls per component turn; an integer > 0. Default 50. */
  throughput: 'kompact.runtime.throughput',
  /** Share of a turn for actor messages before port events; 0 < p < 1. Default 0.5. */
  messagePriority: 'kompact.runtime.message-priority',
  /**
   * Threads for the system's parallel work, an integer > 0: how many worker systems `spawnWorkers`
   * starts when given no `count`, and the size of the `spawnOff` pool (started as tasks need them).
   * Default `os.availableParallelism()`.
   */
  threads: 'kompact.runtime.threads',
  /** The level of the system's default logger; the `KOMPACT_LOG_LEVEL` environment variable wins. Default `info`. */
  logLevel: 'kompact.log.level',
  /** Clock milliseconds shutdown waits for blocked components before abandoning them. Default 10000. */
  shutdownGraceMs: 'kompact.runtime.shutdown-grace-ms',
  /** Wall-clock milliseconds a recovery handler may take before it is reported. Default 100. */
  recoveryBudgetMs: 'kompact.supervision.recovery-budget-ms',
  /** Whether `group/*` and `group/?` reach a group without a routing policy. Default `false`. */
  implicitRoutes: 'kompact.dispatch.implicit-routes',
  /**
   * The TCP port of the system's inspector page (`kompact-ts/inspector`); setting it starts one when the
   * system is built, and its URL (token included) is logged at info. `0` picks a free port. Default: none.
   */
  inspectorPort: 'kompact.inspector.port',
  /** The address the inspector listens on. Default `127.0.0.1`. */
  inspectorHost: 'kompact.inspector.host',
  /** Whether the inspector page may stop, start, kill or fault components. Default `false`. */
  inspectorActions: 'kompact.inspector.actions',
  // The network's keys, `kompact.network.*`, are defined beside its options (net/network-config.ts).
  ...NETWORK_CONFIG_KEYS,
} as const;

/** The keys under `kompact` (outside `kompact.network`) that kompact-ts reads. */
const RUNTIME_KEYS: ReadonlySet<string> = new Set(
  Object.values(ConfigKeys).filter((key) => !key.startsWith(`${NETWORK_TABLE}.`)),
);

/**
 * Kompact's own keys that kompact-ts does not implement (yet): a source that sets one gets a warning
 * that it is ignored, not an error, so a Kompact configuration file still loads. A table here covers
 * every key below it.
 *
 * Kompact: `kompact.runtime.scheduler` (`core/src/runtime/config.rs`), the network
 * buffer pool (`core/src/net/buffers/mod.rs`) and the actor-lookup garbage collector
 * (`core/src/dispatch/lookup/gc.rs`).
 */
const UNIMPLEMENTED_KEYS: readonly string[] = [
  'kompact.runtime.scheduler',
  'kompact.net.buffer_config',
  'kompact.dispatch.actor-lookup',
];

/** The tables the known and unimplemented keys are in, `kompact` included. */
const CONFIG_TABLES: ReadonlySet<string> = new Set(
  [...RUNTIME_KEYS, ...UNIMPLEMENTED_KEYS, `${NETWORK_TABLE}.host`].flatMap((key) => {
    const parts = key.split('.');
    return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('.'));
  }),
);

function isUnimplemented(key: string): boolean {
  return UNIMPLEMENTED_KEYS.some((known) => key === known || key.startsWith(`${known}.`));
}

/**
 * Checks the keys under `kompact` in one source: each must be one kompact-ts reads, a table of them,
 * or a Kompact key it does not implement (added to `warnings`). `kompact.network` is checked by
 * {@link checkNetworkTable} once the sources are merged. Keys outside `kompact` are the user's.
 *
 * @throws {@link KompactError} `CONFIG_INVALID` naming an unknown key and the closest known one.
 */
function checkKompactKeys(tree: ConfigTree, origin: string, warnings: string[]): void {
  const walk = (table: ConfigTree, path: string): void => {
    for (const [name, value] of Object.entries(table)) {
      const key = `${path}.${name}`;
      if (key === NETWORK_TABLE || RUNTIME_KEYS.has(key)) continue;
      if (isUnimplemented(key) && isTree(value)) {
        walk(value, key);
        continue;
      }
      if (isUnimplemented(key)) {
        const warning =
          `Config key ${key} (from ${origin}) is a Kompact setting kompact-ts does not implement; ` +
          'it is ignored';
        if (!warnings.includes(warning)) warnings.push(warning);
        continue;
      }
      if (CONFIG_TABLES.has(key)) {
        if (!isTree(value)) {
          throw new KompactError(
            'CONFIG_INVALID',
            `Invalid value for ${key} (from ${origin}): expected a table of settings, got ${describeValue(value)}`,
          );
        }
        walk(value, key);
        continue;
      }
      throw unknownKey(key, path, origin);
    }
  };
  const kompact = tree.kompact;
  if (kompact === undefined) return;
  if (!isTree(kompact)) {
    throw new KompactError(
      'CONFIG_INVALID',
      `Invalid value for kompact (from ${origin}): expected a table of settings, got ${describeValue(kompact)}`,
    );
  }
  walk(kompact, 'kompact');
}

/** The error for `key`, unknown in the table `path`, with the closest of the table's known names. */
function unknownKey(key: string, path: string, origin: string): KompactError {
  const siblings = new Set<string>();
  for (const known of [...RUNTIME_KEYS, ...UNIMPLEMENTED_KEYS, ...CONFIG_TABLES, ...networkKeys()]) {
    if (known.startsWith(`${path}.`)) siblings.add(known.slice(path.length + 1).split('.')[0] as string);
  }
  const names = [...siblings].sort();
  const closest = closestName(key.slice(path.length + 1), names);
  return new KompactError(
    'CONFIG_INVALID',
    `Unknown key ${key} (from ${origin})` +
      (closest === undefined ? '.' : `; did you mean \`${path}.${closest}\`?`) +
      ` The keys of ${path} are ${names.join(', ')}; keys of your own go outside \`kompact\` (e.g. \`app.greeting\`)`,
  );
}

/** One source of settings, in the order given: a tree of dotted keys, or a `network()` call. */
type ConfigSource =
  | { readonly kind: 'tree'; readonly origin: string; readonly tree: ConfigTree }
  | { readonly kind: 'network'; readonly origin: string; readonly options: NetworkOptions };

const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

let systemCounter = 0;

/** The inspector a configuration asks for (`kompact.inspector.port`, `.host`, `.actions`). */
export interface InspectorSettings {
  readonly port: number;
  readonly host: string;
  readonly actions: boolean;
}

/** The validated settings `build` hands to the system. */
export interface RuntimeSettings {
  readonly label: string;
  readonly throughput: number;
  readonly messagePriority: number;
  /** Worker systems `spawnWorkers` starts by default, and the size of the `spawnOff` pool. */
  readonly threads: number;
  readonly logLevel: LevelWithSilent;
  readonly recoveryBudgetMs: number;
  readonly shutdownGraceMs: number;
  readonly implicitRoutes: boolean;
  readonly logger: Logger | undefined;
  readonly clock: Clock | undefined;
  /** Where snapshots are kept; `undefined` for a fresh memory store. */
  readonly snapshotStore: SnapshotStore | undefined;
  readonly tree: ConfigTree;
  /** The network settings, or `undefined` for a local-only system. */
  readonly network: NetworkOptions | undefined;
  /** A worker system's own path (`thread://worker:<n>`); absent for every other system. */
  readonly systemPath?: SystemPath;
  /** The serialisers whose serIds the system accepts from other systems (built-ins included). */
  readonly serialisers: SerialiserRegistry;
  /** The inspector to start with the system (`kompact.inspector.*`), or `undefined` for none. */
  readonly inspector: InspectorSettings | undefined;
  /** What the system logs as warnings when it is built (Kompact keys it does not implement). */
  readonly warnings: readonly string[];
}

/**
 * Builds a {@link KompactSystem}. Settings come from chained setters and from TOML or JSON sources
 * with Kompact's keys; they are merged in the order given, later ones winning, and validated by
 * {@link KompactConfig.build}.
 *
 * Kompact: `KompactConfig`.
 *
 * @example
 * ```ts
 * const system = await KompactConfig.default().throughput(10).loadConfigFile('app.toml').build();
 * ```
 */
export class KompactConfig {
  readonly #sources: ConfigSource[] = [];
  #logger: Logger | undefined;
  #clock: Clock | undefined;
  #snapshotStore: SnapshotStore | undefined;
  readonly #serialisers: Serialiser<unknown>[] = [];
  /** Warnings about the sources (Kompact keys not implemented), logged when the system is built. */
  readonly #warnings: string[] = [];

  private constructor() {}

  /** A configuration with Kompact's defaults (throughput 50, message priority 0.5). */
  static default(): KompactConfig {
    return new KompactConfig();
  }

  /** Handler calls a component makes per turn before others get a go: an integer > 0. */
  throughput(n: number): this {
    return this.#set(ConfigKeys.throughput, n, 'throughput()');
  }

  /** The share of a turn given to actor messages before port events: 0 < p < 1. */
  messagePriority(p: number): this {
    return this.#set(ConfigKeys.messagePriority, p, 'messagePriority()');
  }

  /** The system's label in logs. */
  label(label: string): this {
    return this.#set(ConfigKeys.label, label, 'label()');
  }

  /**
   * How long (wall-clock milliseconds) a recovery handler may run before the supervisor reports it
   * with a warning and a `recovery-slow` event: the seed's "do not block" rule, made visible.
   */
  recoveryBudgetMs(ms: number): this {
    return this.#set(ConfigKeys.recoveryBudgetMs, ms, 'recoveryBudgetMs()');
  }

  /**
   * How long (clock milliseconds) shutdown waits for components still blocked before it destroys
   * them without waiting further.
   */
  shutdownGraceMs(ms: number): this {
    return this.#set(ConfigKeys.shutdownGraceMs, ms, 'shutdownGraceMs()');
  }

  /**
   * Whether messages to `group/*` and `group/?` reach the components registered below `group` when no
   * routing policy is set there: broadcast to all, or select one by sender hash. Off by default, as
   * in Kompact, so a peer cannot reach every named component with one path; with it off such paths
   * are `unresolved` dead letters.
   *
   * Kompact: the `implicit_routes` feature.
   */
  implicitRoutes(enabled: boolean): this {
    return this.#set(ConfigKeys.implicitRoutes, enabled, 'implicitRoutes()');
  }

  /**
   * Uses `logger` (a pino logger) as the system's root logger instead of `defaultLogger()`; its level
   * and destination are then the caller's: `KOMPACT_LOG_LEVEL` and `KOMPACT_LOG_FORMAT` do not apply.
   */
  logger(logger: Logger): this {
    if (typeof logger !== 'object' || logger === null || typeof logger.child !== 'function') {
      throw new TypeError(`Expected \`logger\` to be a pino logger, got ${describeValue(logger)}`);
    }
    this.#logger = logger;
    return this;
  }

  /** The level of the system's default logger (`'silent'` for none); `KOMPACT_LOG_LEVEL` wins when set. */
  logLevel(level: LevelWithSilent): this {
    return this.#set(ConfigKeys.logLevel, level, 'logLevel()');
  }

  /** The clock the system's timers and timeouts run on (a `SimulatedClock` in tests). */
  clock(clock: Clock): this {
    if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function') {
      throw new TypeError(`Expected \`clock\` to be a Clock, got ${describeValue(clock)}`);
    }
    this.#clock = clock;
    return this;
  }

  /**
   * Keeps the system's snapshots (`system.snapshots`, `ctx.snapshots`) in `store` instead of a fresh
   * `memorySnapshotStore()`: `sqliteSnapshotStore(file)` from `kompact-ts/sqlite` makes them survive a
   * crash. The system owns the store: its shutdown waits for pending saves and closes it, so give each
   * system a store of its own.
   *
   * @example
   * ```ts
   * import { sqliteSnapshotStore } from 'kompact-ts/sqlite';
   * const system = await KompactConfig.default()
   *   .snapshotStore(await sqliteSnapshotStore('state.db'))
   *   .build();
   * ```
   */
  snapshotStore(store: SnapshotStore): this {
    if (
      typeof store !== 'object' ||
      store === null ||
      typeof store.write !== 'function' ||
      typeof store.load !== 'function' ||
      typeof store.keys !== 'function' ||
      typeof store.close !== 'function'
    ) {
      throw new TypeError(
        `Expected \`store\` to be a SnapshotStore (write, load, keys, close), got ${describeValue(store)}`,
      );
    }
    this.#snapshotStore = store;
    return this;
  }

  /**
   * Gives the system a network: it listens on `options.host`:`options.port` (default `127.0.0.1:0`,
   * loopback and any free port), and its components can send to and receive from other systems by
   * actor path. Without this (or a `kompact.network` key in a config source) a system is local-only
   * and opens no socket. `build()` rejects with `BIND_FAILED` when the address cannot be bound.
   *
   * Kompact: `system_components(DeadletterBox::new, NetworkConfig::new(addr).build())`.
   *
   * @remarks Each option given counts as a source of its `kompact.network` key, at this point in the
   * chain: later sources win per option, whether they are calls of `network()`, `setValue` or loaded
   * files, and options not given keep their earlier value.
   *
   * @throws {@link KompactError} `CONFIG_INVALID` naming the first invalid option.
   *
   * @example
   * ```ts
   * const system = await KompactConfig.default()
   *   .network({ host: '0.0.0.0', port: 4000, advertisedHost: '10.0.0.2', sharedSecret: 'swordfish-swordfish' })
   *   .build();
   * system.systemPath().toString(); // 'tcp://10.0.0.2:4000'
   * ```
   */
  network(options: NetworkOptions = {}): this {
    this.#sources.push({ kind: 'network', origin: 'network()', options: networkCallOptions(options) });
    return this;
  }

  /**
   * Accepts messages from other systems under these serialisers' serIds (the built-ins are always
   * accepted): bytes under any other serId are never deserialised and become dead letters.
   *
   * @throws TypeError for a reserved serId or something that is not a serialiser; {@link KompactError}
   * `DUPLICATE_SER_ID` (at `build()`) when two serialisers share a serId.
   */
  serialisers(...serialisers: Serialiser<unknown>[]): this {
    new SerialiserRegistry().registerAll(serialisers);
    this.#serialisers.push(...serialisers);
    return this;
  }

  /**
   * Sets a declared entry's value, checked against the entry's type and validation at once.
   * Kompact: `set_config_value(&ENTRY, value)`.
   *
   * @throws {@link KompactError} `CONFIG_INVALID` naming the key when `value` is not one of the entry.
   */
  setValue<T>(entry: ConfigEntry<T>, value: T): this;
  /** Sets one value by its dotted key, e.g. `setValue('kompact.runtime.throughput', 10)`. */
  setValue(key: string, value: unknown): this;
  setValue(keyOrEntry: string | ConfigEntry<unknown>, value: unknown): this {
    if (keyOrEntry instanceof ConfigEntry) {
      if (value === undefined) {
        throw new KompactError('CONFIG_INVALID', `Invalid value for ${keyOrEntry.key}: got \`undefined\``);
      }
      keyOrEntry.resolve(value);
      return this.#set(keyOrEntry.key, value, `setValue(${keyOrEntry.key})`);
    }
    const key = keyOrEntry;
    if (typeof key !== 'string' || key === '' || key.split('.').includes('')) {
      throw new TypeError(`Expected \`key\` to be a dotted config key, got ${describeValue(key)}`);
    }
    return this.#set(key, value, `setValue(${key})`);
  }

  /** Adds one value as a source; `origin` names the call that set it in errors (the setter, or setValue). */
  #set(key: string, value: unknown, origin: string): this {
    const tree = expandDottedKeys({ [key]: value });
    checkKompactKeys(tree, origin, this.#warnings);
    this.#checkKnown(key, value, origin);
    checkNetworkSource(key, value, tree, origin);
    this.#sources.push({ kind: 'tree', origin, tree });
    return this;
  }

  /** Adds the settings in a TOML or JSON text. Kompact: `load_config_str`. */
  loadConfigString(text: string, format: ConfigFormat = 'toml'): this {
    const origin = `a ${format} string`;
    const tree = parseSource(text, format, origin);
    checkKompactKeys(tree, origin, this.#warnings);
    this.#sources.push({ kind: 'tree', origin, tree });
    return this;
  }

  /**
   * Adds the settings in a `.toml` or `.json` file (format by extension). Kompact: `load_config_file`.
   *
   * @throws {@link KompactError} `CONFIG_INVALID` for any other extension (a `.yaml` file is not read
   * as TOML), naming the supported ones; `CONFIG_LOAD_FAILED` when the file cannot be read or parsed.
   */
  loadConfigFile(path: string): this {
    if (typeof path !== 'string' || path === '') {
      throw new TypeError(`Expected \`path\` to be a file path, got ${describeValue(path)}`);
    }
    const extension = extname(path).toLowerCase();
    const format = CONFIG_FILE_FORMATS.get(extension);
    if (format === undefined) {
      throw new KompactError(
        'CONFIG_INVALID',
        `Cannot load config file ${path}: ${extension === '' ? 'it has no extension' : `\`${extension}\` is not a supported extension`}; ` +
          `the supported ones are ${[...CONFIG_FILE_FORMATS.keys()].join(' and ')} (for another format, parse it yourself and pass the text as JSON to loadConfigString)`,
      );
    }
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new KompactError(
        'CONFIG_LOAD_FAILED',
        `Cannot read config file ${path}: ${describeThrown(error)}`,
        {
          cause: error,
        },
      );
    }
    const tree = parseSource(text, format, path);
    checkKompactKeys(tree, path, this.#warnings);
    this.#sources.push({ kind: 'tree', origin: path, tree });
    return this;
  }

  /** Merges and validates the settings and starts a system with them. */
  async build(): Promise<KompactSystem> {
    return buildSystem(this.settings());
  }

  /** @internal The merged, validated settings. */
  settings(): RuntimeSettings {
    const tree: Record<string, unknown> = {};
    const origins: Record<string, string> = {};
    const network = new NetworkSettings();
    for (const source of this.#sources) {
      if (source.kind === 'network') {
        network.addCall(source.options);
        continue;
      }
      mergeInto(tree, source.tree, (path) => {
        origins[path] = source.origin;
        network.noteKey(path);
      });
    }
    const read = (key: string): unknown => readPath(tree, key);
    for (const key of Object.values(ConfigKeys)) {
      const value = read(key);
      if (value !== undefined && !isNetworkKey(key)) this.#checkKnown(key, value, origins[key] ?? 'config');
    }
    const originOf = (key: string): string => origins[key] ?? 'config';
    const hasNetwork = network.check(read, originOf);
    const label = (read(ConfigKeys.label) as string | undefined) ?? `kompact-runtime-${++systemCounter}`;
    return {
      label,
      throughput: (read(ConfigKeys.throughput) as number | undefined) ?? 50,
      messagePriority: (read(ConfigKeys.messagePriority) as number | undefined) ?? 0.5,
      threads: (read(ConfigKeys.threads) as number | undefined) ?? availableParallelism(),
      logLevel: (read(ConfigKeys.logLevel) as LevelWithSilent | undefined) ?? 'info',
      recoveryBudgetMs: (read(ConfigKeys.recoveryBudgetMs) as number | undefined) ?? 100,
      shutdownGraceMs: (read(ConfigKeys.shutdownGraceMs) as number | undefined) ?? 10_000,
      implicitRoutes: (read(ConfigKeys.implicitRoutes) as boolean | undefined) ?? false,
      logger: this.#logger,
      clock: this.#clock,
      snapshotStore: this.#snapshotStore,
      tree,
      network: hasNetwork ? network.resolve(read, originOf) : undefined,
      serialisers: new SerialiserRegistry().registerAll(this.#serialisers),
      inspector:
        read(ConfigKeys.inspectorPort) === undefined
          ? undefined
          : {
              port: read(ConfigKeys.inspectorPort) as number,
              host: (read(ConfigKeys.inspectorHost) as string | undefined) ?? '127.0.0.1',
              actions: (read(ConfigKeys.inspectorActions) as boolean | undefined) ?? false,
            },
      warnings: [...this.#warnings],
    };
  }

  #checkKnown(key: string, value: unknown, origin: string): void {
    const reject = (expected: string): never => {
      throw new KompactError(
        'CONFIG_INVALID',
        `Invalid value for ${key} (from ${origin}): expected ${expected}, got ${describeValue(value)}`,
      );
    };
    switch (key) {
      case ConfigKeys.throughput:
      case ConfigKeys.threads:
        if (!Number.isSafeInteger(value) || (value as number) <= 0) reject('an integer > 0');
        break;
      case ConfigKeys.messagePriority:
        if (typeof value !== 'number' || !(value > 0 && value < 1)) reject('a number with 0 < p < 1');
        break;
      case ConfigKeys.shutdownGraceMs:
      case ConfigKeys.recoveryBudgetMs:
        if (typeof value !== 'number' || !(value >= 0 && Number.isFinite(value)))
          reject('a finite number >= 0');
        break;
      case ConfigKeys.implicitRoutes:
      case ConfigKeys.inspectorActions:
        if (typeof value !== 'boolean') reject('a boolean');
        break;
      case ConfigKeys.inspectorPort:
        if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 65_535)
          reject('an integer from 0 to 65535');
        break;
      case ConfigKeys.inspectorHost:
        if (typeof value !== 'string' || value === '') reject('a non-empty string');
        break;
      case ConfigKeys.label:
        if (typeof value !== 'string' || value === '') reject('a non-empty string');
        break;
      case ConfigKeys.logLevel:
        if (typeof value !== 'string' || !LOG_LEVELS.includes(value))
          reject(`one of ${LOG_LEVELS.join(', ')}`);
        break;
    }
  }
}

/** The value at a dotted `path` of `tree`, or `undefined`. */
function readPath(tree: ConfigTree, path: string): unknown {
  let node: unknown = tree;
  for (const part of path.split('.')) node = isTree(node) ? node[part] : undefined;
  return node;
}

function parseSource(text: string, format: ConfigFormat, origin: string): ConfigTree {
  if (typeof text !== 'string') {
    throw new TypeError(`Expected the config text to be a string, got ${describeValue(text)}`);
  }
  let parsed: unknown;
  try {
    parsed = format === 'json' ? JSON.parse(text) : parseToml(text);
  } catch (error) {
    throw new KompactError(
      'CONFIG_LOAD_FAILED',
      `Cannot parse ${origin} as ${format}: ${describeThrown(error)}`,
      {
        cause: error,
      },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new KompactError(
      'CONFIG_LOAD_FAILED',
      `${origin} must hold a table of settings, got ${describeValue(parsed)}`,
    );
  }
  return expandDottedKeys(parsed as ConfigTree);
}
