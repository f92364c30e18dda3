import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import pino, { type Logger } from 'pino';
import { firstUnknownName } from '../internal/closest-name.js';
import { describeValue } from '../internal/describe-value.js';
import { KompactError } from '../internal/kompact-error.js';
import type { ReceiveBacklog } from '../messaging/receive-backlog.js';
import type { ActorPath } from '../paths/actor-path.js';
import { SystemPath } from '../paths/system-path.js';
import type { SerId } from '../serialisation/ser-id.js';
import { type Clock, SystemClock } from '../timer/clock.js';
import type { DataFrame } from './frame.js';
import type { HandshakeRole } from './handshake-proof.js';
import { canonicalIp } from './ip-address.js';
import type { LostReason, TransportEvent } from './transport-events.js';

/**
 * Receives a data frame's fields, its payload in place, the system it came from, and the receive
 * backlog of its connection (to count the messages made from it until components take them): the type
 * of {@link TcpTransportOptions.onData}.
 */
export type DataHandler = (
  serId: SerId,
  sender: ActorPath,
  receiver: ActorPath,
  chunk: Uint8Array,
  offset: number,
  length: number,
  from: SystemPath,
  backlog: ReceiveBacklog,
) => void;

/** Key material for TLS; strings or buffers in PEM, as `node:tls` takes them. */
export interface TcpTransportTls {
  /** This system's private key. */
  readonly key: string | Buffer;
  /** This system's certificate chain; presented as a server and, to peers that ask, as a client. */
  readonly cert: string | Buffer;
  /** Trusted certificate authorities (for a self-signed deployment: the certificate itself). */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Whether an accepting system asks dialers for a certificate. Default `true` (mutual TLS). */
  readonly requestCert?: boolean;
  /** Whether a certificate that does not verify closes the connection. Default `true`. */
  readonly rejectUnauthorized?: boolean;
}

/**
 * Options of a {@link TcpTransport}; every field is optional.
 *
 * Kompact: `NetworkConfig` (address, `max_connection_retry_attempts`, `connection_retry_interval`,
 * `tcp_nodelay`), plus the frame limits, backpressure and security options of kompact-ts.
 */
