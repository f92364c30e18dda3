import * as net from 'node:net';
import * as tls from 'node:tls';
import { SystemPath } from '../dispatch/system-path.js';
import { describeValue, KompactError } from '../system/kompact-error.js';
import type { ClockTimer } from '../timer/clock.js';
import {
  Connection,
  type ConnectionHost,
  type ConnectionOutcome,
  type ConnectionSettings,
} from './connection.js';
import { FlushScheduler } from './flush-scheduler.js';
import { type DataFrame, frameSize } from './frame.js';
import { FrameQueue } from './frame-queue.js';
import { canonicalIp } from './ip-address.js';
import {
  isWildcardAddress,
  type ResolvedTransportOptions,
  resolveTransportOptions,
  type TcpTransportOptions,
} from './tcp-transport-options.js';
import type {
  LostReason,
  PeerStatus,
  RefusedReason,
  SendResult,
  TransportEvent,
} from './transport-events.js';

const ACCEPTED: SendResult = Object.freeze({ kind: 'accepted' });
const REFUSED: Readonly<Record<RefusedReason, SendResult>> = Object.freeze({
  backpressure: Object.freeze({ kind: 'refused', reason: 'backpressure' }),
  blocked: Object.freeze({ kind: 'refused', reason: 'blocked' }),
  'too-large': Object.freeze({ kind: 'refused', reason: 'too-large' }),
  unroutable: Object.freeze({ kind: 'refused', reason: 'unroutable' }),
  closed: Object.freeze({ kind: 'refused', reason: 'closed' }),
});

/** Everything the transport knows about one remote system. */
interface Peer {
  readonly system: SystemPath;
  /** Frames waiting for a connection that accepts them (oldest first). */
  queue: FrameQueue;
  /** The connection frames are sent on. */
  active: Connection | undefined;
  /** Established connections with this system (the active one included). */
  readonly connections: Set<Connection>;
  /** An outgoing connection still in its handshake. */
  dialling: Connection | undefined;
  /** Failed attempts in the current series of connection attempts. */
  attempts: number;
  retryTimer: ClockTimer | undefined;
  lastError: Error | undefined;
}

/** Frame and connection counters of a {@link TcpTransport}. */
export interface TransportStats {
  /** Frames `send` refused. */
  readonly refusedFrames: number;
  /** Accepted frames reported lost. */
  readonly lostFrames: number;
  /** Data frames received and handed to `onData`. */
  readonly receivedFrames: number;
  /** Open connections, in handshake or established. */
  readonly openConnections: number;
  /** Messages delivered over open connections that their components have not taken yet. */
  readonly receiveBacklogMessages: number;
  /** Payload bytes of those messages. */
  readonly receiveBacklogBytes: number;
}

