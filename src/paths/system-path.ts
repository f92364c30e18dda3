import { describeValue } from '../internal/describe-value.js';
import { PathParseError } from './path-parse-error.js';
import { canonicalHost, hostForPath, parsePort } from './path-syntax.js';

/**
 * How messages reach a system: `tcp` over the network, `thread` for a worker system on a thread of
 * this process (and for a worker pool's paths), `local` for a system that opens no socket.
 *
 * Kompact: `Transport::{Local, Tcp, Udp}` (UDP is not ported; parsing `udp://…` fails with reason
 * `transport`).
 */
export type Transport = 'local' | 'tcp' | 'thread';

const TRANSPORTS: readonly string[] = ['local', 'tcp', 'thread'] satisfies readonly Transport[];

function isTransport(value: unknown): value is Transport {
  return typeof value === 'string' && TRANSPORTS.includes(value);
}

/**
 * The address of a Kompact system: transport, host and port, printed `tcp://127.0.0.1:63482`.
 *
 * Kompact: `SystemPath`.
 *
 * @remarks Immutable. Hosts are canonical: IPv4 as dotted quads, IPv6 compressed and lower-case (kept
 * without brackets in {@link SystemPath.host}, bracketed in the string form), hostnames lower-case; two
 * system paths are {@link SystemPath.equals | equal} when their string forms are.
 *
 * @example
 * ```ts
 * const system = new SystemPath('tcp', '127.0.0.1', 63482);
 * system.toString(); // 'tcp://127.0.0.1:63482'
 * SystemPath.parse('tcp://[::1]:9000').host; // '::1'
 * ```
 */
export class SystemPath {
  /** The transport. */
  readonly transport: Transport;
  /** The canonical host: an IPv4 address, an IPv6 address without brackets, or a lower-case hostname. */
  readonly host: string;
  /** The port, 0 to 65535. */
  readonly port: number;
  private readonly text: string;

  /**
   * Makes a system path from its parts.
   *
   * @throws TypeError when `transport` is not `'local'`, `'tcp'` or `'thread'`, `host` is not a string or `port` is
   * not an integer from 0 to 65535.
   * @throws {@link PathParseError} (reason `address`) when `host` is not a valid host.
   */
  constructor(transport: Transport, host: string, port: number) {
    if (!isTransport(transport)) {
      throw new TypeError(
        `Expected \`transport\` to be 'local', 'tcp' or 'thread', got ${describeValue(transport)}`,
      );
    }
    if (typeof host !== 'string') {
      throw new TypeError(`Expected \`host\` to be a string, got ${describeValue(host)}`);
    }
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new TypeError(`Expected \`port\` to be an integer from 0 to 65535, got ${describeValue(port)}`);
    }
    this.transport = transport;
    this.host = canonicalHost(host, host);
    this.port = port;
    this.text = `${transport}://${hostForPath(this.host)}:${port}`;
    Object.freeze(this);
  }

  /**
   * Parses `<transport>://<host>:<port>` with nothing after it.
   *
   * @throws TypeError when `text` is not a string.
   * @throws {@link PathParseError} when the text is malformed.
   */
  static parse(text: string): SystemPath {
    if (typeof text !== 'string') {
      throw new TypeError(`Expected \`text\` to be a string, got ${describeValue(text)}`);
    }
    const { system, rest } = parseSystemPrefix(text);
    if (rest !== '') {
      throw new PathParseError('form', text, `unexpected \`${rest}\` after the system address`);
    }
    return system;
  }

  /** Whether `other` names the same system. */
  equals(other: SystemPath): boolean {
    return this === other || (other instanceof SystemPath && this.text === other.text);
  }

  /** The string form, `tcp://127.0.0.1:63482` (IPv6 hosts in brackets). */
  toString(): string {
    return this.text;
  }
}

/**
 * Parses the `<transport>://<host>:<port>` prefix of `text`; `rest` is what follows (from the first `/`
 * or `#` after the authority).
 *
 * @internal
 */
export function parseSystemPrefix(text: string): { system: SystemPath; rest: string } {
  const schemeEnd = text.indexOf('://');
  if (schemeEnd === -1) {
    throw new PathParseError('form', text, 'expected `<transport>://<host>:<port>` at the start');
  }
  const transport = text.slice(0, schemeEnd);
  if (transport === 'udp') {
    throw new PathParseError('transport', text, 'the udp transport is not supported by kompact-ts (use tcp)');
  }
  if (!isTransport(transport)) {
    throw new PathParseError(
      'transport',
      text,
      transport === ''
        ? 'the transport is missing (expected `local`, `tcp` or `thread`)'
        : `unknown transport \`${transport}\` (expected \`local\`, \`tcp\` or \`thread\`)`,
    );
  }
  const authorityStart = schemeEnd + 3;
  let authorityEnd = text.length;
  for (let i = authorityStart; i < text.length; i++) {
    const c = text[i];
    if (c === '/' || c === '#') {
      authorityEnd = i;
      break;
    }
  }
  const authority = text.slice(authorityStart, authorityEnd);
  let host: string;
  let portText: string;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close === -1) {
      throw new PathParseError('address', text, 'an IPv6 address opened with `[` is not closed with `]`');
    }
    host = authority.slice(1, close);
    if (!host.includes(':')) {
      throw new PathParseError('address', text, `\`[${host}]\`: only IPv6 addresses go in brackets`);
    }
    const after = authority.slice(close + 1);
    if (!after.startsWith(':')) {
      throw new PathParseError('form', text, 'expected `:<port>` after the host');
    }
    portText = after.slice(1);
  } else {
    const colon = authority.lastIndexOf(':');
    if (colon === -1) {
      throw new PathParseError('form', text, 'expected `:<port>` after the host');
    }
    host = authority.slice(0, colon);
    if (host.includes(':')) {
      throw new PathParseError('address', text, `IPv6 address \`${host}\` must be written in brackets`);
    }
    portText = authority.slice(colon + 1);
  }
  const canonical = canonicalHost(host, text);
  const port = parsePort(portText, text);
  return { system: new SystemPath(transport, canonical, port), rest: text.slice(authorityEnd) };
}
