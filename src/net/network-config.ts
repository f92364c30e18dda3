import { closestName } from '../internal/closest-name.js';
import { type ConfigTree, isTree } from '../internal/config-tree.js';
import { describeValue } from '../internal/describe-value.js';
import { KompactError } from '../internal/kompact-error.js';
import type { NetworkOptions } from './network-link.js';
import { checkOptionNames, resolveTransportOptions, userOptionNames } from './tcp-transport-options.js';

/** The table whose keys configure the network. */
export const NETWORK_TABLE = 'kompact.network';

/**
 * The configuration keys of the network, with their defaults: the `network*` entries of `ConfigKeys`.
 *
 * Kompact: `NetworkConfig` (`core/src/net/mod.rs`).
 */
export const NETWORK_CONFIG_KEYS = {
  // Any key under `kompact.network`, even an empty `[kompact.network]` table, gives the system a
  // network, as `KompactConfig.network()` does; each key sets the `NetworkOptions` field named alike.
  /** The address the network listens on. Default `127.0.0.1`. */
  networkHost: 'kompact.network.host',
  /** The port the network listens on; 0 for any free one. Default 0. */
  networkPort: 'kompact.network.port',
  /** The host in this system's path instead of the bound one (`advertisedHost`). */
  networkAdvertisedHost: 'kompact.network.advertised-host',
  /** The port in this system's path instead of the bound one (`advertisedPort`). */
  networkAdvertisedPort: 'kompact.network.advertised-port',
  /** The secret every system of the deployment shares, as a string (`sharedSecret`). */
  networkSharedSecret: 'kompact.network.shared-secret',
  /** The largest frame accepted or sent, in bytes (`maxFrameBytes`). Default 8 MiB. */
  networkMaxFrameBytes: 'kompact.network.max-frame-bytes',
  /** Bytes queued or unacknowledged per remote system before sends are refused. Default 16 MiB. */
  networkHighWaterMarkBytes: 'kompact.network.high-water-mark-bytes',
  /** Messages received per connection and not yet handled before acks are withheld. Default 65536. */
  networkMaxReceiveBacklogMessages: 'kompact.network.max-receive-backlog-messages',
  /** Payload bytes of those messages before acks are withheld. Default 16 MiB. */
  networkMaxReceiveBacklogBytes: 'kompact.network.max-receive-backlog-bytes',
  /** Most bytes of data frames in one socket write (`maxWriteBatchBytes`). Default 1 MiB. */
  networkMaxWriteBatchBytes: 'kompact.network.max-write-batch-bytes',
  /** Failed connection attempts retried before queued messages are dropped. Default 10. */
  networkMaxConnectionRetryAttempts: 'kompact.network.max-connection-retry-attempts',
  /** Milliseconds between connection attempts (`connectionRetryIntervalMs`). Default 5000. */
  networkConnectionRetryIntervalMs: 'kompact.network.connection-retry-interval-ms',
  /** Milliseconds for connecting plus the handshake (`handshakeTimeoutMs`). Default 5000. */
  networkHandshakeTimeoutMs: 'kompact.network.handshake-timeout-ms',
  /** Milliseconds a graceful close waits for the peer (`closeTimeoutMs`). Default 2000. */
  networkCloseTimeoutMs: 'kompact.network.close-timeout-ms',
  /** Most incoming connections open at once (`maxIncomingConnections`). Default 1100. */
  networkMaxIncomingConnections: 'kompact.network.max-incoming-connections',
  /** Established connections above which the least recently used is closed (`softConnectionLimit`). Default 1000. */
  networkSoftConnectionLimit: 'kompact.network.soft-connection-limit',
  /** Most incoming connections in their handshake at once (`maxHandshakingConnections`). Default 64. */
  networkMaxHandshakingConnections: 'kompact.network.max-handshaking-connections',
  /** Most incoming handshakes at once from one address (`maxHandshakingPerAddress`). Default 8. */
  networkMaxHandshakingPerAddress: 'kompact.network.max-handshaking-per-address',
  /** Failed proofs from one address before it is refused (`maxHandshakeFailures`). Default 5. */
  networkMaxHandshakeFailures: 'kompact.network.max-handshake-failures',
  /** Milliseconds the failed proofs are counted in (`handshakeFailureWindowMs`). Default 60000. */
  networkHandshakeFailureWindowMs: 'kompact.network.handshake-failure-window-ms',
  /** Milliseconds an address is first refused after too many failures (`handshakeBackoffMs`). Default 5000. */
  networkHandshakeBackoffMs: 'kompact.network.handshake-backoff-ms',
  /** `socket.setNoDelay` (`noDelay`). Default `true`. */
  networkNoDelay: 'kompact.network.no-delay',
  /** This system's TLS private key, in PEM (`tls.key`). */
  networkTlsKey: 'kompact.network.tls.key',
  /** This system's TLS certificate chain, in PEM (`tls.cert`). */
  networkTlsCert: 'kompact.network.tls.cert',
  /** Trusted certificate authorities, a PEM string or an array of them (`tls.ca`). */
  networkTlsCa: 'kompact.network.tls.ca',
  /** Whether an accepting system asks dialers for a certificate (`tls.requestCert`). Default `true`. */
  networkTlsRequestCert: 'kompact.network.tls.request-cert',
  /** Whether a certificate that does not verify closes the connection. Default `true`. */
  networkTlsRejectUnauthorized: 'kompact.network.tls.reject-unauthorized',
} as const;

