import type { Logger } from 'pino';
import { ComponentDefinition } from '../component/component-definition.js';
import type { Dispatcher, DispatchHost, RemoteLink } from '../dispatch/dispatcher.js';
import { assertNever } from '../internal/assert-never.js';
import { describeThrown } from '../internal/describe-thrown.js';
import { remoteNetMessage } from '../messaging/net-message.js';
import type { ReceiveBacklog } from '../messaging/receive-backlog.js';
import type { ActorPath } from '../paths/actor-path.js';
import type { SystemPath } from '../paths/system-path.js';
import type { ProvidedPort } from '../ports/port-ends.js';
import type { ChunkRange } from '../serialisation/buffer-writer.js';
import type { SerId } from '../serialisation/ser-id.js';
import type { Serialiser } from '../serialisation/serialiser.js';
import { serialiseInto } from '../serialisation/serialiser.js';
import type { Clock } from '../timer/clock.js';
import type { ReadScope } from './connection.js';
import type { DataFrame } from './frame.js';
import { type NetworkStatus, NetworkStatusPort, type NetworkStatusRequest } from './network-status-port.js';
import { TcpTransport, type TransportStats } from './tcp-transport.js';
import type { TcpTransportOptions } from './tcp-transport-options.js';
import type { BlockTarget, LostReason, TransportEvent } from './transport-events.js';

const EMPTY = new Uint8Array(0);

/**
 * The network settings of a system: `KompactConfig.default().network({ port: 4000 })`.
 *
 * Kompact: `NetworkConfig`.
 *
 * @remarks Every field is optional. `host` defaults to `127.0.0.1` (loopback: bind another address
 * on purpose to be reachable from other machines) and `port` to `0` (any free port; read it back with
 * `system.systemPath()`). `advertisedHost` and `advertisedPort` replace the bound address in the
 * system path, for a system bound to a wildcard address or behind NAT. The same settings can come
 * from the `kompact.network` keys of a configuration file.
 */
export type NetworkOptions = Omit<
  TcpTransportOptions,
  'clock' | 'logger' | 'onData' | 'onLost' | 'onEvent' | 'onSocket' | 'onReadStart' | 'onReadEnd'
>;

/** The indication for a block list change of `target`. */
function blockStatus(target: BlockTarget, blocked: boolean): NetworkStatus {
  switch (target.kind) {
    case 'system':
      return { kind: blocked ? 'blocked-system' : 'allowed-system', system: target.system };
    case 'ip':
      return { kind: blocked ? 'blocked-ip' : 'allowed-ip', address: target.address };
    case 'ip-net':
      return { kind: blocked ? 'blocked-ip-net' : 'allowed-ip-net', net: target.net };
    default:
      return assertNever(target);
  }
}

/** Translates the transport's events into `NetworkStatusPort` indications. */
function statusOf(event: TransportEvent): NetworkStatus {
  switch (event.kind) {
    case 'connection-established':
      return { kind: 'connection-established', system: event.system, session: event.session };
    case 'connection-lost':
      return { kind: 'connection-lost', system: event.system, session: event.session };
    case 'connection-dropped':
      return { kind: 'connection-dropped', system: event.system };
    case 'connection-closed':
      return { kind: 'connection-closed', system: event.system, session: event.session };
    case 'blocked':
      return blockStatus(event.target, true);
    case 'allowed':
      return blockStatus(event.target, false);
    case 'soft-connection-limit-exceeded':
      return { kind: 'soft-connection-limit-exceeded', system: event.closed };
    case 'hard-connection-limit-reached':
      return { kind: 'hard-connection-limit-reached' };
    case 'critical-network-failure':
      return { kind: 'critical-network-failure', message: event.error.message };
  }
}

/**
 * The component that provides a system's {@link NetworkStatusPort}: made when a component first connects
 * to it. Kompact: the `NetworkDispatcher`'s provided `NetworkStatusPort`.
 */
export class NetworkStatusProvider extends ComponentDefinition {
  readonly status: ProvidedPort<NetworkStatusRequest, NetworkStatus>;
  readonly #link: NetworkLink | undefined;

  constructor(link: NetworkLink | undefined) {
    super();
    this.#link = link;
    this.status = this.providePort(NetworkStatusPort, (request) => this.#handle(request));
  }

  #handle(request: NetworkStatusRequest): void {
    const transport = this.#link?.transport;
    if (transport === undefined) {
      this.ctx.log.warn(
        { request: request.kind },
        'Network status request on a system without a network; ignored',
      );
      return;
    }
    try {
      switch (request.kind) {
        case 'connect-system':
          transport.connect(request.system);
          break;
        case 'disconnect-system':
          transport.disconnect(request.system);
          break;
        case 'block-system':
          transport.blockSystem(request.system);
          break;
        case 'allow-system':
          transport.allowSystem(request.system);
          break;
        case 'block-ip':
          transport.blockIp(request.address);
          break;
        case 'allow-ip':
          transport.allowIp(request.address);
          break;
        case 'block-ip-net':
          transport.blockIpNet(request.net);
          break;
        case 'allow-ip-net':
          transport.allowIpNet(request.net);
          break;
      }
    } catch (error) {
      // A malformed request is the requester's mistake: report it, keep the network running.
      this.ctx.log.error(
        { err: error, request: request.kind },
        `Invalid network status request: ${describeThrown(error)}`,
      );
    }
  }
}

/**
 * A system's network side: the TCP transport, serialising outgoing path messages into frames and handing
 * incoming frames to the dispatcher, and turning refused or lost frames into dead letters.
 *
 * Kompact: the `NetworkDispatcher` with its `NetworkThread`.
 */