/**
 * The TCP (optionally TLS) transport of a networked system: one server socket, one connection per
 * remote system opened lazily, frames coalesced per turn, acknowledged, and never lost silently.
 *
 * Kompact: `NetworkDispatcher`'s network thread and `QueueManager` (`network/src/net/`).
 *
 * @remarks
 * Sending: {@link TcpTransport.send} either refuses a frame now ({@link SendResult}; the caller turns it
 * into a dead letter) or accepts it, and then every accepted frame is delivered to the receiving
 * transport's `onData` or reported to `onLost` exactly once. Frames to one system travel in order over
 * one connection.
 *
 * Connecting: the first frame for a system opens a connection; frames queue while it connects. A failed
 * attempt is retried every `connectionRetryIntervalMs`; after `maxConnectionRetryAttempts` retries the
 * queue is reported lost (`dropped`) and `connection-dropped` is emitted. A lost connection is opened
 * again at once if frames wait, otherwise on the next send: frames it never wrote are sent on the new
 * connection, frames it wrote but the peer did not acknowledge are reported lost (`unacknowledged`).
 *
 * Backpressure: per system, the bytes of waiting plus unacknowledged frames are bounded by
 * `highWaterMarkBytes`; past it `send` refuses with `backpressure` (counted in
 * {@link TcpTransport.stats}) until acknowledgements bring them under. On the receiving side, each
 * connection withholds its acknowledgements while its receive backlog (what `onData` counted in it and
 * has not removed yet) is at `maxReceiveBacklogMessages` or `maxReceiveBacklogBytes`, and stops reading
 * from a peer that sends more than twice `highWaterMarkBytes` of payload regardless, until the backlog
 * drains; {@link TcpTransport.stopAcknowledging} stops acknowledgements for good (shutdown).
 *
 * Security: frames above `maxFrameBytes`, malformed frames and failed handshakes close only the
 * connection concerned, with a logged error. With `sharedSecret`, peers must prove the secret in the
 * handshake; with `tls`, connections are TLS (mutual by default). Blocked systems and addresses are
 * refused at the handshake, their connections closed and their frames reported lost.
 *
 * @example
 * ```ts
 * const transport = await TcpTransport.listen({
 *   onData: (serId, sender, receiver, chunk, offset, length, from) => dispatch(...),
 * });
 * transport.systemPath; // tcp://127.0.0.1:53124
 * const result = transport.send(dataFrame(serId(42), sender, receiver, bytes));
 * if (result.kind === 'refused') deadLetter(result.reason);
 * await transport.close();
 * ```
 */
export class TcpTransport {
  /**
   * The address peers reach this system at: the bound address, or `advertisedHost`/`advertisedPort`
   * where given. It is sent in the handshake and is the system of every sender path.
   */
  readonly systemPath: SystemPath;

  private readonly options: ResolvedTransportOptions;
  private readonly server: net.Server;
  private readonly settings: ConnectionSettings;
  private readonly flusher = new FlushScheduler();
  private readonly peers = new Map<string, Peer>();
  private readonly connections = new Set<Connection>();
  private readonly blockedSystems = new Set<string>();
  private readonly blockedIps = new Set<string>();
  /** The system of the last {@link TcpTransport.send} and its peer (peers are never removed while open). */
  private lastSystem: SystemPath | undefined;
  private lastPeer: Peer | undefined;
  private nextSession = 1;
  private refusedFrames = 0;
  private lostFrames = 0;
  private receivedFrames = 0;
  private isCloseCalled = false;
  private isAckStopped = false;
  private closing: Promise<void> | undefined;
  private onAllClosed: (() => void) | undefined;

  /**
   * Listens on `options.host`:`options.port` (default `127.0.0.1:0`) and resolves with the transport.
   *
   * @throws {@link KompactError} `CONFIG_INVALID` (rejected) when an option is invalid, `BIND_FAILED` when
   * the address cannot be bound.
   */
  static async listen(options: TcpTransportOptions = {}): Promise<TcpTransport> {
    const resolved = resolveTransportOptions(options);
    const server =
      resolved.tls === undefined ? net.createServer() : tls.createServer(tlsServerOptions(resolved));
    const address = await new Promise<net.AddressInfo>((resolve, reject) => {
      const onError = (error: Error): void => {
        reject(
          new KompactError(
            'BIND_FAILED',
            `Could not listen on ${resolved.host}:${resolved.port}: ${error.message}`,
            { cause: error },
          ),
        );
      };
      server.maxConnections = resolved.maxIncomingConnections;
      server.once('error', onError);
      server.listen({ host: resolved.host, port: resolved.port }, () => {
        server.off('error', onError);
        resolve(server.address() as net.AddressInfo);
      });
    });
    const systemPath = new SystemPath(
      'tcp',
      resolved.advertisedHost ?? address.address,
      resolved.advertisedPort ?? address.port,
    );
    if (resolved.advertisedHost === undefined && isWildcardAddress(address.address)) {
      resolved.logger.warn(
        { address: address.address, port: address.port, systemPath: systemPath.toString() },
        `Listening on the wildcard address ${address.address}, so this system's path is ` +
          `${systemPath.toString()}, which other machines cannot use to reach it; set \`advertisedHost\` ` +
          '(config key kompact.network.advertised-host) to the address they should use',
      );
    }
    return new TcpTransport(resolved, server, systemPath, token);
  }

