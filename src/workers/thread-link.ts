import type { Logger } from 'pino';
import type { Dispatcher, DispatchHost, RemoteLink } from '../dispatch/dispatcher.js';
import { describeThrown } from '../internal/describe-thrown.js';
import { remoteNetMessage } from '../messaging/net-message.js';
import { ChunkDataFrame } from '../net/frame.js';
import type { NetworkLink } from '../net/network-link.js';
import { type ActorPath, NamedPath } from '../paths/actor-path.js';
import type { SystemPath } from '../paths/system-path.js';
import type { ChunkRange } from '../serialisation/buffer-writer.js';
import type { SerId } from '../serialisation/ser-id.js';
import { type Serialiser, serialiseInto } from '../serialisation/serialiser.js';
import type { ThreadChannel } from './thread-channel.js';

const EMPTY = new Uint8Array(0);

/** A worker system as the parent's link sees it: its path, and its channel while its thread is up. */
export interface WorkerRoute {
  readonly systemPath: SystemPath;
  /** The channel to its thread; `undefined` while it is down. */
  readonly channel: ThreadChannel | undefined;
  /** Why it is down, for the dead letter (`faulted`, `restarting`, `gave-up`, `terminated`). */
  readonly downDetail: string;
}

/** Where a cached route's messages go: a worker's route, or a worker's parent or peer channel. */
interface ChannelHolder {
  readonly channel: ThreadChannel | undefined;
}

/** A pool's paths: a message to it goes to one of its workers (select) or to all of them (broadcast). */
export interface PoolRoute {
  /** The workers a message from `sender` goes to; `broadcast` for all the live ones. */
  pick(sender: ActorPath, broadcast: boolean): readonly WorkerRoute[];
  readonly name: string;
}

/**
 * The thread side of a system's network: sends path messages to worker systems (from their parent) or
 * to the parent (from a worker), serialised into {@link ThreadChannel} batches, and hands incoming ones
 * to the dispatcher. Plugged in under the dispatcher as its {@link RemoteLink}, as the TCP link is, so
 * named services, routing groups and dead letters behave as between networked systems.
 *
 * @remarks A worker sends to a sibling on their direct channel when it has one, and everything else to
 * its parent; the parent delivers its own paths, forwards the bytes of worker and pool paths to the
 * worker's channel (without decoding the payload), and hands other systems' paths to its TCP link when
 * it has one. A message for a worker that is down is a dead letter (`worker-down`).
 */
export class ThreadLink implements RemoteLink {
  readonly #host: DispatchHost;
  readonly #logger: Logger;
  #dispatcher: Dispatcher | undefined;
  /** The TCP side of a parent with a network: paths of other systems go there. */
  #tcp: NetworkLink | undefined;
  /** A worker's channel to its parent. */
  #parent: ThreadChannel | undefined;
  /** A worker's direct channels to its siblings, by system path: they skip the parent's relay. */
  readonly #peers = new Map<string, ThreadChannel>();
  readonly #workers = new Map<string, WorkerRoute>();
  readonly #pools = new Map<string, PoolRoute>();
  /** A pool path rewritten to each worker's path, by the pool path object (paths are immutable). */
  readonly #rewritten = new WeakMap<ActorPath, Map<SystemPath, NamedPath>>();
  readonly #serialised: ChunkRange = { chunk: EMPTY, offset: 0, length: 0 };
  /**
   * The last system path object found to be a thread's, with the route its messages went to: a stream
   * of messages carries the same path objects (decoded paths are the path table's), so most messages
   * skip the comparison of system paths by text and the lookups by it (the dispatcher's `isLocal` does
   * the same for this system's path). Forgotten whenever a route changes (see
   * {@link ThreadLink.#forget}); a worker's route is kept rather than its channel, which changes when
   * the worker restarts.
   */
  #lastRemote: SystemPath | undefined;
  #lastRoute: ChannelHolder | undefined;

  constructor(host: DispatchHost, logger: Logger) {
    this.#host = host;
    this.#logger = logger;
  }

