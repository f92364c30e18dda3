import * as net from 'node:net';
import * as tls from 'node:tls';
import { describeValue } from '../internal/describe-value.js';
import { KompactError } from '../internal/kompact-error.js';
import type { ActorPath } from '../paths/actor-path.js';
import { SystemPath } from '../paths/system-path.js';
import type { SerId } from '../serialisation/ser-id.js';
import type { ClockTimer } from '../timer/clock.js';
import {
  Connection,
  type ConnectionHost,
  type ConnectionOutcome,
  type ConnectionSettings,
} from './connection.js';
import { FlushScheduler } from './flush-scheduler.js';
import { ChunkDataFrame, type DataFrame, dataFrameSize, isSerIdValue } from './frame.js';
import { FrameQueue } from './frame-queue.js';
import { HandshakeThrottle } from './handshake-throttle.js';
import { canonicalIp } from './ip-address.js';
import { IpNetSet, parseIpNet } from './ip-net.js';
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
  /** Connection attempts made after a failed one, ever (for an inspector). */
  retries: number;
  /** Traffic of its connections that have ended (those still open count their own). */
  readonly ended: Traffic;
}

/** Data frames and bytes each way over a peer's connections. */
export interface Traffic {
  framesSent: number;
  bytesSent: number;
  framesReceived: number;
  bytesReceived: number;
}

/** What a transport knows of one peer system, for an inspector. */
export interface PeerStats extends Readonly<Traffic> {
  readonly system: SystemPath;
  readonly status: PeerStatus;
  /** Established connections with it. */
  readonly connections: number;
  /** Connection attempts made after a failed one, ever. */
  readonly retries: number;
  /** Failed attempts in the current series of connection attempts. */
  readonly failedAttempts: number;
  /** Frames waiting for a connection that accepts them. */
  readonly queuedFrames: number;
}

/** Adds `connection`'s traffic to `into`. */
function addTraffic(into: Traffic, connection: Connection): void {
  into.framesSent += connection.framesSent;
  into.bytesSent += connection.bytesSent;
  into.framesReceived += connection.framesReceived;
  into.bytesReceived += connection.bytesReceived;
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
  /**
   * Incoming connections refused on arrival: from a blocked address, from an address refused after too
   * many failed proofs, or past `maxIncomingConnections` with none in a handshake to close instead.
   */
  readonly refusedConnections: number;
  /** Incoming connections closed in their handshake to make room for a newer one. */
  readonly evictedHandshakes: number;
  /** Incoming connections whose handshake failed (timeout, bad frame, refused proof or system). */
  readonly failedHandshakes: number;
  /** Times an address started being refused after too many failed proofs. */
  readonly throttledAddresses: number;
  /** Messages delivered over open connections that their components have not taken yet. */
  readonly receiveBacklogMessages: number;
  /** Payload bytes of those messages. */
  readonly receiveBacklogBytes: number;
}

/** Why the transport turned away an incoming connection before its handshake completed. */
interface TurnedAway {
  blocked: number;
  throttled: number;
  full: number;
  evicted: number;
  failed: number;
  throttledAddresses: number;
}

/** How often, at most, the transport logs a summary of the incoming connections it turned away. */
const TURNED_AWAY_LOG_INTERVAL_MS = 10_000;

