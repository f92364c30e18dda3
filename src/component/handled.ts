import { describeThrown } from '../internal/describe-thrown.js';

/**
 * How a handler asks the runtime to go on after it returned.
 *
 * - `ok`: carry on with the next event.
 * - `shutdown`: destroy this component now; `onKill` runs once, queued work is dropped to dead letters.
 * - `block-on`: handle nothing else (no message, port event, timer or lifecycle event) until the
 *   future settles; the component's queues keep their order meanwhile.
 *
 * Kompact: `Handled::{Ok, Shutdown, BlockOn}`.
 */
export type Handled =
  | { readonly kind: 'ok' }
  | { readonly kind: 'shutdown' }
  | { readonly kind: 'block-on'; readonly future: () => PromiseLike<HandlerResult> };

/**
 * The values a handler can return. `undefined` (a handler that returns nothing) means `Handled.Ok`.
 *
 * Kompact: `HandlerResult = Result<Handled, HandlerError>`.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing means Handled.Ok
export type HandlerResult = void | Handled | HandlerError;

/**
 * What a handler may return: a {@link HandlerResult}, or a promise of one. An `async` handler blocks its
 * component exactly like `Handled.blockOn`: two handlers of one component never interleave.
 */
export type HandlerReturn = HandlerResult | PromiseLike<HandlerResult>;

const ok: Handled = Object.freeze({ kind: 'ok' });
const shutdown: Handled = Object.freeze({ kind: 'shutdown' });

/**
 * Constructors for {@link Handled} results.
 *
 * Kompact: `Handled::OK`, `Handled::SHUTDOWN`, `Handled::block_on`.
 *
 * @example
 * ```ts
 * override receiveLocal(msg: Msg): HandlerReturn {
 *   if (msg.kind === 'quit') return Handled.Shutdown;
 *   return Handled.blockOn(async () => { this.value = await fetchValue(); });
 * }
 * ```
 */
export const Handled = {
  /** Carry on with the next event. */
  Ok: ok,
  /** Destroy this component now, running `onKill` once. */
  Shutdown: shutdown,
  /**
   * Block the component until `future` settles, then classify what it resolved to like any handler
   * result. A rejection is a fault (Kompact's panic path).
   */
  blockOn(future: () => PromiseLike<HandlerResult>): Handled {
    if (typeof future !== 'function') {
      throw new TypeError(`Expected \`future\` to be a function returning a promise, got ${typeof future}`);
    }
    return { kind: 'block-on', future };
  },
} as const;

/**
 * How bad a {@link HandlerError} is.
 *
 * - `benign`: logged at warn; the component carries on.
 * - `recoverable`: the component becomes faulty and its recovery function runs (see fault recovery).
 * - `unrecoverable`: the component is destroyed at once, without `onKill` and without recovery.
 */
export type HandlerErrorKind = 'benign' | 'recoverable' | 'unrecoverable';

/**
 * An error a handler reports by returning it (or by throwing or rejecting with it), classified by how
 * the runtime should react. Any other thrown value is a panic: the component becomes faulty.
 *
 * Kompact: `HandlerError::{Benign, Recoverable, Unrecoverable}`.
 *
 * @example
 * ```ts
 * override receiveLocal(msg: string): HandlerReturn {
 *   if (msg === '') return HandlerError.benign(new Error('empty message ignored'));
 * }
 * ```
 */
export class HandlerError extends Error {
  /** How the runtime reacts to this error. */
  readonly kind: HandlerErrorKind;
  /** The wrapped error, as given. */
  readonly error: unknown;

  private constructor(kind: HandlerErrorKind, error: unknown) {
    super(`${kind} handler error: ${describeThrown(error)}`, { cause: error });
    this.name = 'HandlerError';
    this.kind = kind;
    this.error = error;
  }

  /** A problem worth a warning; the component carries on. */
  static benign(error: unknown): HandlerError {
    return new HandlerError('benign', error);
  }

  /** A fault: the component becomes faulty and its recovery function decides what happens next. */
  static recoverable(error: unknown): HandlerError {
    return new HandlerError('recoverable', error);
  }

  /** The component is destroyed at once, without `onKill` and without recovery. */
  static unrecoverable(error: unknown): HandlerError {
    return new HandlerError('unrecoverable', error);
  }
}