  /** Starts handing incoming messages to `dispatcher` and takes its remote sends (before `tcp`). */
  attach(dispatcher: Dispatcher, tcp: NetworkLink | undefined): void {
    this.#dispatcher = dispatcher;
    this.#tcp = tcp;
    dispatcher.attachRemote(this);
  }

  /** In a worker: every path that is not the worker's own goes to `channel`. */
  connectParent(channel: ThreadChannel): void {
    this.#parent = channel;
    this.#forget();
  }

  /** In a worker: paths on `systemPath` go to that sibling on `channel`, no longer through the parent. */
  addPeer(systemPath: string, channel: ThreadChannel): void {
    this.#peers.get(systemPath)?.close();
    this.#peers.set(systemPath, channel);
    this.#forget();
  }

  /** In a worker: the sibling's thread ended; its paths go through the parent again. */
  removePeer(systemPath: string): void {
    this.#peers.get(systemPath)?.close();
    this.#peers.delete(systemPath);
    this.#forget();
  }

  /** In a parent: paths on `route.systemPath` go to that worker. */
  addWorker(route: WorkerRoute): void {
    this.#workers.set(route.systemPath.toString(), route);
    this.#forget();
  }

  /** Forgets a worker: its paths become unroutable. */
  removeWorker(systemPath: SystemPath): void {
    this.#workers.delete(systemPath.toString());
    this.#forget();
  }

  /** In a parent: paths on `systemPath` go to the pool's workers. */
  addPool(systemPath: SystemPath, pool: PoolRoute): void {
    this.#pools.set(systemPath.toString(), pool);
    this.#forget();
  }