/** Each `kompact.network` key and the `NetworkOptions` field it sets (`tls.x` is a field of `tls`). */
const NETWORK_OPTION_OF_KEY: Readonly<Record<string, string>> = {
  [NETWORK_CONFIG_KEYS.networkHost]: 'host',
  [NETWORK_CONFIG_KEYS.networkPort]: 'port',
  [NETWORK_CONFIG_KEYS.networkAdvertisedHost]: 'advertisedHost',
  [NETWORK_CONFIG_KEYS.networkAdvertisedPort]: 'advertisedPort',
  [NETWORK_CONFIG_KEYS.networkSharedSecret]: 'sharedSecret',
  [NETWORK_CONFIG_KEYS.networkMaxFrameBytes]: 'maxFrameBytes',
  [NETWORK_CONFIG_KEYS.networkHighWaterMarkBytes]: 'highWaterMarkBytes',
  [NETWORK_CONFIG_KEYS.networkMaxReceiveBacklogMessages]: 'maxReceiveBacklogMessages',
  [NETWORK_CONFIG_KEYS.networkMaxReceiveBacklogBytes]: 'maxReceiveBacklogBytes',
  [NETWORK_CONFIG_KEYS.networkMaxWriteBatchBytes]: 'maxWriteBatchBytes',
  [NETWORK_CONFIG_KEYS.networkMaxConnectionRetryAttempts]: 'maxConnectionRetryAttempts',
  [NETWORK_CONFIG_KEYS.networkConnectionRetryIntervalMs]: 'connectionRetryIntervalMs',
  [NETWORK_CONFIG_KEYS.networkHandshakeTimeoutMs]: 'handshakeTimeoutMs',
  [NETWORK_CONFIG_KEYS.networkCloseTimeoutMs]: 'closeTimeoutMs',
  [NETWORK_CONFIG_KEYS.networkMaxIncomingConnections]: 'maxIncomingConnections',
  [NETWORK_CONFIG_KEYS.networkSoftConnectionLimit]: 'softConnectionLimit',
  [NETWORK_CONFIG_KEYS.networkMaxHandshakingConnections]: 'maxHandshakingConnections',
  [NETWORK_CONFIG_KEYS.networkMaxHandshakingPerAddress]: 'maxHandshakingPerAddress',
  [NETWORK_CONFIG_KEYS.networkMaxHandshakeFailures]: 'maxHandshakeFailures',
  [NETWORK_CONFIG_KEYS.networkHandshakeFailureWindowMs]: 'handshakeFailureWindowMs',
  [NETWORK_CONFIG_KEYS.networkHandshakeBackoffMs]: 'handshakeBackoffMs',
  [NETWORK_CONFIG_KEYS.networkNoDelay]: 'noDelay',
  [NETWORK_CONFIG_KEYS.networkTlsKey]: 'tls.key',
  [NETWORK_CONFIG_KEYS.networkTlsCert]: 'tls.cert',
  [NETWORK_CONFIG_KEYS.networkTlsCa]: 'tls.ca',
  [NETWORK_CONFIG_KEYS.networkTlsRequestCert]: 'tls.requestCert',
  [NETWORK_CONFIG_KEYS.networkTlsRejectUnauthorized]: 'tls.rejectUnauthorized',
};