export interface TcpTransportOptions {
  /** Interface to listen on. Default `'127.0.0.1'` (loopback unless asked otherwise). */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one. Default 0. */
  readonly port?: number;
  /**
   * The host other systems reach this one at, put into its system path (and so into its actor paths,
   * the handshake and the sender of every message it sends) instead of the bound address. Set it when
   * binding a wildcard address (`0.0.0.0`, `::`) or behind NAT: an IP address or hostname, not a
   * wildcard. Default: the bound address.
   */
  readonly advertisedHost?: string;
  /**
   * The port other systems reach this one at, put into its system path instead of the bound port
   * (behind port forwarding); 1 to 65535. Default: the bound port.
   */
  readonly advertisedPort?: number;
  /** Largest frame accepted or sent, in bytes after the 4-byte length. Default 8 MiB. */
  readonly maxFrameBytes?: number;
  /**
   * Per remote system: once the bytes of frames queued, unsent or unacknowledged reach this, `send`
   * refuses with `backpressure` until acknowledgements bring them under. Default 16 MiB.
   */
  readonly highWaterMarkBytes?: number;
  /**
   * Per connection: once this many messages it delivered wait in components' mailboxes, not yet
   * handled, the connection withholds its acknowledgements, so the sending system reaches its
   * high-water mark and refuses with `backpressure`; they resume when the backlog is back under.
   * Default 65536.
   */
  readonly maxReceiveBacklogMessages?: number;
  /**
   * Like `maxReceiveBacklogMessages`, for the payload bytes of those messages. Default 16 MiB.
   */
  readonly maxReceiveBacklogBytes?: number;
  /** Most bytes of data frames in one `socket.write`. Default 1 MiB. */
  readonly maxWriteBatchBytes?: number;
  /** Failed connection attempts retried before the queue is dropped. Default 10 (Kompact's). */
  readonly maxConnectionRetryAttempts?: number;
  /** Wait between connection attempts. Default 5000 ms (Kompact's). */
  readonly connectionRetryIntervalMs?: number;
  /** Time for connecting plus the handshake. Default 5000 ms. */
  readonly handshakeTimeoutMs?: number;
  /** Time a graceful close waits for the peer's `bye` before destroying the socket. Default 2000 ms. */
  readonly closeTimeoutMs?: number;
  /**
   * Most incoming connections open at once (in handshake or established). When it is reached, a new
   * connection closes the oldest one still in its handshake to make room; with none in a handshake it
   * is refused. Default 1100 (Kompact's hard connection limit).
   */
  readonly maxIncomingConnections?: number;
  /**
   * Established connections (incoming and outgoing) above which the least recently used one is closed
   * gracefully, with a `soft-connection-limit-exceeded` status event. Default 1000 (Kompact's soft
   * connection limit).
   */
  readonly softConnectionLimit?: number;
  /**
   * Most incoming connections in their handshake at once (counted within `maxIncomingConnections`): a
   * new one closes the oldest to make room, so idle connections that never handshake cannot keep a
   * legitimate system out for longer than it takes to dial again. Default 64.
   */
  readonly maxHandshakingConnections?: number;
  /**
   * Most incoming connections in their handshake at once from one IP address; a new one from that
   * address closes its oldest. Default 8.
   */
  readonly maxHandshakingPerAddress?: number;
  /**
   * Failed shared-secret proofs from one IP address, within `handshakeFailureWindowMs`, after which new
   * connections from it are refused for `handshakeBackoffMs` (doubling, up to 10 minutes, each time it
   * happens again). Default 5.
   */
  readonly maxHandshakeFailures?: number;
  /** The window `maxHandshakeFailures` is counted in. Default 60000 ms. */
  readonly handshakeFailureWindowMs?: number;
  /** How long an address is first refused after too many failed proofs. Default 5000 ms. */
  readonly handshakeBackoffMs?: number;
  /**
   * A secret every system of the deployment shares; peers that cannot prove it are refused. At least
   * 16 bytes (UTF-8 for a string): the proofs a system sends can be used to test guesses offline, so
   * the secret must be too long to guess (a random 16 bytes or more, not a word). It authenticates
   * systems; it does not encrypt or protect the frames after the handshake (use `tls` for that).
   */
  readonly sharedSecret?: string | Uint8Array;
  /** TLS key material; without it connections are plain TCP. */
  readonly tls?: TcpTransportTls;
  /** `socket.setNoDelay`. Default `true` (Kompact's `tcp_nodelay`). */
  readonly noDelay?: boolean;
  /** Source of time for retries and timeouts. Default the host clock. */
  readonly clock?: Clock;
  /** Logger for connection errors and refusals. Default pino at `info` on stderr. */
  readonly logger?: Logger;
  /**
   * Receives every data frame, in order per connection, with the system it came from, in place (no
   * frame object, no view of the payload): the payload is `length` bytes at `offset` in `chunk`,
   * never written again. Its last argument is the connection's receive backlog: a receiver that
   * queues the frame's message counts it there (`add`) until it is handled (`remove`), and the
   * connection withholds acknowledgements while the backlog is full.
   */
  readonly onData?: DataHandler;
  /** Receives every accepted frame that will not be delivered, with the reason. */
  readonly onLost?: (frame: DataFrame, reason: LostReason) => void;
  /** Receives connection and block-list events. */
  readonly onEvent?: (event: TransportEvent) => void;
  /** Sees every socket the transport makes or accepts, before it is used (instrumentation, tests). */
  readonly onSocket?: (socket: Socket, role: HandshakeRole) => void;
  /**
   * Called when a socket read starts, before its data frames go to `onData`. A system holds its
   * scheduler's drain here, so that the turns the read queues wait for `onReadEnd`, not a microtask.
   */
  readonly onReadStart?: () => void;
  /**
   * Called at the end of every socket read, after its data frames went to `onData`; the transport then
   * writes at once what was sent since the read started and the read's acknowledgement, still inside
   * the socket's `data` handler. A system runs the turns the read queued here, so their replies leave
   * in that write, as a plain `node:net` echo answers in its handler. With neither this nor
   * `onReadStart`, writes wait for a microtask (and the acknowledgement for the replies sent in
   * microtasks queued by `onData`).
   */
  readonly onReadEnd?: () => void;
}