  /** Drops the cached routes: the next message of each system looks its route up again. */
  #forget(): void {
    this.#lastRemote = undefined;
    this.#lastRoute = undefined;
  }

  send(sender: ActorPath, receiver: ActorPath, value: unknown, serialiser: Serialiser<unknown>): void {
    const system = receiver.system;
    // The usual stream to a thread: a number goes straight into the ring of the route found last.
    if (
      system === this.#lastRemote &&
      this.#lastRoute?.channel?.sendValue(serialiser, value, sender, receiver)
    ) {
      return;
    }
    if (system.transport !== 'thread' && this.#parent === undefined) {
      // A parent's message for another process: the TCP link's, which serialises it itself.
      if (this.#tcp === undefined) {
        this.#host.deadLetterToPath(receiver, value, 'unroutable', 'this system has no network');
      } else {
        this.#tcp.send(sender, receiver, value, serialiser);
      }
      return;
    }
    const serialised = this.#serialised;
    try {
      serialiseInto(serialiser, value, serialised);
    } catch (error) {
      this.#logger.warn(
        { err: error, receiver: receiver.toString(), serId: serialiser.serId },
        `Could not serialise a message to ${receiver.toString()}: ${describeThrown(error)}`,
      );
      this.#host.deadLetterToPath(receiver, value, 'serialisation-failed', describeThrown(error));
      return;
    }
    const { chunk, offset, length } = serialised;
    serialised.chunk = EMPTY;
    this.#route(serialiser.serId, sender, receiver, chunk, offset, length, value);
  }

  /** Sends bytes serialised elsewhere (a forwarded or pre-serialised message) as they are. */
  sendBytes(
    sender: ActorPath,
    receiver: ActorPath,
    serId: SerId,
    chunk: Uint8Array,
    offset: number,
    length: number,
  ): void {
    this.#route(serId, sender, receiver, chunk, offset, length, undefined);
  }

  /** A batch's data frame arrived from another thread. */
  received(
    serId: SerId,
    sender: ActorPath,
    receiver: ActorPath,
    chunk: Uint8Array,
    offset: number,
    length: number,
  ): void {
    this.#route(serId, sender, receiver, chunk, offset, length, undefined);
  }

  #route(
    serId: SerId,
    sender: ActorPath,
    receiver: ActorPath,
    chunk: Uint8Array,
    offset: number,
    length: number,
    value: unknown,
  ): void {
    const dispatcher = this.#dispatcher;
    const system = receiver.system;
    if (system === this.#lastRemote) {
      // A refusal (the thread is down) goes the long way, which names the dead letter's reason.
      const channel = (this.#lastRoute as ChannelHolder).channel;
      if (channel?.send(serId, sender, receiver, chunk, offset, length) === true) return;
    } else if (dispatcher?.isLocal(system) === true) {
      dispatcher.receive(sender, receiver, serId, chunk, offset, length);
      return;
    }
    const parent = this.#parent;
    if (parent !== undefined) {
      if (this.#peers.size > 0) {
        const peer = this.#peers.get(system.toString());
        if (peer?.send(serId, sender, receiver, chunk, offset, length) === true) {
          this.#remember(system, { channel: peer });
          return;
        }
      }
      if (parent.send(serId, sender, receiver, chunk, offset, length)) {
        this.#remember(system, { channel: parent });
      } else {
        this.#dead(receiver, value, serId, sender, chunk, offset, length, 'the parent system is gone');
      }
      return;
    }
    if (system.transport !== 'thread') {
      // From a worker, for another process: over the parent's TCP link, the bytes as they are.
      const transport = this.#tcp?.transport;
      if (transport === undefined) {
        this.#host.deadLetterToPath(
          receiver,
          remoteNetMessage(sender, receiver, serId, chunk, offset, length),
          'unroutable',
          'this system has no network',
        );
        return;
      }
      const result = transport.send(new ChunkDataFrame(serId, sender, receiver, chunk, offset, length));
      if (result.kind === 'refused') {
        this.#host.deadLetterToPath(
          receiver,
          remoteNetMessage(sender, receiver, serId, chunk, offset, length),
          'refused',
          result.reason,
        );
      }
      return;
    }
    const key = system.toString();
    const worker = this.#workers.get(key);
    if (worker !== undefined) {
      const channel = worker.channel;
      if (channel?.send(serId, sender, receiver, chunk, offset, length) === true) {
        this.#remember(system, worker);
      } else {
        this.#dead(receiver, value, serId, sender, chunk, offset, length, worker.downDetail);
      }
      return;
    }
    const pool = this.#pools.get(key);
    if (pool === undefined || receiver.kind !== 'named') {
      this.#host.deadLetterToPath(
        receiver,
        value ?? remoteNetMessage(sender, receiver, serId, chunk, offset, length),
        'unresolved',
        `no worker system or pool of this process is at ${key}`,
      );
      return;
    }
    const chosen = pool.pick(sender, receiver.marker === 'broadcast');
    if (chosen.length === 0) {
      this.#dead(receiver, value, serId, sender, chunk, offset, length, `no worker of ${pool.name} is up`);
      return;
    }
    for (const member of chosen) {
      const target = this.#rewrite(receiver, member.systemPath);
      const channel = member.channel;
      if (channel === undefined || !channel.send(serId, sender, target, chunk, offset, length)) {
        this.#dead(target, value, serId, sender, chunk, offset, length, member.downDetail);
      }
    }
  }

  /** Sends the next messages for `system` to `route`'s channel without a lookup. */
  #remember(system: SystemPath, route: ChannelHolder): void {
    this.#lastRemote = system;
    this.#lastRoute = route;
  }

  /** The path of `pool`'s alias on one of its workers: the same segments, without the marker. */
  #rewrite(path: NamedPath, system: SystemPath): NamedPath {
    let bySystem = this.#rewritten.get(path);
    if (bySystem === undefined) {
      bySystem = new Map();
      this.#rewritten.set(path, bySystem);
    }
    let target = bySystem.get(system);
    if (target === undefined) {
      target = new NamedPath(system, path.segments);
      bySystem.set(system, target);
    }
    return target;
  }

  #dead(
    receiver: ActorPath,
    value: unknown,
    serId: SerId,
    sender: ActorPath,
    chunk: Uint8Array,
    offset: number,
    length: number,
    detail: string,
  ): void {
    this.#host.deadLetterToPath(
      receiver,
      value ?? remoteNetMessage(sender, receiver, serId, chunk, offset, length),
      'worker-down',
      detail,
    );
  }
}