  /** @internal Use {@link TcpTransport.listen}. */
  constructor(options: ResolvedTransportOptions, server: net.Server, systemPath: SystemPath, check: symbol) {
    if (check !== token) throw new TypeError('Use `TcpTransport.listen(options)` to make a transport');
    this.options = options;
    this.server = server;
    this.systemPath = systemPath;
    this.settings = {
      localSystem: systemPath,
      secret: options.secret,
      maxFrameBytes: options.maxFrameBytes,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      closeTimeoutMs: options.closeTimeoutMs,
      maxWriteBatchBytes: options.maxWriteBatchBytes,
      maxReceiveBacklogMessages: options.maxReceiveBacklogMessages,
      maxReceiveBacklogBytes: options.maxReceiveBacklogBytes,
      // A peer with this system's high-water mark never has more than that unacknowledged.
      readPauseBytes: 2 * options.highWaterMarkBytes,
      clock: options.clock,
      logger: options.logger,
      flusher: this.flusher,
    };
    server.on(options.tls === undefined ? 'connection' : 'secureConnection', this.onIncoming);
    server.on('error', (error) =>
      options.logger.error({ err: error }, `Server socket error: ${error.message}`),
    );
    server.on('tlsClientError', (error: Error, socket: tls.TLSSocket) => {
      options.logger.warn(
        { err: error, address: socket.remoteAddress },
        `Refused a TLS client: ${error.message}`,
      );
      socket.destroy();
    });
  }

  /** Whether {@link TcpTransport.close} was called. */
  get isClosed(): boolean {
    return this.isCloseCalled;
  }

  /** Frame and connection counters. */
  stats(): TransportStats {
    let receiveBacklogMessages = 0;
    let receiveBacklogBytes = 0;
    for (const connection of this.connections) {
      receiveBacklogMessages += connection.backlog.messages;
      receiveBacklogBytes += connection.backlog.bytes;
    }
    return {
      refusedFrames: this.refusedFrames,
      lostFrames: this.lostFrames,
      receivedFrames: this.receivedFrames,
      openConnections: this.connections.size,
      receiveBacklogMessages,
      receiveBacklogBytes,
    };
  }

  /**
   * Acknowledges no more incoming data frames, on every connection, open or future (the system is
   * shutting down): their senders keep them as unacknowledged and report them lost on their side,
   * instead of this side acknowledging messages it is about to discard. Sending is not affected.
   */
  stopAcknowledging(): void {
    this.isAckStopped = true;
    for (const connection of this.connections) connection.stopAcknowledging();
  }

  /** Where the transport is with `system`. */
  status(system: SystemPath): PeerStatus {
    checkSystem(system);
    if (this.isBlocked(system)) return 'blocked';
    const peer = this.peers.get(system.toString());
    if (peer === undefined) return 'idle';
    if (peer.active !== undefined) return peer.active.isAccepting ? 'connected' : 'closing';
    if (peer.dialling !== undefined) return 'connecting';
    if (peer.retryTimer !== undefined) return 'retrying';
    return 'idle';
  }