/** The options with defaults applied and values checked. @internal */
export interface ResolvedTransportOptions {
  readonly host: string;
  readonly port: number;
  readonly advertisedHost: string | undefined;
  readonly advertisedPort: number | undefined;
  readonly maxFrameBytes: number;
  readonly highWaterMarkBytes: number;
  readonly maxReceiveBacklogMessages: number;
  readonly maxReceiveBacklogBytes: number;
  readonly maxWriteBatchBytes: number;
  readonly maxConnectionRetryAttempts: number;
  readonly connectionRetryIntervalMs: number;
  readonly handshakeTimeoutMs: number;
  readonly closeTimeoutMs: number;
  readonly maxIncomingConnections: number;
  readonly softConnectionLimit: number;
  readonly maxHandshakingConnections: number;
  readonly maxHandshakingPerAddress: number;
  readonly maxHandshakeFailures: number;
  readonly handshakeFailureWindowMs: number;
  readonly handshakeBackoffMs: number;
  readonly secret: Uint8Array | undefined;
  readonly tls: TcpTransportTls | undefined;
  readonly noDelay: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onData: DataHandler;
  readonly onLost: (frame: DataFrame, reason: LostReason) => void;
  readonly onEvent: (event: TransportEvent) => void;
  readonly onSocket: ((socket: Socket, role: HandshakeRole) => void) | undefined;
  readonly onReadStart: (() => void) | undefined;
  readonly onReadEnd: (() => void) | undefined;
}

const noop = (): void => {};

/** Every option of {@link TcpTransportOptions}: anything else in an options object is refused. */
const TRANSPORT_OPTION_NAMES = Object.keys({
  host: true,
  port: true,
  advertisedHost: true,
  advertisedPort: true,
  maxFrameBytes: true,
  highWaterMarkBytes: true,
  maxWriteBatchBytes: true,
  maxConnectionRetryAttempts: true,
  connectionRetryIntervalMs: true,
  handshakeTimeoutMs: true,
  closeTimeoutMs: true,
  maxIncomingConnections: true,
  softConnectionLimit: true,
  maxHandshakingConnections: true,
  maxHandshakingPerAddress: true,
  maxHandshakeFailures: true,
  handshakeFailureWindowMs: true,
  handshakeBackoffMs: true,
  maxReceiveBacklogMessages: true,
  maxReceiveBacklogBytes: true,
  sharedSecret: true,
  tls: true,
  noDelay: true,
  clock: true,
  logger: true,
  onData: true,
  onLost: true,
  onEvent: true,
  onSocket: true,
  onReadStart: true,
  onReadEnd: true,
} satisfies Record<keyof TcpTransportOptions, true>);

/** Every field of {@link TcpTransportTls}. */
const TLS_OPTION_NAMES = Object.keys({
  key: true,
  cert: true,
  ca: true,
  requestCert: true,
  rejectUnauthorized: true,
} satisfies Record<keyof TcpTransportTls, true>);

/** The options a transport's owner sets itself (a system's network), not its user. @internal */
export const TRANSPORT_OWNER_OPTIONS: readonly string[] = [
  'clock',
  'logger',
  'onData',
  'onLost',
  'onEvent',
  'onSocket',
  'onReadStart',
  'onReadEnd',
];

/**
 * Refuses a name in `options` that is not one of `known`: a misspelt option (`sharedsecret`) would
 * otherwise be ignored in silence, and a system built without the setting meant (no authentication).
 *
 * @throws {@link KompactError} `CONFIG_INVALID` naming the option and the closest known one.
 * @internal
 */
