import type { SystemPath } from '../paths/system-path.js';

/** What a block or allow applies to: a whole system, every connection with one IP address, or with any address of a network. */
export type BlockTarget =
  | { readonly kind: 'system'; readonly system: SystemPath }
  | { readonly kind: 'ip'; readonly address: string }
  | { readonly kind: 'ip-net'; readonly net: string };

/**
 * What happened to the transport's connections; the dispatcher turns these into `NetworkStatusPort`
 * indications.
 *
 * - `connection-established`: a handshake completed (`session` tells connections apart; in a race both
 *   systems may dial, so one system can have two sessions).
 * - `connection-lost`: an established connection ended without the `bye` exchange; its unacknowledged
 *   frames were reported lost and its unsent ones are sent again on the next connection.
 * - `connection-dropped`: connecting failed `attempts` times in a row; the queued frames were reported
 *   lost (`droppedFrames` of them).
 * - `connection-closed`: an established connection ended gracefully (`disconnect`, `close`, or the peer's).
 * - `blocked` / `allowed`: a block list changed.
 * - `soft-connection-limit-exceeded`: more connections were established than `softConnectionLimit`;
 *   the least recently used one (`closed`, a system) is being closed gracefully.
 * - `hard-connection-limit-reached`: `maxIncomingConnections` is full and a newcomer was refused (once
 *   until the count drops below the limit again).
 * - `critical-network-failure`: the listening socket failed (`error`); no new connection may arrive.
 *
 * Kompact: `NetworkStatus::{ConnectionEstablished, ConnectionLost, ConnectionDropped, ConnectionClosed,
 * BlockedSystem, BlockedIp, BlockedIpNet, AllowedSystem, AllowedIp, AllowedIpNet}`.
 */
export type TransportEvent =
  | {
      readonly kind: 'connection-established';
      readonly system: SystemPath;
      readonly session: number;
      readonly address: string | undefined;
    }
  | {
      readonly kind: 'connection-lost';
      readonly system: SystemPath;
      readonly session: number;
      readonly error: Error | undefined;
    }
  | {
      readonly kind: 'connection-dropped';
      readonly system: SystemPath;
      readonly attempts: number;
      readonly droppedFrames: number;
      readonly error: Error | undefined;
    }
  | { readonly kind: 'connection-closed'; readonly system: SystemPath; readonly session: number }
  | { readonly kind: 'blocked'; readonly target: BlockTarget }
  | { readonly kind: 'allowed'; readonly target: BlockTarget }
  | { readonly kind: 'soft-connection-limit-exceeded'; readonly closed: SystemPath }
  | { readonly kind: 'hard-connection-limit-reached' }
  | { readonly kind: 'critical-network-failure'; readonly error: Error };

/**
 * Why an accepted data frame was given up; every accepted frame is delivered or reported with one of
 * these, never silently dropped.
 *
 * - `dropped`: its system could not be reached within the retry budget.
 * - `unacknowledged`: it was written to a connection that ended before the peer acknowledged it; it
 *   may or may not have been delivered.
 * - `blocked`: its system or address was blocked while it waited.
 * - `disconnected`: `disconnect` was asked for while it waited for a connection.
 * - `closed`: the transport closed while it waited.
 */
export type LostReason = 'dropped' | 'unacknowledged' | 'blocked' | 'disconnected' | 'closed';

/**
 * Why `send` refused a frame; the caller turns it into a dead letter.
 *
 * - `backpressure`: the frames queued and unacknowledged for that system are at the high-water mark.
 * - `blocked`: the system or its address is blocked.
 * - `too-large`: the frame is above the maximum frame size.
 * - `unroutable`: the receiver's system has no network address (transport `local`).
 * - `closed`: the transport is closed.
 */
export type RefusedReason = 'backpressure' | 'blocked' | 'too-large' | 'unroutable' | 'closed';

/** The result of `send`: accepted (delivered or reported lost later) or refused now. */
export type SendResult =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'refused'; readonly reason: RefusedReason };

/**
 * Where the transport is with one remote system.
 *
 * Kompact: `ConnectionState::{New, Initializing, Connected, Blocked}` (plus the retry map).
 */
export type PeerStatus = 'idle' | 'connecting' | 'retrying' | 'connected' | 'closing' | 'blocked';