  /**
   * Sends a data frame to `frame.receiver.system`, or refuses it now.
   *
   * @remarks Accepted frames are delivered, in order per system, or reported once to `onLost`.
   * @throws TypeError when `frame` is not a data frame with a serId from 1 to 4294967295 (a bug in the
   * caller, not a network condition).
   */
  send(frame: DataFrame): SendResult {
    const serId = frame.serId;
    if (frame.kind !== 'data' || !(serId >= 1 && serId <= 0xffff_ffff && Number.isInteger(serId))) {
      throw new TypeError(
        `Expected a data frame with a serId from 1 to 4294967295, got ${describeValue(frame)}`,
      );
    }
    if (this.isCloseCalled) return this.refuse('closed');
    const system = frame.receiver.system;
    if (system.transport !== 'tcp') return this.refuse('unroutable');
    if (this.isBlocked(system)) return this.refuse('blocked');
    const size = frameSize(frame);
    if (size - 4 > this.options.maxFrameBytes) return this.refuse('too-large');
    const peer = this.peer(system);
    const active = peer.active;
    if (
      peer.queue.bytes + (active === undefined ? 0 : active.bufferedBytes) >=
      this.options.highWaterMarkBytes
    ) {
      return this.refuse('backpressure');
    }
    if (active?.enqueue(frame, size) !== true) {
      peer.queue.push(frame, size);
      if (active === undefined) this.ensureConnecting(peer);
    }
    return ACCEPTED;
  }

  /** Opens a connection to `system` now, if none is open or opening. Kompact: `ConnectSystem`. */
  connect(system: SystemPath): void {
    checkSystem(system);
    if (this.isCloseCalled || system.transport !== 'tcp' || this.isBlocked(system)) return;
    this.ensureConnecting(this.peer(system));
  }

  /**
   * Closes the connections with `system` gracefully (queued frames still go out) and stops connecting to
   * it; frames still waiting for a connection are reported lost (`disconnected`). The next send opens a
   * new connection. Kompact: `DisconnectSystem`.
   */
  disconnect(system: SystemPath): void {
    checkSystem(system);
    const peer = this.peers.get(system.toString());
    if (peer === undefined) return;
    this.stopConnecting(peer, new KompactError('HANDSHAKE_FAILED', 'Disconnect requested'));
    if (peer.active === undefined) this.dropQueue(peer, 'disconnected');
    for (const connection of peer.connections) connection.close('disconnect requested');
  }

  /**
   * Blocks `system`: its connections are closed, its queued frames reported lost (`blocked`), its
   * handshakes refused and frames to it refused. Kompact: `BlockSystem`.
   */
  blockSystem(system: SystemPath): void {
    checkSystem(system);
    const key = system.toString();
    if (!this.blockedSystems.has(key)) {
      this.blockedSystems.add(key);
      this.emit({ kind: 'blocked', target: { kind: 'system', system } });
    }
    const peer = this.peers.get(key);
    if (peer !== undefined) this.cutOff(peer, `System ${key} is blocked`);
  }

  /** Lifts a block on `system`. Kompact: `AllowSystem`. */
  allowSystem(system: SystemPath): void {
    checkSystem(system);
    if (this.blockedSystems.delete(system.toString())) {
      this.emit({ kind: 'allowed', target: { kind: 'system', system } });
    }
  }

  /**
   * Blocks an IP address: connections with it are closed or refused, frames to systems at it refused,
   * and their queued frames reported lost (`blocked`). Kompact: `BlockIp`.
   *
   * @throws TypeError when `address` is not an IP address.
   */
  blockIp(address: string): void {
    const ip = checkIp(address);
    if (!this.blockedIps.has(ip)) {
      this.blockedIps.add(ip);
      this.emit({ kind: 'blocked', target: { kind: 'ip', address: ip } });
    }
    const reason = `Address ${ip} is blocked`;
    for (const connection of this.connections) {
      if (connection.remoteAddress === ip) connection.destroy(new KompactError('HANDSHAKE_FAILED', reason));
    }
    for (const peer of this.peers.values()) {
      if (canonicalIp(peer.system.host) === ip) this.cutOff(peer, reason);
    }
  }

  /**
   * Lifts a block on an IP address. Kompact: `AllowIp`.
   *
   * @throws TypeError when `address` is not an IP address.
   */
  allowIp(address: string): void {
    const ip = checkIp(address);
    if (this.blockedIps.delete(ip)) this.emit({ kind: 'allowed', target: { kind: 'ip', address: ip } });
  }

