import { assertNever } from '../internal/assert-never.js';
import { KompactError } from '../internal/kompact-error.js';
import type { SystemPath } from '../paths/system-path.js';
import { type Frame, type HelloFrame, PROTOCOL_VERSION } from './frame.js';
import { type HandshakeRole, handshakeProof, makeNonce, proofMatches } from './handshake-proof.js';

/**
 * The cryptography a handshake uses, injected so that tests can make the step function deterministic.
 */
export interface HandshakeCrypto {
  /** A fresh random nonce for a `hello`. */
  nonce(): Uint8Array;
  /** The proof that `role` holds `secret` (see `handshakeProof`). */
  proof(
    secret: Uint8Array,
    role: HandshakeRole,
    dialerNonce: Uint8Array,
    acceptorNonce: Uint8Array,
    dialer: SystemPath,
    acceptor: SystemPath,
  ): Uint8Array;
  /** Whether `proof` equals `expected` (in constant time). */
  matches(proof: Uint8Array, expected: Uint8Array): boolean;
}

/** The real cryptography: random nonces, HMAC-SHA256 proofs, constant-time comparison. */
export const NODE_HANDSHAKE_CRYPTO: HandshakeCrypto = {
  nonce: makeNonce,
  proof: handshakeProof,
  matches: proofMatches,
};

/** What a handshake reads of its side: its path, its secret and which systems it refuses. */
export interface HandshakeEnvironment {
  /** This system's path, sent in `hello`. */
  readonly localSystem: SystemPath;
  /** The shared secret, or `undefined` when strangers are not refused. */
  readonly secret: Uint8Array | undefined;
  readonly crypto: HandshakeCrypto;
  /** Whether frames from or to `system` are refused. */
  isSystemBlocked(system: SystemPath): boolean;
}

/**
 * Where a handshake is (protocol version 2). The dialer goes `dialer-connecting` →
 * `dialer-await-hello` → `dialer-await-hello-ack` → `established`; the acceptor
 * `acceptor-await-hello` → `acceptor-await-hello-ack` → `established`; either side may end in `failed`.
 * `nonce` is this side's, `peerNonce` the peer's.
 */
export type HandshakeState =
  | { readonly kind: 'dialer-connecting'; readonly nonce: Uint8Array; readonly dialled: SystemPath }
  | { readonly kind: 'dialer-await-hello'; readonly nonce: Uint8Array; readonly dialled: SystemPath }
  | {
      readonly kind: 'dialer-await-hello-ack';
      readonly nonce: Uint8Array;
      readonly peerNonce: Uint8Array;
      readonly dialled: SystemPath;
    }
  | { readonly kind: 'acceptor-await-hello'; readonly nonce: Uint8Array }
  | {
      readonly kind: 'acceptor-await-hello-ack';
      readonly nonce: Uint8Array;
      readonly peerNonce: Uint8Array;
      readonly dialer: SystemPath;
    }
  | { readonly kind: 'established'; readonly peer: SystemPath }
  | { readonly kind: 'failed' };

/**
 * What happens to a handshake: the dialer's socket connected (`isAddressBlocked` when the host refuses
 * the peer's address), a frame arrived, or the handshake took longer than `timeoutMs`.
 */
export type HandshakeInput =
  | { readonly kind: 'connected'; readonly address: string | undefined; readonly isAddressBlocked: boolean }
  | { readonly kind: 'frame'; readonly frame: Frame }
  | { readonly kind: 'timeout'; readonly timeoutMs: number };

/** The level a failed handshake is logged at by a dialer (an acceptor logs every failure at debug). */
export type HandshakeLogLevel = 'error' | 'warn';

/**
 * What the connection does for a handshake step, in order.
 *
 * - `send`: write `frame` now (handshake frames are not coalesced).
 * - `identify`: the peer names itself `system` (an acceptor learns whom it talks to).
 * - `authentication-failed`: a dialer did not prove the shared secret (the transport slows guessing).
 * - `establish`: the handshake completed with `peer`.
 * - `fail`: close with `error`, logged at `level`, telling the peer why in a `bye` when `isByeUseful`.
 * - `destroy`: close at once, without a log line or a `bye` (a blocked address).
 */
