// The lexical rules shared by system paths, actor paths and aliases (reference §1.12). Internal to
// dispatch/: callers go through SystemPath, ActorPath and parseAlias.
import { isIPv4, isIPv6 } from 'node:net';
import { PathParseError } from './path-parse-error.js';

/** The segment that marks a broadcast to every member of a group. */
export const BROADCAST_MARKER = '*';
/** The segment that marks a select of one member of a group. */
export const SELECT_MARKER = '?';

const ILLEGAL_IN_SEGMENT = ['/', '#', '*', '?'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DIGITS_AND_DOTS = /^[0-9.]+$/;
const HOSTNAME_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const ALL_DIGITS = /^[0-9]+$/;

/**
 * Checks one path segment: non-empty and free of `/ # * ?`. `input` is the text quoted in the error.
 *
 * @internal
 */
export function checkSegment(segment: string, input: string): void {
  if (segment === '') {
    throw new PathParseError('empty-segment', input, 'a path segment is empty');
  }
  for (const character of ILLEGAL_IN_SEGMENT) {
    if (segment.includes(character)) {
      throw new PathParseError(
        'illegal-character',
        input,
        `segment ${JSON.stringify(segment)} contains \`${character}\`; segments may not contain \`/\`, \`#\`, ` +
          '`*` or `?` (the markers `*` and `?` are whole last segments)',
      );
    }
  }
}

/**
 * Validates and canonicalises a host: dotted-quad IPv4, IPv6 (given without brackets; printed
 * compressed and lower-case) or an RFC 1123 hostname (printed lower-case).
 *
 * @internal
 */
export function canonicalHost(host: string, input: string): string {
  if (host === '') throw new PathParseError('address', input, 'the host is empty');
  if (host.includes(':')) {
    if (!isIPv6(host)) throw new PathParseError('address', input, `\`${host}\` is not a valid IPv6 address`);
    try {
      // WHATWG URL parsing gives the RFC 5952 form, so `0:0::1` and `::1` name the same system.
      return new URL(`http://[${host}]/`).hostname.slice(1, -1);
    } catch {
      throw new PathParseError(
        'address',
        input,
        `\`${host}\` is not a valid IPv6 address (zone ids are not supported)`,
      );
    }
  }
  if (DIGITS_AND_DOTS.test(host)) {
    if (!isIPv4(host)) {
      throw new PathParseError(
        'address',
        input,
        `\`${host}\` is not a valid IPv4 address (four decimal numbers from 0 to 255, no leading zeros)`,
      );
    }
    return host;
  }
  const labels = host.split('.');
  if (host.length > 253 || !labels.every((label) => HOSTNAME_LABEL.test(label))) {
    throw new PathParseError(
      'address',
      input,
      `\`${host}\` is not an IPv4 address, a bracketed IPv6 address or a hostname ` +
        '(dot-separated labels of letters, digits and inner hyphens)',
    );
  }
  if (ALL_DIGITS.test(labels[labels.length - 1] ?? '')) {
    throw new PathParseError(
      'address',
      input,
      `\`${host}\` is not a valid hostname (its last label is a number)`,
    );
  }
  return host.toLowerCase();
}

/** Formats a canonical host for a path: IPv6 in brackets. @internal */
export function hostForPath(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Parses a decimal port from 0 to 65535. @internal */
export function parsePort(text: string, input: string): number {
  if (!ALL_DIGITS.test(text) || text.length > 5) {
    throw new PathParseError(
      'port',
      input,
      text === '' ? 'the port is empty' : `port \`${text}\` is not a decimal integer from 0 to 65535`,
    );
  }
  const port = Number(text);
  if (port > 65535) {
    throw new PathParseError('port', input, `port ${port} is out of range (0 to 65535)`);
  }
  return port;
}

/** Validates a component id (a UUID) and returns it lower-case. @internal */
export function canonicalId(id: string, input: string): string {
  if (!UUID.test(id)) {
    throw new PathParseError(
      'id',
      input,
      id === '' ? 'the component id after `#` is empty' : `\`${id}\` is not a component id (a UUID)`,
    );
  }
  return id.toLowerCase();
}