/** The tables inside `kompact.network`; every other entry there must be a known key. */
const NETWORK_SUBTABLES: readonly string[] = [`${NETWORK_TABLE}.tls`];

/** Whether `key` is `kompact.network` or a key below it. */
export function isNetworkKey(key: string): boolean {
  return key === NETWORK_TABLE || key.startsWith(`${NETWORK_TABLE}.`);
}

/** Where the value of one network option comes from: a config key, or a `network()` call. */
type NetworkSetting = { readonly key: string } | { readonly key: undefined; readonly value: unknown };

/** Every `kompact.network` key (to name the closest one to a misspelt key). */
export function networkKeys(): readonly string[] {
  return Object.keys(NETWORK_OPTION_OF_KEY);
}

/**
 * The options of one `network()` call, checked on their own and copied (the caller keeps its object).
 *
 * @throws {@link KompactError} `CONFIG_INVALID` naming the first invalid option.
 */
export function networkCallOptions(options: NetworkOptions): NetworkOptions {
  // The system sets the transport's clock, logger and callbacks itself: given here they would be
  // ignored in silence.
  if (typeof options === 'object' && options !== null) {
    checkOptionNames(options, userOptionNames(), 'network option');
  }
  resolveTransportOptions(options);
  const tls = options.tls === undefined ? {} : { tls: { ...options.tls } };
  return { ...options, ...tls };
}

/**
 * The network part of a configuration: which source set each network option last (a key of the
 * merged tree, or a `network()` call), resolved into `NetworkOptions` when the settings are built.
 */
export class NetworkSettings {
  readonly #settings = new Map<string, NetworkSetting>();
  #hasCall = false;

  /** A `network()` call's options, in source order (later sources win per option). */
  addCall(options: NetworkOptions): void {
    this.#hasCall = true;
    for (const [option, value] of networkOptionEntries(options)) {
      this.#settings.set(option, { key: undefined, value });
    }
  }

  /** A key of the merged tree was set (in source order); remembered when it is a network option. */
  noteKey(path: string): void {
    const option = NETWORK_OPTION_OF_KEY[path];
    if (option !== undefined) this.#settings.set(option, { key: path });
  }

  /**
   * Checks the merged `kompact.network` table's keys (values are checked by {@link NetworkSettings.resolve},
   * since a later source may replace them); whether the system has a network: a `network()` call or a
   * `kompact.network` table.
   *
   * @throws {@link KompactError} `CONFIG_INVALID` for an unknown key, naming it and its source.
   */
  check(read: (key: string) => unknown, originOf: (key: string) => string): boolean {
    const table = read(NETWORK_TABLE);
    if (table !== undefined) checkNetworkTable(table, NETWORK_TABLE, originOf);
    return this.#hasCall || table !== undefined;
  }