export type HandshakeAction =
  | { readonly kind: 'send'; readonly frame: Frame }
  | { readonly kind: 'identify'; readonly system: SystemPath }
  | { readonly kind: 'authentication-failed' }
  | { readonly kind: 'establish'; readonly peer: SystemPath }
  | {
      readonly kind: 'fail';
      readonly error: KompactError;
      readonly isByeUseful: boolean;
      readonly level: HandshakeLogLevel;
    }
  | { readonly kind: 'destroy'; readonly error: KompactError };

/** A handshake's next state and the actions that lead there. */
export interface HandshakeStep {
  readonly state: HandshakeState;
  readonly actions: HandshakeAction[];
}

/** The first state of a dialer's handshake: its socket is connecting to `dialled`. */
export function dialerHandshake(crypto: HandshakeCrypto, dialled: SystemPath): HandshakeState {
  return { kind: 'dialer-connecting', nonce: crypto.nonce(), dialled };
}

/** The first state of an acceptor's handshake: it waits for the dialer's `hello`. */
export function acceptorHandshake(crypto: HandshakeCrypto): HandshakeState {
  return { kind: 'acceptor-await-hello', nonce: crypto.nonce() };
}

/** Whether `state` has ended, established or failed: later inputs do nothing. */
export function isHandshakeOver(state: HandshakeState): boolean {
  return state.kind === 'established' || state.kind === 'failed';
}

/**
 * One step of the handshake (protocol version 2): the next state and what the connection must do. Pure:
 * no sockets, timers or logging; the nonce and proofs come from `env.crypto`.
 *
 * Kompact: the handshake of `network/src/net/network_channel.rs`.
 *
 * @remarks The dialer sends `hello` (its path and a nonce; the frame decoder has already refused
 * another protocol version); the acceptor checks whether the system is blocked and answers `hello`
 * (its path and a nonce, no proof); the dialer checks that the acceptor names the system it dialled
 * and answers `hello-ack` (with a shared secret, its proof over both nonces and both paths); the
 * acceptor checks that proof and only then answers `hello-ack` with its own proof, and is established;
 * the dialer is established when that proof checks. A side with a secret refuses a peer without one,
 * and the other way round; a `hello` carrying a proof is refused (version 1 did that). A `bye` during
 * the handshake is the peer's refusal. Every other frame is unexpected and refused.
 */
export function step(state: HandshakeState, input: HandshakeInput, env: HandshakeEnvironment): HandshakeStep {
  if (isHandshakeOver(state)) return { state, actions: [] };
  switch (input.kind) {
    case 'connected':
      if (state.kind !== 'dialer-connecting') return { state, actions: [] };
      if (input.isAddressBlocked) {
        return {
          state: FAILED,
          actions: [
            {
              kind: 'destroy',
              error: new KompactError('HANDSHAKE_FAILED', `Address ${input.address ?? 'unknown'} is blocked`),
            },
          ],
        };
      }
      return {
        state: { kind: 'dialer-await-hello', nonce: state.nonce, dialled: state.dialled },
        actions: [{ kind: 'send', frame: hello(env.localSystem, state.nonce) }],
      };
    case 'timeout':
      return failed(
        new KompactError('HANDSHAKE_FAILED', `Handshake did not complete within ${input.timeoutMs} ms`),
      );
    case 'frame':
      return frameStep(state, input.frame, env);
    default:
      return assertNever(input);
  }
}