export function checkOptionNames(options: object, known: readonly string[], what: string, prefix = ''): void {
  const unknown = firstUnknownName(Object.keys(options), known);
  if (unknown === undefined) return;
  const { name, closest } = unknown;
  throw new KompactError(
    'CONFIG_INVALID',
    `Unknown ${what} \`${prefix}${name}\`${closest === undefined ? '' : ` (did you mean \`${prefix}${closest}\`?)`}; ` +
      `the options are ${known.map((option) => `${prefix}${option}`).join(', ')}`,
  );
}

/** The options of {@link TcpTransportOptions} without those its owner sets. @internal */
export function userOptionNames(): readonly string[] {
  return TRANSPORT_OPTION_NAMES.filter((name) => !TRANSPORT_OWNER_OPTIONS.includes(name));
}

/**
 * Builds the error for one invalid option from its name (`port`, `tls.key`), its value and what it
 * should be. @internal
 */
export type InvalidOption = (name: string, value: unknown, expected: string) => KompactError;

/** The error for an option given in code: "Expected `port` to be …, got …". */
const invalidOption: InvalidOption = (name, value, expected) =>
  new KompactError('CONFIG_INVALID', `Expected \`${name}\` to be ${expected}, got ${describeValue(value)}`);

let sharedDefaultLogger: Logger | undefined;

/**
 * The logger of transports given none: made once per process, when first needed, so that each check
 * of options (`KompactConfig.network()`, `setValue`, `build()`) does not open another stderr stream.
 */
function defaultLogger(): Logger {
  sharedDefaultLogger ??= pino({ level: 'info' }, pino.destination(2));
  return sharedDefaultLogger;
}

/**
 * Applies defaults and checks every option.
 *
 * `fail` makes the error for an invalid option; a configuration that read the option from a file
 * names the file's key and the file instead of the option.
 *
 * @throws {@link KompactError} `CONFIG_INVALID` naming the option and the value.
 * @internal
 */
export function resolveTransportOptions(
  options: TcpTransportOptions,
  fail: InvalidOption = invalidOption,
): ResolvedTransportOptions {
  if (typeof options !== 'object' || options === null) {
    throw fail('options', options, 'an object');
  }
  checkOptionNames(options, TRANSPORT_OPTION_NAMES, 'network option');
  const host = options.host === undefined ? '127.0.0.1' : options.host;
  if (typeof host !== 'string' || host === '') throw fail('host', host, 'a non-empty string');
  const secret = resolveSecret(fail, options.sharedSecret);
  const tls = options.tls;
  if (tls !== undefined) {
    if (typeof tls !== 'object' || tls === null) throw fail('tls', tls, 'an object with `key` and `cert`');
    checkOptionNames(tls, TLS_OPTION_NAMES, 'network option', 'tls.');
    if (!isKeyMaterial(tls.key)) throw fail('tls.key', tls.key, 'a PEM string or Buffer');
    if (!isKeyMaterial(tls.cert)) throw fail('tls.cert', tls.cert, 'a PEM string or Buffer');
    const ca: unknown = tls.ca;
    if (
      ca !== undefined &&
      !isKeyMaterial(ca) &&
      !(Array.isArray(ca) && ca.length > 0 && ca.every(isKeyMaterial))
    ) {
      throw fail('tls.ca', ca, 'a PEM string or Buffer, or a non-empty array of them');
    }
    boolean(fail, 'tls.requestCert', tls.requestCert, true);
    boolean(fail, 'tls.rejectUnauthorized', tls.rejectUnauthorized, true);
  }
  const maxFrameBytes = integer(
    fail,
    'maxFrameBytes',
    options.maxFrameBytes,
    8 * 1024 * 1024,
    64,
    0xffff_ffff,
  );
  const resolved: ResolvedTransportOptions = {
    host,
    port: integer(fail, 'port', options.port, 0, 0, 65535),
    advertisedHost: resolveAdvertisedHost(fail, options.advertisedHost),
    advertisedPort:
      options.advertisedPort === undefined
        ? undefined
        : integer(fail, 'advertisedPort', options.advertisedPort, 0, 1, 65535),
    maxFrameBytes,
    highWaterMarkBytes: integer(
      fail,
      'highWaterMarkBytes',
      options.highWaterMarkBytes,
      16 * 1024 * 1024,
      1,
      2 ** 52,
    ),
    maxReceiveBacklogMessages: integer(
      fail,
      'maxReceiveBacklogMessages',
      options.maxReceiveBacklogMessages,
      65_536,
      1,
      2 ** 31 - 1,
    ),
    maxReceiveBacklogBytes: integer(
      fail,
      'maxReceiveBacklogBytes',
      options.maxReceiveBacklogBytes,
      16 * 1024 * 1024,
      1,
      2 ** 52,
    ),
    maxWriteBatchBytes: integer(
      fail,
      'maxWriteBatchBytes',
      options.maxWriteBatchBytes,
      1024 * 1024,
      1,
      2 ** 31,
    ),
    maxConnectionRetryAttempts: integer(
      fail,
      'maxConnectionRetryAttempts',
      options.maxConnectionRetryAttempts,
      10,
      0,
      2 ** 31,
    ),
    connectionRetryIntervalMs: integer(
      fail,
      'connectionRetryIntervalMs',
      options.connectionRetryIntervalMs,
      5000,
      1,
      2 ** 31 - 1,
    ),
    handshakeTimeoutMs: integer(fail, 'handshakeTimeoutMs', options.handshakeTimeoutMs, 5000, 1, 2 ** 31 - 1),
    closeTimeoutMs: integer(fail, 'closeTimeoutMs', options.closeTimeoutMs, 2000, 1, 2 ** 31 - 1),
    maxIncomingConnections: integer(
      fail,
      'maxIncomingConnections',
      options.maxIncomingConnections,
      1100,
      1,
      2 ** 31 - 1,
    ),
    softConnectionLimit: integer(
      fail,
      'softConnectionLimit',
      options.softConnectionLimit,
      1000,
      1,
      2 ** 31 - 1,
    ),
    maxHandshakingConnections: integer(
      fail,
      'maxHandshakingConnections',
      options.maxHandshakingConnections,
      64,
      1,
      2 ** 31 - 1,
    ),
    maxHandshakingPerAddress: integer(
      fail,
      'maxHandshakingPerAddress',
      options.maxHandshakingPerAddress,
      8,
      1,
      2 ** 31 - 1,
    ),
    maxHandshakeFailures: integer(
      fail,
      'maxHandshakeFailures',
      options.maxHandshakeFailures,
      5,
      1,
      2 ** 31 - 1,
    ),
    handshakeFailureWindowMs: integer(
      fail,
      'handshakeFailureWindowMs',
      options.handshakeFailureWindowMs,
      60_000,
      1,
      2 ** 31 - 1,
    ),
    handshakeBackoffMs: integer(fail, 'handshakeBackoffMs', options.handshakeBackoffMs, 5000, 1, 2 ** 31 - 1),
    secret,
    tls,
    noDelay: boolean(fail, 'noDelay', options.noDelay, true),
    clock: options.clock ?? new SystemClock(),
    logger: options.logger ?? defaultLogger(),
    onData: callback(fail, 'onData', options.onData) ?? noop,
    onLost: callback(fail, 'onLost', options.onLost) ?? noop,
    onEvent: callback(fail, 'onEvent', options.onEvent) ?? noop,
    onSocket: callback(fail, 'onSocket', options.onSocket),
    onReadStart: callback(fail, 'onReadStart', options.onReadStart),
    onReadEnd: callback(fail, 'onReadEnd', options.onReadEnd),
  };
  if (isIP(host) === 0 && !/^[a-z0-9.-]+$/i.test(host)) throw fail('host', host, 'an IP address or hostname');
  return resolved;
}

/** Whether `address` is the IPv4 or IPv6 wildcard address, which listens on every interface. @internal */
export function isWildcardAddress(address: string): boolean {
  const canonical = canonicalIp(address);
  return canonical === '0.0.0.0' || canonical === '::';
}

function resolveAdvertisedHost(fail: InvalidOption, host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  const expected = 'an IP address or hostname other systems can reach (IPv6 without brackets)';
  if (typeof host !== 'string' || host === '') throw fail('advertisedHost', host, expected);
  let canonical: string;
  try {
    canonical = new SystemPath('tcp', host, 0).host;
  } catch {
    throw fail('advertisedHost', host, expected);
  }
  if (isWildcardAddress(canonical)) {
    throw fail('advertisedHost', host, `${expected}, not a wildcard address`);
  }
  return canonical;
}

/**
 * The fewest bytes a shared secret may have. A dialer's proof lets whoever it dials test guesses of the
 * secret offline, at millions per second: only a secret too long to enumerate resists that.
 */
export const MIN_SHARED_SECRET_BYTES = 16;

function resolveSecret(fail: InvalidOption, secret: string | Uint8Array | undefined): Uint8Array | undefined {
  if (secret === undefined) return undefined;
  const bytes =
    typeof secret === 'string'
      ? new Uint8Array(Buffer.from(secret, 'utf8'))
      : secret instanceof Uint8Array
        ? new Uint8Array(secret)
        : undefined;
  if (bytes === undefined || bytes.length < MIN_SHARED_SECRET_BYTES) {
    throw fail(
      'sharedSecret',
      // Never put a secret, even a weak one, into an error message (and so into a log).
      bytes === undefined ? secret : `${bytes.length} bytes, not shown`,
      `a string or Uint8Array of at least ${MIN_SHARED_SECRET_BYTES} bytes (a random secret: shorter ones can be guessed)`,
    );
  }
  return bytes;
}

function isKeyMaterial(value: unknown): boolean {
  return (typeof value === 'string' && value !== '') || (Buffer.isBuffer(value) && value.length > 0);
}

function integer(
  fail: InvalidOption,
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw fail(name, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

function boolean(fail: InvalidOption, name: string, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw fail(name, value, 'a boolean');
  return value;
}

function callback<F>(fail: InvalidOption, name: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function') throw fail(name, value, 'a function');
  return value;
}
