import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { LevelWithSilent, Logger } from 'pino';
import { parse as parseToml } from 'smol-toml';
import { describeThrown } from '../internal/describe-thrown.js';
import type { NetworkOptions } from '../net/network-link.js';
import { resolveTransportOptions } from '../net/tcp-transport-options.js';
import type { Serialiser } from '../serialisation/serialiser.js';
import { SerialiserRegistry } from '../serialisation/serialiser-registry.js';
import type { Clock } from '../timer/clock.js';
import { type ConfigTree, expandDottedKeys, mergeInto } from './config.js';
import { describeValue, KompactError } from './kompact-error.js';
import { buildSystem, type KompactSystem } from './kompact-system.js';

/** The format of a configuration text: Kompact's TOML, or JSON with the same keys. */
export type ConfigFormat = 'toml' | 'json';

/** The configuration keys kompact-ts reads, with their defaults. */
export const ConfigKeys = {
  /** The system's label in logs. Default `kompact-runtime-<n>`. */
  label: 'kompact.runtime.label',
  /** Handler calls per component turn; an integer > 0. Default 50. */
  throughput: 'kompact.runtime.throughput',
  /** Share of a turn for actor messages before port events; 0 < p < 1. Default 0.5. */
  messagePriority: 'kompact.runtime.message-priority',
  /** The log level of the system's own logger. Default `info`. */
  logLevel: 'kompact.log.level',
  /** Clock milliseconds shutdown waits for blocked components before abandoning them. Default 10000. */
  shutdownGraceMs: 'kompact.runtime.shutdown-grace-ms',
  /** Wall-clock milliseconds a recovery handler may take before it is reported. Default 100. */
  recoveryBudgetMs: 'kompact.supervision.recovery-budget-ms',
} as const;

const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

let systemCounter = 0;

/** The validated settings `build` hands to the system. */
export interface RuntimeSettings {
  readonly label: string;
  readonly throughput: number;
  readonly messagePriority: number;
  readonly logLevel: LevelWithSilent;
  readonly recoveryBudgetMs: number;
  readonly shutdownGraceMs: number;
  readonly logger: Logger | undefined;
  readonly clock: Clock | undefined;
  readonly tree: ConfigTree;
  /** The network settings, or `undefined` for a local-only system. */
  readonly network: NetworkOptions | undefined;
  /** The serialisers whose serIds the system accepts from other systems (built-ins included). */
  readonly serialisers: SerialiserRegistry;
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
  readonly #sources: { readonly origin: string; readonly tree: ConfigTree }[] = [];
  #logger: Logger | undefined;
  #clock: Clock | undefined;
  #network: NetworkOptions | undefined;
  readonly #serialisers: Serialiser<unknown>[] = [];

  private constructor() {}

  /** A configuration with Kompact's defaults (throughput 50, message priority 0.5). */
  static default(): KompactConfig {
    return new KompactConfig();
  }

  /** Handler calls a component makes per turn before others get a go: an integer > 0. */
  throughput(n: number): this {
    return this.setValue(ConfigKeys.throughput, n);
  }

  /** The share of a turn given to actor messages before port events: 0 < p < 1. */
  messagePriority(p: number): this {
    return this.setValue(ConfigKeys.messagePriority, p);
  }

  /** The system's label in logs. */
  label(label: string): this {
    return this.setValue(ConfigKeys.label, label);
  }

  /**
   * How long (wall-clock milliseconds) a recovery handler may run before the supervisor reports it
   * with a warning and a `recovery-slow` event: the seed's "do not block" rule, made visible.
   */
  recoveryBudgetMs(ms: number): this {
    return this.setValue(ConfigKeys.recoveryBudgetMs, ms);
  }

  /**
   * How long (clock milliseconds) shutdown waits for components still blocked before it destroys
   * them without waiting further.
   */
  shutdownGraceMs(ms: number): this {
    return this.setValue(ConfigKeys.shutdownGraceMs, ms);
  }

