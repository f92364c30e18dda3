import { describeValue } from '../internal/describe-value.js';
import { KompactError } from '../internal/kompact-error.js';

/**
 * How a {@link ConfigEntry} reads its value from the configuration: a name for messages and a reader
 * that returns the typed value or says what is wrong with the raw one. Use the readers of
 * {@link ConfigType}, or make one of your own.
 */
export interface ConfigReader<T> {
  /** What the value must be, for messages ("a duration such as \"5s\" or \"100ms\""). */
  readonly expected: string;
  /** The typed value of `raw`, or `undefined` when `raw` is not one. */
  read(raw: unknown): T | undefined;
}

/**
 * A declared configuration key of your own: its dotted key, how to read it, its default and what it
 * means. Read it with `config.get(entry)`; set it with `KompactConfig.setValue(entry.key, value)` or in
 * a config file.
 *
 * Kompact: `ConfigEntry<T>` (declared with `kompact_config!`).
 *
 * @example
 * ```ts
 * const FLUSH_INTERVAL = ConfigEntry.of({
 *   key: 'app.flush-interval',
 *   type: ConfigType.durationMs,
 *   default: 5_000,
 *   doc: 'How often the buffer is flushed.',
 * });
 * const everyMs = this.ctx.config.get(FLUSH_INTERVAL); // 5000 unless configured, e.g. "100ms" → 100
 * ```
 */
export class ConfigEntry<T> {
  /** The dotted key, e.g. `app.flush-interval`. */
  readonly key: string;
  /** How the value is read. */
  readonly type: ConfigReader<T>;
  /** The value when the key is not configured; without one, a missing key is an error. */
  readonly default: T | undefined;
  /** What the key means (for documentation and messages). */
  readonly doc: string;
  /** An extra check of the read value: returns what is wrong with it, or `undefined` when it is fine. */
  readonly validate: ((value: T) => string | undefined) | undefined;

  private constructor(definition: ConfigEntryDefinition<T>) {
    this.key = definition.key;
    this.type = definition.type;
    this.default = definition.default;
    this.doc = definition.doc ?? '';
    this.validate = definition.validate;
    Object.freeze(this);
  }

  /**
   * Declares an entry.
   *
   * @throws TypeError when `key` is not a dotted key, `type` is not a reader, or `default` is not a
   * value of `type` (or fails `validate`).
   */
  static of<T>(definition: ConfigEntryDefinition<T>): ConfigEntry<T> {
    const { key, type } = definition ?? {};
    if (typeof key !== 'string' || key === '' || key.split('.').includes('')) {
      throw new TypeError(`Expected \`key\` to be a dotted config key, got ${describeValue(key)}`);
    }
    if (typeof type?.read !== 'function' || typeof type.expected !== 'string') {
      throw new TypeError(
        `Expected \`type\` to be a config reader (see ConfigType), got ${describeValue(type)}`,
      );
    }
    const entry = new ConfigEntry(definition);
    if (definition.default !== undefined) {
      const problem = entry.problemWith(definition.default);
      if (problem !== undefined) {
        throw new TypeError(`Expected the default of ${key} to be ${type.expected}, got ${problem}`);
      }
    }
    return entry;
  }

  /**
   * @internal The value of this entry in `raw` (the configured value, or `undefined`): read, checked,
   * or the default.
   *
   * @throws {@link KompactError} `CONFIG_INVALID` naming the key when the value is missing (and there is
   * no default) or invalid.
   */
  resolve(raw: unknown): T {
    if (raw === undefined) {
      if (this.default !== undefined) return this.default;
      throw new KompactError(
        'CONFIG_INVALID',
        `Missing config key ${this.key} (${this.doc || 'no default'})`,
      );
    }
    const value = this.type.read(raw);
    if (value === undefined) {
      throw new KompactError(
        'CONFIG_INVALID',
        `Invalid value for ${this.key}: expected ${this.type.expected}, got ${describeValue(raw)}`,
      );
    }
    const problem = this.validate?.(value);
    if (problem !== undefined) {
      throw new KompactError(
        'CONFIG_INVALID',
        `Invalid value for ${this.key}: ${problem}, got ${describeValue(raw)}`,
      );
    }
    return value;
  }