export class NetworkLink implements RemoteLink {
  /** The transport; `undefined` until {@link NetworkLink.open} resolved. */
  transport: TcpTransport | undefined;
  private readonly host: DispatchHost;
  private readonly logger: Logger;
  private dispatcher: Dispatcher | undefined;
  /** Where transport events go as `NetworkStatusPort` indications, once a component connected. */
  statusPort: ProvidedPort<NetworkStatusRequest, NetworkStatus> | undefined;
  /** Where the value being sent was serialised to (reused by every send). */
  private readonly serialised: ChunkRange = { chunk: EMPTY, offset: 0, length: 0 };

  private constructor(host: DispatchHost, logger: Logger) {
    this.host = host;
    this.logger = logger;
  }

  /**
   * Listens as `options` say; resolves with the link and the bound system path. `readScope` brackets
   * each socket read: a system holds its scheduler's drain at the start and runs the turns the read
   * queued at the end, so that their replies are written in the read's handler.
   *
   * @throws {@link KompactError} `CONFIG_INVALID` for a bad option, `BIND_FAILED` when the address
   * cannot be bound.
   */
  static async open(
    options: NetworkOptions,
    host: DispatchHost,
    logger: Logger,
    clock: Clock,
    readScope?: ReadScope,
  ): Promise<NetworkLink> {
    const link = new NetworkLink(host, logger);
    link.transport = await TcpTransport.listen({
      ...options,
      clock,
      logger,
      ...(readScope === undefined ? {} : { onReadStart: readScope.start, onReadEnd: readScope.end }),
      onData: (serId, sender, receiver, chunk, offset, length, _from, backlog) =>
        link.received(serId, sender, receiver, chunk, offset, length, backlog),
      onLost: (frame, reason) => link.lost(frame, reason),
      onEvent: (event) => link.event(event),
    });
    return link;
  }

  /** The address peers reach this system at (the advertised one, if given). */
  get systemPath(): SystemPath {
    return (this.transport as TcpTransport).systemPath;
  }

  /** Frame and connection counters of the transport. */
  stats(): TransportStats {
    return (this.transport as TcpTransport).stats();
  }

  /** Starts handing incoming messages to `dispatcher`. */
  attach(dispatcher: Dispatcher): void {
    this.dispatcher = dispatcher;
    dispatcher.attachRemote(this);
  }

  send(sender: ActorPath, receiver: ActorPath, value: unknown, serialiser: Serialiser<unknown>): void {
    const serialised = this.serialised;
    try {
      serialiseInto(serialiser, value, serialised);
    } catch (error) {
      this.logger.warn(
        { err: error, receiver: receiver.toString(), serId: serialiser.serId },
        `Could not serialise a message to ${receiver.toString()}: ${describeThrown(error)}`,
      );
      this.host.deadLetterToPath(receiver, value, 'serialisation-failed', describeThrown(error));
      return;
    }
    const { chunk, offset, length } = serialised;
    // Drop the reference: the chunk must not stay alive through this link once its frames are gone.
    serialised.chunk = EMPTY;
    const result = (this.transport as TcpTransport).sendData(
      serialiser.serId,
      sender,
      receiver,
      chunk,
      offset,
      length,
    );
    if (result.kind === 'refused') this.host.deadLetterToPath(receiver, value, 'refused', result.reason);
  }

  sendBytes(
    sender: ActorPath,
    receiver: ActorPath,
    serId: SerId,
    chunk: Uint8Array,
    offset: number,
    length: number,
  ): void {
    const result = (this.transport as TcpTransport).sendData(serId, sender, receiver, chunk, offset, length);
    if (result.kind === 'refused') {
      this.host.deadLetterToPath(receiver, chunk.subarray(offset, offset + length), 'refused', result.reason);
    }
  }

  /**
   * Acknowledges no more incoming frames (the system is shutting down): their senders report them as
   * lost (`unacknowledged`) instead of this system acknowledging messages its shutdown discards.
   */
  stopAcknowledging(): void {
    this.transport?.stopAcknowledging();
  }

  /** Closes the transport (gracefully, unless `abrupt`); resolves when every socket is released. */
  close(abrupt = false): Promise<void> {
    return this.transport?.close(abrupt) ?? Promise.resolve();
  }

  private received(
    serId: SerId,
    sender: ActorPath,
    receiver: ActorPath,
    chunk: Uint8Array,
    offset: number,
    length: number,
    backlog: ReceiveBacklog,
  ): void {
    const dispatcher = this.dispatcher;
    if (dispatcher === undefined) {
      this.host.deadLetterToPath(
        receiver,
        remoteNetMessage(sender, receiver, serId, chunk, offset, length),
        'lost',
        'closed',
      );
      return;
    }
    dispatcher.receive(sender, receiver, serId, chunk, offset, length, backlog);
  }

  private lost(frame: DataFrame, reason: LostReason): void {
    this.host.deadLetterToPath(
      frame.receiver,
      remoteNetMessage(frame.sender, frame.receiver, frame.serId, frame.payload),
      'lost',
      reason,
    );
  }

  /** Called with every network status event, beside the status port (the inspector's peers table). */
  readonly statusListeners = new Set<(status: NetworkStatus) => void>();

  private event(event: TransportEvent): void {
    const port = this.statusPort;
    if (port === undefined && this.statusListeners.size === 0) return;
    const status = statusOf(event);
    port?.trigger(status);
    for (const listener of this.statusListeners) listener(status);
  }
}
