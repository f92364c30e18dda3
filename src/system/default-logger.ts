import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';
import { describeValue } from '../internal/describe-value.js';
import { KompactError } from '../internal/kompact-error.js';

/** How the default logger writes its lines: one JSON object each, or one readable line each. */
export type LogFormat = 'pretty' | 'json';

/** Where the default logger writes: anything with `write` (a stream), and whether it is a terminal. */
export interface LogDestination {
  /** Writes one log line (with its newline); a `Writable` stream's `write` fits. */
  write(text: string): unknown;
  /** `true` for a terminal: pretty lines unless `NODE_ENV=production`. */
  readonly isTTY?: boolean | undefined;
}

/** The options of {@link defaultLogger}; each has a default. */
export interface DefaultLoggerOptions {
  /** The level when `KOMPACT_LOG_LEVEL` is not set. Default `info`. */
  readonly level?: LevelWithSilent;
  /** The format when `KOMPACT_LOG_FORMAT` is not set. Default: by the destination and `NODE_ENV`. */
  readonly format?: LogFormat;
  /** Where lines go. Default `process.stderr`. */
  readonly destination?: LogDestination;
  /** The environment variables to read. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const FORMATS: readonly LogFormat[] = ['pretty', 'json'];

/**
 * The logger a system uses when it is given none: pino, writing to stderr, readable at a terminal and
 * JSON where machines read it.
 *
 * Kompact: the default slog logger, an asynchronous terminal drain.
 *
 * @remarks What decides, first match wins: the environment variable `KOMPACT_LOG_FORMAT` (`pretty` or
 * `json`); then `options.format`; then JSON when `NODE_ENV` is `production`; then pretty when the
 * destination is a terminal (`isTTY`) and JSON otherwise — piped or redirected output stays JSON, one
 * object a line, for `pino-pretty`, `jq` or a log shipper. The level is `KOMPACT_LOG_LEVEL` when set,
 * else `options.level`, else `info`. Pretty lines are colourless when `NO_COLOR` is set. The JSON
 * logger is plain pino on fd 2, exactly as without this function; only pretty lines are reformatted.
 *
 * @throws {@link KompactError} `CONFIG_INVALID` for a `KOMPACT_LOG_LEVEL` or `KOMPACT_LOG_FORMAT` that
 * is not a level or a format.
 *
 * @example
 * ```ts
 * import { defaultLogger, KompactConfig } from 'kompact-ts';
 *
 * const logger = defaultLogger({ level: 'debug' });
 * const system = await KompactConfig.default().logger(logger).build();
 * ```
 */
export function defaultLogger(options: DefaultLoggerOptions = {}): Logger {
  const env = options.env ?? process.env;
  const destination = options.destination ?? process.stderr;
  const level = fromEnv(env, 'KOMPACT_LOG_LEVEL', LEVELS) ?? options.level ?? 'info';
  const format =
    fromEnv(env, 'KOMPACT_LOG_FORMAT', FORMATS) ??
    options.format ??
    (env.NODE_ENV !== 'production' && destination.isTTY === true ? 'pretty' : 'json');
  if (format === 'json') {
    // The default destination stays pino's own fd writer: the JSON case costs what it always did.
    const out = options.destination === undefined ? pino.destination(2) : (destination as DestinationStream);
    return pino({ level }, out);
  }
  const colour = destination.isTTY === true && (env.NO_COLOR ?? '') === '';
  return pino({ level }, { write: (line: string) => destination.write(prettyLine(line, colour)) });
}

/** The value of the environment variable `name` when it is set (non-empty), checked against `valid`. */
function fromEnv<T extends string>(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  valid: readonly T[],
): T | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  const lower = value.toLowerCase() as T;
  if (!valid.includes(lower)) {
    throw new KompactError(
      'CONFIG_INVALID',
      `Invalid value for ${name} (from the environment): expected one of ${valid.join(', ')}, got ${describeValue(value)}`,
    );
  }
  return lower;
}

const LABELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};

const COLOURS: Readonly<Record<number, string>> = {
  10: '\x1b[90m',
  20: '\x1b[90m',
  30: '\x1b[32m',
  40: '\x1b[33m',
  50: '\x1b[31m',
  60: '\x1b[41m',
};

/** pino's own fields and the ones the line shows up front; every other field is shown as `key=value`. */
const SHOWN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'system', 'cid', 'ctype', 'err']);

/**
 * One pino JSON line as `12:00:03.127 INFO  [system] Type(cid): message key=value`, with an error's
 * stack below it. A line that is not JSON is passed through.
 */
function prettyLine(line: string, colour: boolean): string {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = typeof fields.level === 'number' ? fields.level : 30;
  const label = LABELS[level] ?? String(fields.level);
  const shownLabel = colour ? `${COLOURS[level] ?? ''}${label}\x1b[0m` : label;
  const time = typeof fields.time === 'number' ? clockTime(new Date(fields.time)) : '';
  let text = `${time} ${shownLabel}`;
  if (fields.system !== undefined) text += ` [${String(fields.system)}]`;
  if (fields.ctype !== undefined) text += ` ${String(fields.ctype)}(${String(fields.cid)}):`;
  text += ` ${String(fields.msg ?? '')}`;
  for (const [key, value] of Object.entries(fields)) {
    if (!SHOWN.has(key) && value !== undefined) text += ` ${key}=${JSON.stringify(value)}`;
  }
  const err = fields.err as { stack?: unknown } | undefined;
  if (typeof err?.stack === 'string') text += `\n    ${err.stack.split('\n').join('\n    ')}`;
  else if (err !== undefined) text += ` err=${JSON.stringify(err)}`; // a thrown non-Error, as it was
  return `${text}\n`;
}

function clockTime(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}