  private problemWith(value: T): string | undefined {
    const read = this.type.read(value);
    if (read === undefined) return describeValue(value);
    const problem = this.validate?.(read);
    return problem === undefined ? undefined : `${describeValue(value)} (${problem})`;
  }
}

/** What {@link ConfigEntry.of} takes. */
export interface ConfigEntryDefinition<T> {
  /** The dotted key, e.g. `app.flush-interval`. */
  readonly key: string;
  /** How the value is read: one of {@link ConfigType} or a reader of your own. */
  readonly type: ConfigReader<T>;
  /** The value when the key is not configured. */
  readonly default?: T;
  /** What the key means. */
  readonly doc?: string;
  /** An extra check: returns what is wrong with a value, or `undefined` when it is fine. */
  readonly validate?: (value: T) => string | undefined;
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const BYTE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

const QUANTITY = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Zµ]+)\s*$/;

/** Reads `"<number> <unit>"` with `units`; `undefined` for anything else. */
function quantity(
  raw: string,
  units: Readonly<Record<string, number>>,
  lowerCase: boolean,
): number | undefined {
  const match = QUANTITY.exec(raw);
  if (match === null) return undefined;
  const unit = units[lowerCase ? (match[2] as string).toLowerCase() : (match[2] as string)];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}

function arrayOf<T>(element: ConfigReader<T>): ConfigReader<readonly T[]> {
  return {
    expected: `an array of ${element.expected}`,
    read(raw) {
      if (!Array.isArray(raw)) return undefined;
      const out: T[] = [];
      for (const item of raw) {
        const value = element.read(item);
        if (value === undefined) return undefined;
        out.push(value);
      }
      return Object.freeze(out);
    },
  };
}

/**
 * The readers for {@link ConfigEntry}: plain values, durations (`"5s"`, `"100ms"`, `"1.5 h"`, or a
 * number of milliseconds), byte sizes (`"8MiB"`, `"256KB"`, or a number of bytes) and arrays of any
 * of them.
 *
 * Kompact: the typed getters of `Config` (`as_string`, `as_i64`, `as_f64`, `as_bool`, `as_duration`,
 * `as_bytes`, `as_array`).
 */
export const ConfigType = {
  /** A string. */
  string: {
    expected: 'a string',
    read: (raw) => (typeof raw === 'string' ? raw : undefined),
  } as ConfigReader<string>,
  /** A finite number. */
  number: {
    expected: 'a finite number',
    read: (raw) => (typeof raw === 'number' && Number.isFinite(raw) ? raw : undefined),
  } as ConfigReader<number>,
  /** A safe integer. */
  integer: {
    expected: 'an integer',
    read: (raw) => (typeof raw === 'number' && Number.isSafeInteger(raw) ? raw : undefined),
  } as ConfigReader<number>,
  /** A boolean. */
  boolean: {
    expected: 'a boolean',
    read: (raw) => (typeof raw === 'boolean' ? raw : undefined),
  } as ConfigReader<boolean>,
  /**
   * A duration in milliseconds: a string with a unit (`ns`, `us`, `ms`, `s`, `m`/`min`, `h`, `d`;
   * `"5s"`, `"100 ms"`, `"1.5h"`) or a non-negative number of milliseconds. Kompact: `as_duration`.
   */
  durationMs: {
    expected: 'a duration such as "5s" or "100ms" (or a number of milliseconds)',
    read(raw) {
      if (typeof raw === 'number') return Number.isFinite(raw) && raw >= 0 ? raw : undefined;
      return typeof raw === 'string' ? quantity(raw, DURATION_UNITS_MS, false) : undefined;
    },
  } as ConfigReader<number>,
  /**
   * A size in bytes, a whole number: a string with a unit (`B`, `KB`/`MB`/`GB`/`TB` in powers of 1000,
   * `KiB`/`MiB`/`GiB`/`TiB` in powers of 1024, any case; `"8MiB"`, `"256 KB"`) or a non-negative
   * integer. Kompact: `as_bytes`.
   */
  bytes: {
    expected: 'a byte size such as "8MiB" or "256KB" (or a number of bytes)',
    read(raw) {
      const value =
        typeof raw === 'number' ? raw : typeof raw === 'string' ? quantity(raw, BYTE_UNITS, true) : undefined;
      return value !== undefined && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
    },
  } as ConfigReader<number>,
  /** An array whose every element `element` reads. Kompact: `as_array`. */
  array: arrayOf,
} as const;
