import { KompactError } from '../internal/kompact-error.js';

/**
 * What is wrong with a malformed actor path, system path or alias; the `reason` of a {@link PathParseError}.
 *
 * - `form`: the text does not have the shape `<transport>://<host>:<port>` followed by `#<id>` or
 *   `/<segment>…` (for an actor path), or nothing (for a system path).
 * - `transport`: the transport is not `local`, `tcp` or `thread` (Kompact's `udp` is not ported).
 * - `address`: the host is not an IPv4 address, a bracketed IPv6 address or a hostname.
 * - `port`: the port is not a decimal integer from 0 to 65535.
 * - `id`: the text after `#` is not a component id (a UUID).
 * - `illegal-character`: a segment contains `/`, `#`, `*` or `?` (markers are whole segments).
 * - `empty-segment`: a segment is empty (`a//b`, a trailing `/`, or an alias starting or ending with `/`).
 * - `marker-position`: a routing marker (`*` or `?`) is not the last segment, or appears in an alias.
 *
 * Kompact: `PathParseError::{Form, Transport, Addr, IllegalCharacter}` (the other reasons are finer splits).
 */
export type PathParseReason =
  | 'form'
  | 'transport'
  | 'address'
  | 'port'
  | 'id'
  | 'illegal-character'
  | 'empty-segment'
  | 'marker-position';

/**
 * A malformed actor path, system path or alias: the message says what is wrong and quotes the input.
 *
 * Kompact: `PathParseError`.
 *
 * @example
 * ```ts
 * try { ActorPath.parse('tcp://127.0.0.1:70000/svc'); }
 * catch (e) { if (e instanceof PathParseError && e.reason === 'port') … }
 * ```
 */
export class PathParseError extends KompactError {
  /** What is wrong, for callers that branch on it. */
  readonly reason: PathParseReason;
  /** The text that failed to parse: a whole path, an alias or a single segment. */
  readonly input: string;

  constructor(reason: PathParseReason, input: string, detail: string) {
    super('PATH_PARSE_FAILED', `Cannot parse ${JSON.stringify(input)}: ${detail}`);
    this.name = 'PathParseError';
    this.reason = reason;
    this.input = input;
  }
}
