import type { SystemPath } from '../paths/system-path.js';
import { port } from '../ports/port.js';

/**
 * What the network tells components connected to the {@link NetworkStatusPort}.
 *
 * - `connection-established`: a connection with `system` completed its handshake (`session` tells
 *   connections apart). Kompact: `ConnectionEstablished`.
 * - `connection-lost`: a connection ended without the goodbye exchange; it is re-established on the
 *   next message, and what was in flight was delivered or became a `lost` dead letter. Kompact:
 *   `ConnectionLost`.
 * - `connection-dropped`: connecting to `system` failed on every retry; the queued messages became
 *   `lost` dead letters. Kompact: `ConnectionDropped`.
 * - `connection-closed`: a connection ended gracefully. Kompact: `ConnectionClosed`.
 * - `blocked-system` / `blocked-ip` / `allowed-system` / `allowed-ip`: a block list changed. Kompact:
 *   `BlockedSystem`, `BlockedIp`, `AllowedSystem`, `AllowedIp`.
 * - `soft-connection-limit-exceeded`: more connections were established than the soft limit
 *   (`softConnectionLimit`); the least recently used one, with `system`, is closed gracefully.
 *   Kompact: `SoftConnectionLimitExceeded`.
 * - `hard-connection-limit-reached`: `maxIncomingConnections` is full and new incoming connections are
 *   refused (reported once until there is room again). Kompact: `HardConnectionLimitReached`.
 * - `critical-network-failure`: the listening socket failed (`message` says how); no new incoming
 *   connection can arrive. Kompact: `CriticalNetworkFailure`.
 * - `blocked-ip-net` / `allowed-ip-net`: a network (`net`, canonical CIDR text such as `127.0.0.0/8`)
 *   was blocked or allowed again. Kompact: `BlockedIpNet`, `AllowedIpNet`.
 */
export type NetworkStatus =
  | { readonly kind: 'connection-established'; readonly system: SystemPath; readonly session: number }
  | { readonly kind: 'connection-lost'; readonly system: SystemPath; readonly session: number }
  | { readonly kind: 'connection-dropped'; readonly system: SystemPath }
  | { readonly kind: 'connection-closed'; readonly system: SystemPath; readonly session: number }
  | { readonly kind: 'blocked-system'; readonly system: SystemPath }
  | { readonly kind: 'blocked-ip'; readonly address: string }
  | { readonly kind: 'allowed-system'; readonly system: SystemPath }
  | { readonly kind: 'allowed-ip'; readonly address: string }
  | { readonly kind: 'soft-connection-limit-exceeded'; readonly system: SystemPath }
  | { readonly kind: 'hard-connection-limit-reached' }
  | { readonly kind: 'critical-network-failure'; readonly message: string }
  | { readonly kind: 'blocked-ip-net'; readonly net: string }
  | { readonly kind: 'allowed-ip-net'; readonly net: string };

/**
 * What components connected to the {@link NetworkStatusPort} may ask of the network.
 *
 * - `connect-system`: open a connection to `system` now. Kompact: `ConnectSystem`.
 * - `disconnect-system`: close the connections with `system` gracefully. Kompact: `DisconnectSystem`.
 * - `block-system` / `allow-system`: refuse (or accept again) every connection and message of `system`.
 *   Kompact: `BlockSystem`, `AllowSystem`.
 * - `block-ip` / `allow-ip`: the same for every system at an IP address. Kompact: `BlockIp`, `AllowIp`.
 * - `block-ip-net` / `allow-ip-net`: the same for every address of a network in CIDR notation
 *   (`10.0.0.0/8`, `fd00::/8`). Kompact: `BlockIpNet`, `AllowIpNet`.
 */
export type NetworkStatusRequest =
  | { readonly kind: 'connect-system'; readonly system: SystemPath }
  | { readonly kind: 'disconnect-system'; readonly system: SystemPath }
  | { readonly kind: 'block-system'; readonly system: SystemPath }
  | { readonly kind: 'allow-system'; readonly system: SystemPath }
  | { readonly kind: 'block-ip'; readonly address: string }
  | { readonly kind: 'allow-ip'; readonly address: string }
  | { readonly kind: 'block-ip-net'; readonly net: string }
  | { readonly kind: 'allow-ip-net'; readonly net: string };

/**
 * The port on which a system's network reports connections and takes requests: require it in a
 * component and connect it with `system.connectNetworkStatusPort(this.status)`.
 *
 * Kompact: `NetworkStatusPort`.
 *
 * @example
 * ```ts
 * readonly status = this.requirePort(NetworkStatusPort, (event) => {
 *   if (event.kind === 'connection-lost') this.ctx.log.warn(`lost ${event.system}`);
 * });
 * ```
 */
export const NetworkStatusPort = port<NetworkStatusRequest, NetworkStatus>('NetworkStatusPort');
