import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SystemPath } from '../paths/system-path.js';
import { NONCE_BYTES, PROOF_BYTES } from './frame.js';

/** Which side of a connection computes a proof: the side that dialled, or the side that accepted. */
export type HandshakeRole = 'dialer' | 'acceptor';

/** A fresh random nonce for a `hello`. */
export function makeNonce(): Uint8Array {
  return new Uint8Array(randomBytes(NONCE_BYTES));
}

/**
 * The proof that `role` holds the shared secret: HMAC-SHA256 over the role, both nonces and both
 * system paths, always in dialer-then-acceptor order.
 *
 * @remarks Each side computes the paths as it sees them: the dialer uses its own path and the path it
 * dialled, the acceptor the path the dialer claims and its own. So a proof is valid only on the
 * connection it was made for (the nonces), between the two systems it names; a relay that the dialer
 * reached under another address, or that rewrites a path, makes the proofs disagree. The role label
 * keeps a proof from being reflected back to its author. The dialer proves first: the acceptor sends
 * its proof only to a dialer that proved the secret, so it is no oracle for guessing the secret.
 */
export function handshakeProof(
  secret: Uint8Array,
  role: HandshakeRole,
  dialerNonce: Uint8Array,
  acceptorNonce: Uint8Array,
  dialer: SystemPath,
  acceptor: SystemPath,
): Uint8Array {
  const mac = createHmac('sha256', secret);
  mac.update(`kompact-ts handshake v2 ${role}\n`);
  mac.update(dialerNonce);
  mac.update(acceptorNonce);
  mac.update(`${dialer.toString()}\n${acceptor.toString()}`);
  return new Uint8Array(mac.digest());
}

/** Whether `proof` equals `expected`, compared in constant time. */
export function proofMatches(proof: Uint8Array, expected: Uint8Array): boolean {
  return proof.length === PROOF_BYTES && expected.length === PROOF_BYTES && timingSafeEqual(proof, expected);
}
