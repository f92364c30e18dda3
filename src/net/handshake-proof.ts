import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SystemPath } from '../dispatch/system-path.js';
import { NONCE_BYTES, PROOF_BYTES } from './frame.js';

/** Which side of a connection computes a proof: the side that dialled, or the side that accepted. */
export type HandshakeRole = 'dialer' | 'acceptor';

/** A fresh random nonce for a `hello`. */
export function makeNonce(): Uint8Array {
  return new Uint8Array(randomBytes(NONCE_BYTES));
}

/**
 * The proof that `role` holds the shared secret: HMAC-SHA256 over the role, the peer's nonce (so it
 * cannot be replayed on another connection), the prover's own nonce and both system paths.
 *
 * @remarks The role label keeps a proof from being reflected back to its author; both paths bind the
 * proof to the systems that the handshake names.
 */
export function handshakeProof(
  secret: Uint8Array,
  role: HandshakeRole,
  peerNonce: Uint8Array,
  ownNonce: Uint8Array,
  ownSystem: SystemPath,
  peerSystem: SystemPath,
): Uint8Array {
  const mac = createHmac('sha256', secret);
  mac.update(`kompact-ts handshake v1 ${role}\n`);
  mac.update(peerNonce);
  mac.update(ownNonce);
  mac.update(`${ownSystem.toString()}\n${peerSystem.toString()}`);
  return new Uint8Array(mac.digest());
}

/** Whether `proof` equals `expected`, compared in constant time. */
export function proofMatches(proof: Uint8Array, expected: Uint8Array): boolean {
  return proof.length === PROOF_BYTES && expected.length === PROOF_BYTES && timingSafeEqual(proof, expected);
}
