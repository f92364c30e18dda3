import { KompactError } from '../internal/kompact-error.js';

/**
 * Why bytes from a peer are not a valid frame; the `reason` of a {@link FrameError}.
 *
 * - `too-large`: the declared length is above the maximum frame size (code `FRAME_TOO_LARGE`); the
 *   decoder refuses it before buffering the body.
 * - `empty`: the declared length is 0, so there is no frame kind.
 * - `unknown-kind`: the frame-kind byte names no frame.
 * - `truncated`: the body ends before its fields do.
 * - `trailing-bytes`: the body holds bytes after its last field.
 * - `invalid-field`: a field has a value it cannot have (a proof flag other than 0 or 1, a zero serId).
 * - `invalid-utf8`: a string field is not valid UTF-8.
 * - `invalid-path`: a system or actor path field does not parse.
 * - `unsupported-version`: a `hello` speaks a protocol version this build does not.
 *
 * Every reason but `too-large` has the code `MALFORMED_FRAME`.
 */
export type FrameErrorReason =
  | 'too-large'
  | 'empty'
  | 'unknown-kind'
  | 'truncated'
  | 'trailing-bytes'
  | 'invalid-field'
  | 'invalid-utf8'
  | 'invalid-path'
  | 'unsupported-version';

/**
 * Bytes from a peer that do not form a valid frame. The frame decoder returns it (it never throws into
 * a socket callback); the connection logs it and closes.
 *
 * @example
 * ```ts
 * const error = decoder.push(chunk, onFrame);
 * if (error !== undefined) logger.error({ err: error, reason: error.reason }, 'Closing connection');
 * ```
 */
export class FrameError extends KompactError {
  /** What is wrong with the frame. */
  readonly reason: FrameErrorReason;

  constructor(reason: FrameErrorReason, message: string, options?: { cause?: unknown }) {
    super(reason === 'too-large' ? 'FRAME_TOO_LARGE' : 'MALFORMED_FRAME', message, options);
    this.name = 'FrameError';
    this.reason = reason;
  }
}
