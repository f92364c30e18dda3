/**
 * Network transport: frames, connections and the TCP transport the network dispatcher sends through.
 * Internal: not re-exported from the package root.
 */
export {
  Connection,
  type ConnectionHost,
  type ConnectionOutcome,
  type ConnectionState,
} from './connection.js';
export { FlushScheduler } from './flush-scheduler.js';
export {
  type AckFrame,
  type ByeFrame,
  type DataFrame,
  dataFrame,
  encodeFrame,
  encodeFrames,
  FRAME_HEADER_BYTES,
  type Frame,
  FrameKindByte,
  frameSize,
  type HelloAckFrame,
  type HelloFrame,
  NONCE_BYTES,
  PATH_TABLE_LIMIT,
  PATH_TABLE_MAX_PATH_BYTES,
  PathTable,
  PathTag,
  PROOF_BYTES,
  PROTOCOL_VERSION,
} from './frame.js';
export { FrameDecoder } from './frame-decoder.js';
export { FrameError, type FrameErrorReason } from './frame-error.js';
export { FrameQueue } from './frame-queue.js';
export {
  acceptorHandshake,
  dialerHandshake,
  type HandshakeAction,
  type HandshakeCrypto,
  type HandshakeEnvironment,
  type HandshakeInput,
  type HandshakeLogLevel,
  type HandshakeState,
  type HandshakeStep,
  isHandshakeOver,
  NODE_HANDSHAKE_CRYPTO,
  step as handshakeStep,
} from './handshake.js';
export { type HandshakeRole, handshakeProof, makeNonce, proofMatches } from './handshake-proof.js';
export { canonicalIp } from './ip-address.js';
export { TcpTransport, type TransportStats } from './tcp-transport.js';
export type { TcpTransportOptions, TcpTransportTls } from './tcp-transport-options.js';
export type {
  BlockTarget,
  LostReason,
  PeerStatus,
  RefusedReason,
  SendResult,
  TransportEvent,
} from './transport-events.js';