/** Addresses named in one summary line, at most. */
const TURNED_AWAY_LOG_ADDRESSES = 5;

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
 * connection concerned. With `sharedSecret`, peers must prove the secret in the handshake (the dialer
 * first; repeated failures from one address get it refused for a growing backoff); with `tls`,
 * connections are TLS (mutual by default). Blocked systems and addresses are refused at the handshake,
 * their connections closed and their frames reported lost.
 *
 * Admission: incoming connections in their handshake have their own budget
 * (`maxHandshakingConnections`, `maxHandshakingPerAddress`) within `maxIncomingConnections`; a new
 * connection closes the oldest one still in its handshake rather than being refused, so idle
 * connections that never handshake cannot lock legitimate systems out (with TLS, from the first TCP
 * byte: the TLS handshake counts as part of the handshake). Frames before the handshake are
 * limited to handshake size. Incoming connections turned away are counted ({@link TcpTransport.stats})
 * and logged as one summary line per 10 s, not one line each.
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
  /** Replies leave as soon as the scheduler drain that made them ends (see `FlushTiming`). */
  private readonly flusher = new FlushScheduler('after-drain');
  private readonly peers = new Map<string, Peer>();
  private readonly connections = new Set<Connection>();
  /** Counts data frames sent and received: the clock of `Connection.lastUse`. */
  private useTick = 0;
  /** Whether `hard-connection-limit-reached` was reported and no newcomer was admitted since. */
  private isHardLimitReported = false;
  private readonly blockedSystems = new Set<string>();
  private readonly blockedIps = new Set<string>();
  private readonly blockedNets = new IpNetSet();
  /**
   * Incoming connections not yet closed (or evicted), in handshake or established; with TLS, a raw
   * socket stands for its connection until its TLS handshake is done.
   */
  private readonly incoming = new Set<Pending>();
  /** Incoming connections (or raw TLS sockets) in their handshake, oldest first, with their address. */
  private readonly handshaking = new Map<Pending, string>();
  /** Raw sockets in their TLS handshake, by {@link tlsKey}, to be found again at `secureConnection`. */
  private readonly tlsHandshaking = new Map<string, net.Socket>();
  private readonly throttle: HandshakeThrottle;
  private readonly turnedAway: TurnedAway = {
    blocked: 0,
    throttled: 0,
    full: 0,
    evicted: 0,
    failed: 0,
    throttledAddresses: 0,
  };
  /** Some addresses of the connections counted in `turnedAway`, for the summary line. */
  private readonly turnedAwayAddresses = new Set<string>();
  private turnedAwayTimer: ClockTimer | undefined;
  private refusedConnections = 0;
  private evictedHandshakes = 0;
  private failedHandshakes = 0;
  private throttledAddresses = 0;
  /** The system of the last {@link TcpTransport.peer} lookup and its peer (peers are never removed while open). */
  private lastSystem: SystemPath | undefined;
  private lastPeer: Peer | undefined;
  /**
   * The receiver system of the last frame {@link TcpTransport.sendData} accepted, known to be a `tcp`
   * system and not blocked, and its peer: the next frames to it skip those checks and the lookup (a
   * parsed system's `transport` is not an interned string, so even that comparison costs). Every block
   * forgets it.
   */
  private sendSystem: SystemPath | undefined;
  private sendPeer: Peer | undefined;
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
      // No `server.maxConnections`: the transport admits connections itself (see `admit`), closing an
      // idle handshake to make room where Node's limit would refuse the newcomer.
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
    this.throttle = new HandshakeThrottle(
      options.maxHandshakeFailures,
      options.handshakeFailureWindowMs,
      options.handshakeBackoffMs,
    );
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
      readScope:
        options.onReadStart === undefined && options.onReadEnd === undefined
          ? undefined
          : { start: this.readStart, end: this.readEnd },
    };
    if (options.tls === undefined) {
      server.on('connection', this.onIncoming);
    } else {
      // Admitted as raw sockets, so the budgets cover the TLS handshake too.
      server.on('connection', this.onIncomingTls);
      server.on('secureConnection', this.onSecureConnection);
    }
    server.on('error', (error) => {
      options.logger.error({ err: error }, `Server socket error: ${error.message}`);
      this.emit({ kind: 'critical-network-failure', error });
    });
    server.on('tlsClientError', (error: Error, socket: tls.TLSSocket) => {
      // Counted when its raw socket closes, into the summary line (anyone can cause these).
      options.logger.debug(
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
      refusedConnections: this.refusedConnections,
      evictedHandshakes: this.evictedHandshakes,
      failedHandshakes: this.failedHandshakes,
      throttledAddresses: this.throttledAddresses,
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

  /** Every system this transport keeps a peer entry for, with its status and traffic, for an inspector. */
  peerStats(): PeerStats[] {
    return [...this.peers.values()].map((peer) => {
      const traffic = { ...peer.ended };
      for (const connection of peer.connections) addTraffic(traffic, connection);
      return {
        system: peer.system,
        status: this.status(peer.system),
        connections: peer.connections.size,
        retries: peer.retries,
        failedAttempts: peer.attempts,
        queuedFrames: peer.queue.size,
        ...traffic,
      };
    });
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
    if (frame.kind !== 'data' || !isSerIdValue(frame.serId)) {
      throw new TypeError(
        `Expected a data frame with a serId from 1 to 4294967295, got ${describeValue(frame)}`,
      );
    }
    if (frame instanceof ChunkDataFrame) {
      return this.sendData(
        frame.serId,
        frame.sender,
        frame.receiver,
        frame.chunk,
        frame.offset,
        frame.length,
      );
    }
    const payload = frame.payload;
    return this.sendData(frame.serId, frame.sender, frame.receiver, payload, 0, payload.length);
  }

  /**
   * {@link TcpTransport.send} without a frame object: the payload is `length` bytes at `offset` in
   * `chunk`, which must not be written again (it is copied when the frame is encoded, at once on an open
   * connection, or kept until one opens).
   *
   * @throws TypeError when `serId` is not an integer from 1 to 4294967295.
   */
  sendData(
    serId: SerId,
    sender: ActorPath,
    receiver: ActorPath,
    chunk: Uint8Array,
    offset: number,
    length: number,
  ): SendResult {
    if (!isSerIdValue(serId)) {
      throw new TypeError(
        `Expected \`serId\` to be an integer from 1 to 4294967295, got ${describeValue(serId)}`,
      );
    }
    if (this.isCloseCalled) return this.refuse('closed');
    const system = receiver.system;
    let peer = this.sendPeer as Peer;
    if (system !== this.sendSystem) {
      if (system.transport !== 'tcp') return this.refuse('unroutable');
      if (this.isBlocked(system)) return this.refuse('blocked');
      peer = this.peer(system);
      this.sendSystem = system;
      this.sendPeer = peer;
    }
    const size = dataFrameSize(sender, receiver, length);
    if (size - 4 > this.options.maxFrameBytes) return this.refuse('too-large');
    const active = peer.active;
    if (
      peer.queue.bytes + (active === undefined ? 0 : active.bufferedBytes) >=
      this.options.highWaterMarkBytes
    ) {
      return this.refuse('backpressure');
    }
    if (active !== undefined) active.lastUse = ++this.useTick;
    if (active?.enqueueData(serId, sender, receiver, chunk, offset, length, size) !== true) {
      peer.queue.push(new ChunkDataFrame(serId, sender, receiver, chunk, offset, length), size);
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
    this.sendSystem = undefined;
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
    this.sendSystem = undefined;
    if (!this.blockedIps.has(ip)) {
      this.blockedIps.add(ip);
      this.emit({ kind: 'blocked', target: { kind: 'ip', address: ip } });
    }
    const reason = `Address ${ip} is blocked`;
    for (const connection of this.connections) {
      if (connection.remoteAddress === ip) connection.destroy(new KompactError('HANDSHAKE_FAILED', reason));
    }
    // Raw sockets still in their TLS handshake have no connection yet.
    for (const [pending, address] of this.handshaking) {
      if (address === ip && !(pending instanceof Connection)) pending.destroy();
    }
    for (const peer of this.peers.values()) {
      if (canonicalIp(peer.system.host) === ip) this.cutOff(peer, reason);
    }
  }

  /**
   * Blocks every address of a network (`10.0.0.0/8`, `fd00::/8`): as {@link blockIp} for each of them.
   * Kompact: `BlockIpNet`.
   *
   * @throws TypeError when `net` is not an IPv4 or IPv6 network in CIDR notation.
   */
  blockIpNet(net: string): void {
    const parsed = parseIpNet(net);
    this.sendSystem = undefined;
    if (this.blockedNets.add(parsed))
      this.emit({ kind: 'blocked', target: { kind: 'ip-net', net: parsed.text } });
    const reason = `Network ${parsed.text} is blocked`;
    const inNet = new IpNetSet();
    inNet.add(parsed);
    for (const connection of this.connections) {
      const address = connection.remoteAddress;
      if (address !== undefined && inNet.has(address)) {
        connection.destroy(new KompactError('HANDSHAKE_FAILED', reason));
      }
    }
    for (const [pending, address] of this.handshaking) {
      if (inNet.has(address) && !(pending instanceof Connection)) pending.destroy();
    }
    for (const peer of this.peers.values()) {
      const ip = canonicalIp(peer.system.host);
      if (ip !== undefined && inNet.has(ip)) this.cutOff(peer, reason);
    }
  }

  /**
   * Lifts a block on a network (the same text as blocked, up to canonical form). Addresses blocked one
   * by one stay blocked. Kompact: `AllowIpNet`.
   *
   * @throws TypeError when `net` is not an IPv4 or IPv6 network in CIDR notation.
   */
  allowIpNet(net: string): void {
    const parsed = parseIpNet(net);
    if (this.blockedNets.delete(parsed))
      this.emit({ kind: 'allowed', target: { kind: 'ip-net', net: parsed.text } });
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
   * With `abrupt`, established connections are destroyed too, without flushing (`killSystem`: the
   * peers see this system crash).
   */
  close(abrupt = false): Promise<void> {
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
      if (abrupt || connection.state === 'handshaking') {
        connection.destroy(new KompactError('TRANSPORT_CLOSED', 'The transport is closing'));
      } else {
        connection.close('the transport is closing');
      }
    }
    for (const socket of this.tlsHandshaking.values()) socket.destroy();
    this.logTurnedAway();
    this.checkAllClosed();
    this.closing = Promise.all([serverClosed, connectionsClosed]).then(() => {
      this.flusher.dispose();
      this.peers.clear();
      this.lastSystem = undefined;
      this.lastPeer = undefined;
      this.sendSystem = undefined;
      this.sendPeer = undefined;
    });
    return this.closing;
  }

  /** A socket read starts (with `onReadStart` or `onReadEnd`): its writes wait for its end. */
  private readonly readStart = (): void => {
    // The hold last: if onReadStart throws, the read is not handled and nothing is held.
    this.options.onReadStart?.();
    this.flusher.hold();
  };

  /** A read's end: its turns run (`onReadEnd`), then their replies and the read's ack are written. */
  private readonly readEnd = (): void => {
    try {
      this.options.onReadEnd?.();
    } finally {
      this.flusher.release();
    }
  };

  private readonly host: ConnectionHost = {
    isSystemBlocked: (system) => this.isBlocked(system),
    isIpBlocked: (address) => this.isIpBlocked(address),
    authenticationFailed: (connection) => {
      const address = connection.remoteAddress;
      if (address === undefined) return;
      if (this.throttle.recordFailure(address, this.options.clock.now()) > 0) {
        this.throttledAddresses++;
        this.turnAway('throttledAddresses', address);
      }
    },
    established: (connection) => this.established(connection),
    data: (connection, serId, sender, receiver, chunk, offset, length) => {
      this.receivedFrames++;
      connection.lastUse = ++this.useTick;
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
    const address = this.admit(socket);
    if (address === undefined) return;
    const connection = this.open(socket, 'acceptor', undefined);
    this.incoming.add(connection);
    this.handshaking.set(connection, address);
  };

  /** A raw socket of a TLS server: admitted now, and counted as in its handshake until it is secure. */
  private readonly onIncomingTls = (socket: net.Socket): void => {
    const address = this.admit(socket);
    if (address === undefined) return;
    const key = tlsKey(socket);
    this.incoming.add(socket);
    this.handshaking.set(socket, address);
    this.tlsHandshaking.set(key, socket);
    socket.once('close', () => {
      if (this.tlsHandshaking.get(key) !== socket) return;
      // Its TLS handshake failed or timed out (an evicted socket is no longer in `incoming`).
      this.tlsHandshaking.delete(key);
      this.handshaking.delete(socket);
      if (this.incoming.delete(socket) && !this.isCloseCalled) {
        this.failedHandshakes++;
        this.turnAway('failed', address);
      }
    });
  };

  private readonly onSecureConnection = (socket: tls.TLSSocket): void => {
    const key = tlsKey(socket);
    const raw = this.tlsHandshaking.get(key);
    const address = raw === undefined ? undefined : this.handshaking.get(raw);
    if (raw === undefined || address === undefined || this.isCloseCalled) {
      // Evicted, or the transport is closing.
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    this.tlsHandshaking.delete(key);
    this.handshaking.delete(raw);
    this.incoming.delete(raw);
    const connection = this.open(socket, 'acceptor', undefined);
    this.incoming.add(connection);
    this.handshaking.set(connection, address);
  };

  /**
   * Decides whether a new incoming socket may start its handshake, closing the oldest pending ones to
   * make room; returns its canonical address, or `undefined` after refusing it.
   */
  private admit(socket: net.Socket): string | undefined {
    const remote = socket.remoteAddress;
    const address = remote === undefined ? undefined : (canonicalIp(remote) ?? remote);
    if (this.isCloseCalled || address === undefined) {
      // Closing, or the socket is already gone.
      socket.on('error', () => {});
      socket.destroy();
      return undefined;
    }
    if (this.isIpBlocked(address)) {
      this.refuseIncoming(socket, 'blocked', address);
      return undefined;
    }
    if (this.throttle.isRefused(address, this.options.clock.now())) {
      this.refuseIncoming(socket, 'throttled', address);
      return undefined;
    }
    const { maxHandshakingPerAddress, maxHandshakingConnections, maxIncomingConnections } = this.options;
    let fromAddress = 0;
    for (const pendingAddress of this.handshaking.values()) {
      if (pendingAddress === address) fromAddress++;
    }
    if (fromAddress >= maxHandshakingPerAddress) this.evictOldestHandshake(address);
    if (this.handshaking.size >= maxHandshakingConnections) this.evictOldestHandshake(undefined);
    if (this.incoming.size >= maxIncomingConnections && !this.evictOldestHandshake(undefined)) {
      this.refuseIncoming(socket, 'full', address);
      if (!this.isHardLimitReported) {
        this.isHardLimitReported = true;
        this.emit({ kind: 'hard-connection-limit-reached' });
      }
      return undefined;
    }
    // There was room again: the next time the limit is reached is reported again.
    this.isHardLimitReported = false;
    return address;
  }

  /**
   * Closes the oldest incoming connection still in its handshake (from `address`, when given) to make
   * room for a new one; false when there is none. It stops counting at once.
   */
  private evictOldestHandshake(address: string | undefined): boolean {
    for (const [pending, pendingAddress] of this.handshaking) {
      if (address !== undefined && pendingAddress !== address) continue;
      this.handshaking.delete(pending);
      this.incoming.delete(pending);
      this.evictedHandshakes++;
      this.turnAway('evicted', pendingAddress);
      if (pending instanceof Connection) {
        pending.destroy(
          new KompactError('HANDSHAKE_FAILED', 'Closed in its handshake to make room for a newer connection'),
        );
      } else {
        this.tlsHandshaking.delete(tlsKey(pending));
        pending.destroy();
      }
      return true;
    }
    return false;
  }

  private refuseIncoming(
    socket: net.Socket,
    reason: 'blocked' | 'throttled' | 'full',
    address: string,
  ): void {
    this.refusedConnections++;
    this.turnAway(reason, address);
    socket.on('error', () => {});
    socket.destroy();
  }

  /** Counts an incoming connection turned away for the next summary line, which it schedules. */
  private turnAway(reason: keyof TurnedAway, address: string | undefined): void {
    this.turnedAway[reason]++;
    if (address !== undefined && this.turnedAwayAddresses.size < TURNED_AWAY_LOG_ADDRESSES) {
      this.turnedAwayAddresses.add(address);
    }
    if (this.turnedAwayTimer === undefined && !this.isCloseCalled) {
      this.turnedAwayTimer = this.options.clock.setTimer(this.logTurnedAway, TURNED_AWAY_LOG_INTERVAL_MS);
    }
  }

  /** Writes the summary of the incoming connections turned away since the last one, if any. */
  private readonly logTurnedAway = (): void => {
    if (this.turnedAwayTimer !== undefined) this.options.clock.clearTimer(this.turnedAwayTimer);
    this.turnedAwayTimer = undefined;
    const counts = this.turnedAway;
    const total = counts.blocked + counts.throttled + counts.full + counts.evicted + counts.failed;
    if (total === 0 && counts.throttledAddresses === 0) return;
    this.options.logger.warn(
      { ...counts, addresses: [...this.turnedAwayAddresses] },
      `Turned away ${total} incoming connections before their handshake completed ` +
        `(${counts.evicted} closed to make room, ${counts.failed} failed their handshake, ` +
        `${counts.blocked + counts.throttled + counts.full} refused on arrival; ` +
        `${counts.throttledAddresses} addresses refused for failed proofs); ` +
        `one summary per ${TURNED_AWAY_LOG_INTERVAL_MS / 1000} s at most`,
    );
    counts.blocked = 0;
    counts.throttled = 0;
    counts.full = 0;
    counts.evicted = 0;
    counts.failed = 0;
    counts.throttledAddresses = 0;
    this.turnedAwayAddresses.clear();
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
    if (peer.attempts > 0) peer.retries++;
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
    this.handshaking.delete(connection);
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
    this.enforceSoftLimit(connection);
  }

  /**
   * Over `softConnectionLimit` established connections, closes the least recently used one (not
   * `newest`) gracefully and reports it. Kompact: the soft connection limit.
   */
  private enforceSoftLimit(newest: Connection): void {
    let count = 0;
    for (const peer of this.peers.values()) {
      for (const connection of peer.connections) if (connection.state === 'established') count++;
    }
    if (count <= this.options.softConnectionLimit) return;
    let oldest: Connection | undefined;
    for (const peer of this.peers.values()) {
      for (const connection of peer.connections) {
        if (
          connection !== newest &&
          connection.state === 'established' &&
          (oldest === undefined || connection.lastUse < oldest.lastUse)
        ) {
          oldest = connection;
        }
      }
    }
    if (oldest === undefined) return;
    const system = oldest.system as SystemPath;
    this.options.logger.warn(
      { limit: this.options.softConnectionLimit, remote: system.toString(), session: oldest.session },
      `Soft connection limit (${this.options.softConnectionLimit}) exceeded: closing the least recently used connection, with ${system.toString()}`,
    );
    this.emit({ kind: 'soft-connection-limit-exceeded', closed: system });
    oldest.close('the soft connection limit was exceeded');
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
    this.handshaking.delete(connection);
    // An evicted connection was counted when it was evicted, and a closing transport's are not failures.
    if (this.incoming.delete(connection) && outcome.kind === 'failed' && !this.isCloseCalled) {
      this.failedHandshakes++;
      this.turnAway('failed', connection.remoteAddress);
    }
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
    if (peer.connections.delete(connection)) addTraffic(peer.ended, connection);
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
        retries: 0,
        ended: { framesSent: 0, bytesSent: 0, framesReceived: 0, bytesReceived: 0 },
      };
      this.peers.set(key, peer);
    }
    return peer;
  }

  private isBlocked(system: SystemPath): boolean {
    if (this.blockedSystems.size > 0 && this.blockedSystems.has(system.toString())) return true;
    if (this.blockedIps.size === 0 && this.blockedNets.size === 0) return false;
    const ip = canonicalIp(system.host);
    return ip !== undefined && this.isIpBlocked(ip);
  }

  /** Whether the canonical address `ip` is blocked, on its own or by a blocked network. */
  private isIpBlocked(ip: string): boolean {
    return this.blockedIps.has(ip) || this.blockedNets.has(ip);
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

/** An incoming connection the transport counts: its connection, or (in a TLS handshake) its raw socket. */
type Pending = Connection | net.Socket;

/** Tells the live connections of one server apart: a TLS socket has the address and port of its raw one. */
function tlsKey(socket: net.Socket): string {
  return `${socket.remoteAddress}|${socket.remotePort}`;
}

function tlsServerOptions(options: ResolvedTransportOptions): tls.TlsOptions {
  const material = options.tls as NonNullable<ResolvedTransportOptions['tls']>;
  return {
    // A TLS handshake that idles is closed as soon as a kompact-ts one would be (Node's default: 120 s).
    handshakeTimeout: options.handshakeTimeoutMs,
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