function frameStep(state: HandshakeState, frame: Frame, env: HandshakeEnvironment): HandshakeStep {
  if (frame.kind === 'bye') {
    return failed(
      new KompactError('HANDSHAKE_FAILED', `The peer refused the connection: ${frame.reason}`),
      false,
    );
  }
  if (frame.kind === 'hello' && frame.proof !== undefined)
    return refuse('the peer sent a proof in its hello');
  const { secret, localSystem, crypto } = env;
  switch (state.kind) {
    case 'acceptor-await-hello': {
      if (frame.kind !== 'hello') break;
      const identify: HandshakeAction = { kind: 'identify', system: frame.system };
      if (env.isSystemBlocked(frame.system)) {
        return refuse(`system ${frame.system.toString()} is blocked`, 'error', [identify]);
      }
      return {
        state: {
          kind: 'acceptor-await-hello-ack',
          nonce: state.nonce,
          peerNonce: frame.nonce,
          dialer: frame.system,
        },
        // No proof here: the dialer proves first, so a stranger gets nothing to test guesses against.
        actions: [identify, { kind: 'send', frame: hello(localSystem, state.nonce) }],
      };
    }
    case 'acceptor-await-hello-ack': {
      if (frame.kind !== 'hello-ack') break;
      const { dialer, peerNonce: dialerNonce, nonce } = state;
      let proof: Uint8Array | undefined;
      if (secret === undefined) {
        if (frame.proof !== undefined) {
          return refuseAuthentication('the dialer has a shared secret and none is configured here');
        }
      } else {
        if (frame.proof === undefined) return refuseAuthentication('the dialer sent no shared-secret proof');
        const expected = crypto.proof(secret, 'dialer', dialerNonce, nonce, dialer, localSystem);
        if (!crypto.matches(frame.proof, expected)) {
          return refuseAuthentication('the dialer does not know the shared secret');
        }
        proof = crypto.proof(secret, 'acceptor', dialerNonce, nonce, dialer, localSystem);
      }
      return {
        state: { kind: 'established', peer: dialer },
        actions: [
          { kind: 'send', frame: { kind: 'hello-ack', proof } },
          { kind: 'establish', peer: dialer },
        ],
      };
    }
    case 'dialer-await-hello': {
      if (frame.kind !== 'hello') break;
      const { dialled, nonce } = state;
      if (!frame.system.equals(dialled)) {
        // Whoever answers is not the system the frames are for (a relay, or a stale address): proving
        // the secret to it, or sending it those frames, would be wrong either way.
        return refuse(
          `dialled ${dialled.toString()}, but the acceptor names itself ${frame.system.toString()}`,
          'warn',
        );
      }
      return {
        state: { kind: 'dialer-await-hello-ack', nonce, peerNonce: frame.nonce, dialled },
        actions: [
          {
            kind: 'send',
            frame: {
              kind: 'hello-ack',
              proof:
                secret === undefined
                  ? undefined
                  : crypto.proof(secret, 'dialer', nonce, frame.nonce, localSystem, dialled),
            },
          },
        ],
      };
    }
    case 'dialer-await-hello-ack': {
      if (frame.kind !== 'hello-ack') break;
      const { dialled, nonce, peerNonce } = state;
      if (secret === undefined) {
        if (frame.proof !== undefined) {
          return refuse('the peer requires a shared secret and none is configured here');
        }
      } else if (frame.proof === undefined) {
        return refuse('the peer sent no shared-secret proof');
      } else if (
        !crypto.matches(frame.proof, crypto.proof(secret, 'acceptor', nonce, peerNonce, localSystem, dialled))
      ) {
        return refuse('the peer does not know the shared secret');
      }
      return {
        state: { kind: 'established', peer: dialled },
        actions: [{ kind: 'establish', peer: dialled }],
      };
    }
    case 'dialer-connecting':
    case 'established':
    case 'failed':
      break;
    default:
      assertNever(state);
  }
  return refuse(`unexpected ${frame.kind} frame during the handshake`);
}

const FAILED: HandshakeState = Object.freeze({ kind: 'failed' });

function hello(system: SystemPath, nonce: Uint8Array): HelloFrame {
  return { kind: 'hello', version: PROTOCOL_VERSION, system, nonce, proof: undefined };
}

function failed(error: KompactError, isByeUseful = true, level: HandshakeLogLevel = 'error'): HandshakeStep {
  return { state: FAILED, actions: [{ kind: 'fail', error, isByeUseful, level }] };
}

/** Refuses the handshake: a logged error and a `bye` naming the reason. */
function refuse(
  reason: string,
  level: HandshakeLogLevel = 'error',
  before: HandshakeAction[] = [],
): HandshakeStep {
  const step = failed(new KompactError('HANDSHAKE_FAILED', `Handshake refused: ${reason}`), true, level);
  step.actions.unshift(...before);
  return step;
}

/** Refuses a dialer that did not prove the shared secret, telling the host first. */
function refuseAuthentication(reason: string): HandshakeStep {
  return refuse(reason, 'error', [{ kind: 'authentication-failed' }]);
}