  /** Uses `logger` (a pino logger) as the system's root logger. */
  logger(logger: Logger): this {
    if (typeof logger !== 'object' || logger === null || typeof logger.child !== 'function') {
      throw new TypeError(`Expected \`logger\` to be a pino logger, got ${describeValue(logger)}`);
    }
    this.#logger = logger;
    return this;
  }

  /** The level of the system's default logger (`'silent'` for none). */
  logLevel(level: LevelWithSilent): this {
    return this.setValue(ConfigKeys.logLevel, level);
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
   * Gives the system a network: it listens on `options.host`:`options.port` (default `127.0.0.1:0`,
   * loopback and any free port), and its components can send to and receive from other systems by
   * actor path. Without this a system is local-only and opens no socket. `build()` rejects with
   * `BIND_FAILED` when the address cannot be bound.
   *
   * Kompact: `system_components(DeadletterBox::new, NetworkConfig::new(addr).build())`.
   *
   * @throws {@link KompactError} `CONFIG_INVALID` naming the first invalid option.
   *
   * @example
   * ```ts
   * const system = await KompactConfig.default().network({ port: 4000, sharedSecret: 'swordfish' }).build();
   * system.systemPath().toString(); // 'tcp://127.0.0.1:4000'
   * ```
   */
  network(options: NetworkOptions = {}): this {
    resolveTransportOptions(options);
    this.#network = { ...options };
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

  /** Sets one value by its dotted key, e.g. `setValue('kompact.runtime.throughput', 10)`. */
  setValue(key: string, value: unknown): this {
    if (typeof key !== 'string' || key === '' || key.split('.').includes('')) {
      throw new TypeError(`Expected \`key\` to be a dotted config key, got ${describeValue(key)}`);
    }
    this.#checkKnown(key, value, `setValue(${key})`);
    this.#sources.push({ origin: `setValue(${key})`, tree: expandDottedKeys({ [key]: value }) });
    return this;
  }

  /** Adds the settings in a TOML or JSON text. Kompact: `load_config_str`. */
  loadConfigString(text: string, format: ConfigFormat = 'toml'): this {
    this.#sources.push({
      origin: `a ${format} string`,
      tree: parseSource(text, format, `a ${format} string`),
    });
    return this;
  }

  /** Adds the settings in a `.toml` or `.json` file (format by extension). Kompact: `load_config_file`. */
  loadConfigFile(path: string): this {
    const format: ConfigFormat = extname(path).toLowerCase() === '.json' ? 'json' : 'toml';
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
    this.#sources.push({ origin: path, tree: parseSource(text, format, path) });
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
    for (const source of this.#sources) {
      mergeInto(tree, source.tree, (path) => {
        origins[path] = source.origin;
      });
    }
    const read = (key: string): unknown => {
      let node: unknown = tree;
      for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
      return node;
    };
    for (const key of Object.values(ConfigKeys)) {
      const value = read(key);
      if (value !== undefined) this.#checkKnown(key, value, origins[key] ?? 'config');
    }
    const label = (read(ConfigKeys.label) as string | undefined) ?? `kompact-runtime-${++systemCounter}`;
    return {
      label,
      throughput: (read(ConfigKeys.throughput) as number | undefined) ?? 50,
      messagePriority: (read(ConfigKeys.messagePriority) as number | undefined) ?? 0.5,
      logLevel: (read(ConfigKeys.logLevel) as LevelWithSilent | undefined) ?? 'info',
      recoveryBudgetMs: (read(ConfigKeys.recoveryBudgetMs) as number | undefined) ?? 100,
      shutdownGraceMs: (read(ConfigKeys.shutdownGraceMs) as number | undefined) ?? 10_000,
      logger: this.#logger,
      clock: this.#clock,
      tree,
      network: this.#network,
      serialisers: new SerialiserRegistry().registerAll(this.#serialisers),
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