  /**
   * Stops listening and closes every connection: established ones gracefully (their queued frames go out
   * and the peer acknowledges them, within `closeTimeoutMs`), the rest at once. Frames that never went
   * out are reported lost (`closed`). Resolves when every socket, server and timer is released.
   */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.isCloseCalled = true;
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const connectionsClosed = new Promise<void>((resolve) => {
      this.onAllClosed = resolve;
    });
    for (const peer of this.peers.values()) {
      this.stopConnecting(peer, new KompactError('TRANSPORT_CLOSED', 'The transport is closing'));
      if (peer.active === undefined) this.dropQueue(peer, 'closed');
    }
    for (const connection of this.connections) {
      if (connection.state === 'handshaking') {
        connection.destroy(new KompactError('TRANSPORT_CLOSED', 'The transport is closing'));
      } else {
        connection.close('the transport is closing');
      }
    }
    this.checkAllClosed();
    this.closing = Promise.all([serverClosed, connectionsClosed]).then(() => {
      this.flusher.dispose();
      this.peers.clear();
      this.lastSystem = undefined;
      this.lastPeer = undefined;
    });
    return this.closing;
  }

  private readonly host: ConnectionHost = {
    isSystemBlocked: (system) => this.isBlocked(system),
    isIpBlocked: (address) => this.blockedIps.has(address),
    established: (connection) => this.established(connection),
    data: (connection, serId, sender, receiver, chunk, offset, length) => {
      this.receivedFrames++;
      try {
        this.options.onData(
          serId,
          sender,
          receiver,
          chunk,
          offset,
          length,
          connection.system as SystemPath,
          connection.backlog,
        );
      } catch (error) {
        this.options.logger.error({ err: error }, 'The onData handler threw; the frame is dropped');
      }
    },
    closed: (connection, outcome) => this.closed(connection, outcome),
  };

  private readonly onIncoming = (socket: net.Socket): void => {
    const address = canonicalIp(socket.remoteAddress ?? '');
    if (this.isCloseCalled || (address !== undefined && this.blockedIps.has(address))) {
      this.options.logger.info({ address }, 'Refused a connection from a blocked address');
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    this.open(socket, 'acceptor', undefined);
  };

  private open(socket: net.Socket, role: 'dialer' | 'acceptor', dialled: SystemPath | undefined): Connection {
    socket.setNoDelay(this.options.noDelay);
    this.options.onSocket?.(socket, role);
    const connection = new Connection(socket, role, this.nextSession++, this.settings, this.host, dialled);
    if (this.isAckStopped) connection.stopAcknowledging();
    this.connections.add(connection);
    connection.start(
      role === 'acceptor' ? undefined : this.options.tls === undefined ? 'connect' : 'secureConnect',
    );
    return connection;
  }

  private dial(peer: Peer): void {
    const { host, port } = peer.system;
    const options = this.options;
    const socket =
      options.tls === undefined
        ? net.connect({ host, port })
        : tls.connect({
            host,
            port,
            key: options.tls.key,
            cert: options.tls.cert,
            ...(options.tls.ca === undefined ? {} : { ca: options.tls.ca as tls.ConnectionOptions['ca'] }),
            rejectUnauthorized: options.tls.rejectUnauthorized ?? true,
            ...(net.isIP(host) === 0 ? { servername: host } : {}),
          });
    peer.attempts++;
    peer.dialling = this.open(socket, 'dialer', peer.system);
  }

  private ensureConnecting(peer: Peer): void {
    if (
      this.isCloseCalled ||
      peer.active !== undefined ||
      peer.dialling !== undefined ||
      peer.retryTimer !== undefined
    ) {
      return;
    }
    peer.attempts = 0;
    this.dial(peer);
  }

  private stopConnecting(peer: Peer, error: Error): void {
    if (peer.retryTimer !== undefined) this.options.clock.clearTimer(peer.retryTimer);
    peer.retryTimer = undefined;
    peer.attempts = 0;
    const dialling = peer.dialling;
    peer.dialling = undefined;
    dialling?.destroy(error);
  }

  /** Closes everything with `peer` at once and reports its waiting frames lost (`blocked`). */
  private cutOff(peer: Peer, reason: string): void {
    const error = new KompactError('HANDSHAKE_FAILED', reason);
    this.stopConnecting(peer, error);
    for (const connection of peer.connections) connection.destroy(error);
    this.dropQueue(peer, 'blocked');
  }

  private established(connection: Connection): void {
    const system = connection.system as SystemPath;
    const peer = this.peer(system);
    if (peer.dialling === connection) peer.dialling = undefined;
    if (this.isCloseCalled || this.isBlocked(system)) {
      connection.destroy(new KompactError('HANDSHAKE_FAILED', `System ${system.toString()} is blocked`));
      return;
    }
    peer.connections.add(connection);
    if (peer.retryTimer !== undefined) this.options.clock.clearTimer(peer.retryTimer);
    peer.retryTimer = undefined;
    peer.attempts = 0;
    peer.lastError = undefined;
    this.options.logger.debug(
      { session: connection.session, remote: system.toString(), role: connection.role },
      'Connection established',
    );
    this.emit({
      kind: 'connection-established',
      system,
      session: connection.session,
      address: connection.remoteAddress,
    });
    if (peer.active === undefined) this.activate(peer, connection);
  }

  private activate(peer: Peer, connection: Connection): void {
    peer.active = connection;
    const queue = peer.queue;
    while (queue.size > 0) {
      const size = queue.peekSize();
      if (!connection.enqueue(queue.shift() as DataFrame, size)) break;
    }
  }

  private closed(connection: Connection, outcome: ConnectionOutcome): void {
    this.connections.delete(connection);
    try {
      if (outcome.kind === 'failed') {
        this.dialFailed(connection, outcome.error, outcome.isBlocked);
      } else {
        this.ended(connection, outcome);
      }
    } finally {
      this.checkAllClosed();
    }
  }

  private dialFailed(connection: Connection, error: Error, isBlocked: boolean): void {
    const system = connection.system;
    if (connection.role === 'acceptor' || system === undefined) return;
    const peer = this.peers.get(system.toString());
    if (peer === undefined || peer.dialling !== connection) return;
    peer.dialling = undefined;
    peer.lastError = error;
    if (peer.active !== undefined) return;
    if (this.isCloseCalled) {
      this.dropQueue(peer, 'closed');
      return;
    }
    if (isBlocked || this.isBlocked(system)) {
      this.dropQueue(peer, 'blocked');
      return;
    }
    const { maxConnectionRetryAttempts, connectionRetryIntervalMs, logger, clock } = this.options;
    if (peer.attempts > maxConnectionRetryAttempts) {
      const attempts = peer.attempts;
      peer.attempts = 0;
      const droppedFrames = peer.queue.size;
      logger.warn(
        { remote: system.toString(), attempts, droppedFrames, err: error },
        `Giving up connecting to ${system.toString()} after ${attempts} attempts; dropping ${droppedFrames} frames`,
      );
      this.dropQueue(peer, 'dropped');
      this.emit({ kind: 'connection-dropped', system, attempts, droppedFrames, error });
      return;
    }
    logger.info(
      { remote: system.toString(), attempt: peer.attempts, err: error },
      `Connecting to ${system.toString()} failed (${error.message}); retrying in ${connectionRetryIntervalMs} ms`,
    );
    peer.retryTimer = clock.setTimer(() => {
      peer.retryTimer = undefined;
      if (!this.isCloseCalled && peer.active === undefined && peer.dialling === undefined) this.dial(peer);
    }, connectionRetryIntervalMs);
  }

  private ended(connection: Connection, outcome: Exclude<ConnectionOutcome, { kind: 'failed' }>): void {
    const system = connection.system as SystemPath;
    const peer = this.peer(system);
    peer.connections.delete(connection);
    for (const frame of outcome.unacknowledged) this.lost(frame, 'unacknowledged');
    if (outcome.kind === 'closed') {
      this.emit({ kind: 'connection-closed', system, session: connection.session });
    } else {
      this.emit({ kind: 'connection-lost', system, session: connection.session, error: outcome.error });
    }
    // Frames the connection never wrote are older than those waiting in the peer's queue.
    if (outcome.unsent.size > 0) {
      outcome.unsent.append(peer.queue);
      peer.queue = outcome.unsent;
    }
    if (peer.active !== connection) return;
    peer.active = undefined;
    if (this.isCloseCalled) {
      this.dropQueue(peer, 'closed');
      return;
    }
    if (this.isBlocked(system)) {
      this.dropQueue(peer, 'blocked');
      return;
    }
    for (const other of peer.connections) {
      if (other.isAccepting) {
        this.activate(peer, other);
        return;
      }
    }
    if (peer.queue.size > 0) this.ensureConnecting(peer);
  }

  private dropQueue(peer: Peer, reason: LostReason): void {
    const frames = peer.queue.drain();
    for (const frame of frames) this.lost(frame, reason);
  }

  private lost(frame: DataFrame, reason: LostReason): void {
    this.lostFrames++;
    try {
      this.options.onLost(frame, reason);
    } catch (error) {
      this.options.logger.error({ err: error }, 'The onLost handler threw; ignored');
    }
  }

  private emit(event: TransportEvent): void {
    try {
      this.options.onEvent(event);
    } catch (error) {
      this.options.logger.error({ err: error }, `The onEvent handler threw on '${event.kind}'; ignored`);
    }
  }

  private refuse(reason: RefusedReason): SendResult {
    this.refusedFrames++;
    return REFUSED[reason];
  }

  private peer(system: SystemPath): Peer {
    // Most sends go to the system of the previous one, usually the very same SystemPath object.
    if (system === this.lastSystem) return this.lastPeer as Peer;
    const peer = this.peerOf(system);
    this.lastSystem = system;
    this.lastPeer = peer;
    return peer;
  }

  private peerOf(system: SystemPath): Peer {
    const key = system.toString();
    let peer = this.peers.get(key);
    if (peer === undefined) {
      peer = {
        system,
        queue: new FrameQueue(),
        active: undefined,
        connections: new Set(),
        dialling: undefined,
        attempts: 0,
        retryTimer: undefined,
        lastError: undefined,
      };
      this.peers.set(key, peer);
    }
    return peer;
  }

  private isBlocked(system: SystemPath): boolean {
    if (this.blockedSystems.size > 0 && this.blockedSystems.has(system.toString())) return true;
    if (this.blockedIps.size === 0) return false;
    const ip = canonicalIp(system.host);
    return ip !== undefined && this.blockedIps.has(ip);
  }

  private checkAllClosed(): void {
    if (this.isCloseCalled && this.connections.size === 0 && this.onAllClosed !== undefined) {
      const resolve = this.onAllClosed;
      this.onAllClosed = undefined;
      resolve();
    }
  }
}

const token = Symbol('TcpTransport.listen');

function tlsServerOptions(options: ResolvedTransportOptions): tls.TlsOptions {
  const material = options.tls as NonNullable<ResolvedTransportOptions['tls']>;
  return {
    key: material.key,
    cert: material.cert,
    ...(material.ca === undefined ? {} : { ca: material.ca as tls.TlsOptions['ca'] }),
    requestCert: material.requestCert ?? true,
    rejectUnauthorized: material.rejectUnauthorized ?? true,
  };
}

function checkSystem(system: SystemPath): void {
  if (!(system instanceof SystemPath)) {
    throw new TypeError(`Expected \`system\` to be a SystemPath, got ${describeValue(system)}`);
  }
}

function checkIp(address: string): string {
  const ip = canonicalIp(address);
  if (ip === undefined)
    throw new TypeError(`Expected \`address\` to be an IP address, got ${describeValue(address)}`);
  return ip;
}