  /**
   * The network options from the last source of each, checked together.
   *
   * @throws {@link KompactError} `CONFIG_INVALID` for an invalid value, naming its key and source.
   */
  resolve(read: (key: string) => unknown, originOf: (key: string) => string): NetworkOptions {
    return networkOptions(this.#settings, read, originOf);
  }
}

/** The options of a `network()` call by option name, a `tls` object's fields as `tls.<field>`. */
function networkOptionEntries(options: NetworkOptions): [string, unknown][] {
  const entries: [string, unknown][] = [];
  for (const [option, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (option === 'tls') {
      for (const [field, fieldValue] of Object.entries(value as object)) {
        if (fieldValue !== undefined) entries.push([`tls.${field}`, fieldValue]);
      }
    } else {
      entries.push([option, value]);
    }
  }
  return entries;
}

/**
 * The network options from the last source of each, checked together, so that an error names the
 * key and source of a value read from configuration.
 */
function networkOptions(
  settings: ReadonlyMap<string, NetworkSetting>,
  read: (key: string) => unknown,
  originOf: (key: string) => string,
): NetworkOptions {
  const options: Record<string, unknown> = {};
  const tls: Record<string, unknown> = {};
  for (const [option, setting] of settings) {
    const value = setting.key === undefined ? setting.value : read(setting.key);
    if (option.startsWith('tls.')) tls[option.slice(4)] = value;
    else options[option] = value;
  }
  if (Object.keys(tls).length > 0) options.tls = tls;
  resolveTransportOptions(options, (option, value, expected) => {
    const setting = settings.get(option);
    const key = setting === undefined ? keyOfOption(option) : setting.key;
    // Name the key and source like any config value; an option from network() by its own name.
    const name =
      setting === undefined
        ? `${key ?? option} (not set)`
        : setting.key === undefined
          ? `\`${option}\` (from network())`
          : `${setting.key} (from ${originOf(setting.key)})`;
    return new KompactError(
      'CONFIG_INVALID',
      `Invalid value for ${name}: expected ${expected}, got ${describeValue(value)}`,
    );
  });
  return options as NetworkOptions;
}

function keyOfOption(option: string): string | undefined {
  return Object.keys(NETWORK_OPTION_OF_KEY).find((key) => NETWORK_OPTION_OF_KEY[key] === option);
}

/**
 * Checks a `kompact.network` table: every entry a known key (or the `tls` table), no key unknown.
 * Values are checked when the options are put together, since a later source may replace them.
 */
function checkNetworkTable(table: unknown, path: string, originOf: (path: string) => string): void {
  if (!isTree(table)) {
    throw new KompactError(
      'CONFIG_INVALID',
      `Invalid value for ${path} (from ${originOf(path)}): expected a table of network settings, ` +
        `got ${describeValue(table)}`,
    );
  }
  for (const [name, value] of Object.entries(table)) {
    const key = `${path}.${name}`;
    if (NETWORK_SUBTABLES.includes(key)) {
      checkNetworkTable(value, key, originOf);
    } else if (NETWORK_OPTION_OF_KEY[key] === undefined) {
      const known = Object.keys(NETWORK_OPTION_OF_KEY)
        .filter((option) => option.startsWith(`${path}.`))
        .map((option) => option.slice(path.length + 1));
      const closest = closestName(name, known);
      throw new KompactError(
        'CONFIG_INVALID',
        `Unknown key ${key} (from ${originOf(firstLeaf(key, value))})` +
          `${closest === undefined ? ': the' : `; did you mean \`${path}.${closest}\`? The`} keys of ${path} are ` +
          `${known.join(', ')}`,
      );
    }
  }
}

/** The dotted path of the first value under `value` (itself unless it is a table), to name its source. */
function firstLeaf(path: string, value: unknown): string {
  if (!isTree(value)) return path;
  const first = Object.entries(value)[0];
  return first === undefined ? path : firstLeaf(`${path}.${first[0]}`, first[1]);
}

/**
 * Checks the network keys of one `setValue` at once: known keys, and values valid on their own.
 *
 * @throws {@link KompactError} `CONFIG_INVALID` naming the key, its source and what was expected.
 */
export function checkNetworkSource(key: string, value: unknown, tree: ConfigTree, origin: string): void {
  const table = (tree.kompact as ConfigTree | undefined)?.network;
  if (table === undefined) return;
  if (value instanceof Uint8Array) {
    // expandDottedKeys would take the bytes for a table; say what to do instead.
    throw new KompactError(
      'CONFIG_INVALID',
      `Invalid value for ${key} (from ${origin}): expected a string, got bytes; pass binary network ` +
        'settings to network()',
    );
  }
  checkNetworkTable(table, NETWORK_TABLE, () => origin);
  const settings = new Map<string, NetworkSetting>();
  // A TLS field is only valid next to a key and a certificate: stand in for those this source lacks.
  const placeholder: NetworkSetting = { key: undefined, value: 'placeholder' };
  const collect = (node: unknown, path: string): void => {
    if (isTree(node)) {
      for (const [name, child] of Object.entries(node)) collect(child, `${path}.${name}`);
      return;
    }
    const option = NETWORK_OPTION_OF_KEY[path] as string;
    if (option.startsWith('tls.')) {
      if (!settings.has('tls.key')) settings.set('tls.key', placeholder);
      if (!settings.has('tls.cert')) settings.set('tls.cert', placeholder);
    }
    settings.set(option, { key: path });
  };
  collect(table, NETWORK_TABLE);
  networkOptions(
    settings,
    (path) => readPath(tree, path),
    () => origin,
  );
}

/** The value at a dotted `path` of `tree`, or `undefined`. */
function readPath(tree: ConfigTree, path: string): unknown {
  let node: unknown = tree;
  for (const part of path.split('.')) node = isTree(node) ? node[part] : undefined;
  return node;
}
