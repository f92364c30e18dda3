import type { Logger } from 'pino';
import type { HostDispatcher } from '../component/component-host.js';
import { describeThrown } from '../internal/describe-thrown.js';
import { describeValue } from '../internal/describe-value.js';
import type { PathTarget } from '../messaging/message-target.js';
import {
  localNetMessage,
  type NetMessage,
  type PayloadSink,
  remoteNetMessage,
} from '../messaging/net-message.js';
import type { ReceiveBacklog } from '../messaging/receive-backlog.js';
import { type ActorPath, NamedPath, UniquePath } from '../paths/actor-path.js';
import type { ComponentId } from '../paths/component-id.js';
import type { SystemPath } from '../paths/system-path.js';
import type { Preserialised } from '../serialisation/preserialised.js';
import type { SerId } from '../serialisation/ser-id.js';
import { type Serialiser, serialiseToBytes } from '../serialisation/serialiser.js';
import type { SerialiserRegistry } from '../serialisation/serialiser-registry.js';
import { builtInSerialiserFor, isSerialiser } from '../serialisation/serialisers.js';
import type { DeadLetterReason } from '../system/dead-letters.js';
import { PathTrie } from './path-trie.js';
import {
  BroadcastRouting,
  RoundRobinRouting,
  type RoutingPolicy,
  SenderHashRouting,
} from './routing-policy.js';

/** The network side of a dispatcher: sends to other systems; made by the system when it has a network. */
export interface RemoteLink extends PayloadSink {
  /**
   * Serialises `value` and sends it; a value that fails to serialise, or a frame the transport refuses,
   * becomes a dead letter here (never an exception for the sender).
   */
  send(sender: ActorPath, receiver: ActorPath, value: unknown, serialiser: Serialiser<unknown>): void;
}

/** What the dispatcher needs from its system. */
export interface DispatchHost {
  readonly logger: Logger;
  /**
   * Whether `group/*` and `group/?` reach the components below `group` without a routing policy there
   * (config `kompact.dispatch.implicit-routes`, off by default).
   */
  readonly implicitRoutes: boolean;
  /** Records a message sent to a path that could not be delivered. */
  deadLetterToPath(path: ActorPath, message: unknown, reason: DeadLetterReason, detail?: string): void;
}

/** A component entry of the named-path table; re-pointed in place when the component is replaced. */
interface ComponentEntry {
  readonly kind: 'component';
  core: PathTarget;
}

/** A routing group's policy, at the group's node. */
interface RouterEntry {
  readonly kind: 'router';
  readonly policy: RoutingPolicy;
}

type Entry = ComponentEntry | RouterEntry;

/** Everything registered for one component, so a replacement or its end can move or drop it at once. */
interface Registration {
  readonly ids: ComponentId[];
  readonly aliases: { readonly segments: readonly string[]; readonly entry: ComponentEntry }[];
}

/** What an alias registration did. */
export type AliasResult =
  | { readonly kind: 'registered'; readonly path: NamedPath }
  | { readonly kind: 'duplicate'; readonly path: NamedPath };

// Implicit routes (Kompact's `implicit_routes` feature, off unless configured): `group/*` and
// `group/?` without a policy.
const BROADCAST = new BroadcastRouting();
const DEFAULT_SELECT = new SenderHashRouting();

/** Whether `targets` is a routing group's choice rather than one component. */
function isGroup(targets: PathTarget | readonly PathTarget[]): targets is readonly PathTarget[] {
  return Array.isArray(targets);
}

/** The built-in policies, whose choice is always a list of members: no need to check it. */
function isBuiltIn(policy: RoutingPolicy): boolean {
  return (
    policy instanceof BroadcastRouting ||
    policy instanceof SenderHashRouting ||
    policy instanceof RoundRobinRouting
  );
}

/** Most entries of each of the dispatcher's caches by path object. */
const BY_PATH_LIMIT = 1024;

/** The sender of messages told from the system itself, not from a component: nobody can answer it. */
const NOBODY_ID = '00000000-0000-0000-0000-000000000000';

/**
 * One system's lookup table and router: unique paths by component id, named paths in a {@link PathTrie},
 * routing groups, and delivery of path messages to local components or, through the {@link RemoteLink},
 * to other systems.
 *
 * Kompact: the `LocalDispatcher` / `NetworkDispatcher` component with its `ActorStore`.
 *
 * @remarks Entries are strong references, dropped when their component is destroyed (Kompact keeps weak
 * ones until a reaper runs). A faulted component's aliases stay until re-registered, as in Kompact: a
 * message to them is a dead letter, `registerByAlias` of the alias is a duplicate, and
 * `updateAliasRegistration` re-points it. A replacement made by `replaceWith` takes over every path of
 * the faulted component at once.
 */
export class Dispatcher implements HostDispatcher {
  /** This system's own path; paths on it are delivered locally, never serialised. */
  readonly systemPath: SystemPath;
  private readonly host: DispatchHost;
  private readonly registry: SerialiserRegistry;
  private readonly uniques = new Map<ComponentId, PathTarget>();
  /**
   * `uniques` by path object: a lookup by identity is about half the cost of one by a 36-character id
   * (decoded paths are shared objects). Holds only paths that were found, so it is emptied when an id
   * is removed or re-pointed (not when one is added), and when full.
   */
  private readonly uniquesByPath = new Map<UniquePath, PathTarget>();
  private readonly named = new PathTrie<Entry>();
  /** `named` lookups by path object, like `uniquesByPath`; emptied when an entry is replaced or removed. */
  private readonly namedByPath = new Map<NamedPath, Entry>();
  private readonly registrations = new Map<PathTarget, Registration>();
  private remote: RemoteLink | undefined;
  private nobodyPath: UniquePath | undefined;
  /**
   * The last system path object found to be this system's, and the last found to be another's: paths
   * decoded from a peer or parsed by a user carry system paths of their own, which `equals` compares by
   * their text; most messages come with the same object as the one before (system paths are immutable).
   */
  private lastLocalSystem: SystemPath;
  private lastRemoteSystem: SystemPath | undefined;
  /** The last serId found registered (the registry never forgets one). */
  private lastKnownSerId = 0;
  /**
   * The last path object {@link resolve} found to be one component, and that component: a peer's
   * frames come in runs of one pair (decoded paths are shared objects), so a run resolves once. Forgot
   * ({@link forgetLastResolved}) wherever a path's target can change: where `uniquesByPath` or
   * `namedByPath` are emptied, and when a component is forgotten.
   */
  private lastResolvedPath: ActorPath | undefined;
  private lastResolvedTarget: PathTarget | undefined;

  constructor(systemPath: SystemPath, host: DispatchHost, registry: SerialiserRegistry) {
    this.systemPath = systemPath;
    this.host = host;
    this.registry = registry;
    this.lastLocalSystem = systemPath;
  }

  /**
   * Whether `system` is this system's path: by identity first (see `lastLocalSystem`), so a transport
   * that routes each frame by its receiver's system compares a decoded path's text only when it changes.
   */
  isLocal(system: SystemPath): boolean {
    if (system === this.lastLocalSystem) return true;
    if (system === this.lastRemoteSystem) return false;
    if (system.equals(this.systemPath)) {
      this.lastLocalSystem = system;
      return true;
    }
    this.lastRemoteSystem = system;
    return false;
  }

  /** Drops the last resolved path: a path may reach another component, or none, from now on. */
  private forgetLastResolved(): void {
    this.lastResolvedPath = undefined;
    this.lastResolvedTarget = undefined;
  }

  /** Connects the network side; without it, paths of other systems are dead letters (`unroutable`). */
  attachRemote(remote: RemoteLink): void {
    this.remote = remote;
  }

  /** The sender path of messages told by the system rather than a component. */
  get systemSenderPath(): UniquePath {
    this.nobodyPath ??= new UniquePath(this.systemPath, NOBODY_ID);
    return this.nobodyPath;
  }

  /** The unique path of `core`, registering it so that the path reaches it. Kompact: `register`. */
  register(core: PathTarget): UniquePath {
    const registration = this.registrationOf(core);
    if (this.uniques.get(core.id) !== core) {
      // A new id changes no cached lookup: the cache only holds paths that were found.
      this.uniques.set(core.id, core);
      registration.ids.push(core.id);
    }
    return new UniquePath(this.systemPath, core.id);
  }

  /**
   * Registers `core` under `segments` (already validated). With `update`, replaces what is there;
   * without, a taken path is a duplicate and nothing changes.
   *
   * Kompact: `register_by_alias` / `update_alias_registration`.
   */
  registerAlias(core: PathTarget, segments: readonly string[], update: boolean): AliasResult {
    const entry: ComponentEntry = { kind: 'component', core };
    const result = this.put(segments, entry, update);
    if (result.kind === 'registered') this.registrationOf(core).aliases.push({ segments, entry });
    return result;
  }

  /**
   * Puts `policy` at `segments`: messages to that path (and its `/*` or `/?` form, as the policy's mode
   * allows) go to the components registered below it. Kompact: `set_routing_policy`.
   */
  setRoutingPolicy(segments: readonly string[], policy: RoutingPolicy, update: boolean): AliasResult {
    return this.put(segments, { kind: 'router', policy }, update);
  }

  /** Stores `entry` at `segments`: replacing what is there with `update`, else only at a free path. */
  private put(segments: readonly string[], entry: Entry, update: boolean): AliasResult {
    const path = new NamedPath(this.systemPath, segments);
    if (update) {
      const result = this.named.update(segments, entry);
      if (result.kind === 'replaced') {
        // Only a replaced entry can be cached (the cache holds paths that were found).
        this.namedByPath.clear();
        this.forgetLastResolved();
        this.dropFromRegistration(result.previous);
      }
    } else if (this.named.insert(segments, entry).kind === 'duplicate') {
      return { kind: 'duplicate', path };
    }
    return { kind: 'registered', path };
  }

  /** Every path of the faulted `from` reaches its replacement `to` from now on. */
  transfer(from: PathTarget, to: PathTarget): void {
    const registration = this.registrations.get(from);
    if (registration === undefined) return;
    this.registrations.delete(from);
    const target = this.registrationOf(to);
    this.uniquesByPath.clear();
    this.forgetLastResolved();
    for (const id of registration.ids) {
      this.uniques.set(id, to);
      target.ids.push(id);
    }
    for (const alias of registration.aliases) {
      alias.entry.core = to;
      target.aliases.push(alias);
    }
  }

  /**
   * Forgets a component that ended. A destroyed component loses every path; a faulted one only its
   * unique paths, its aliases stay (dead) until re-registered, as in Kompact.
   */
  forget(core: PathTarget, state: 'destroyed' | 'faulty'): void {
    // Most components are never registered: no lookup while nothing is (their end is the hot case).
    if (this.registrations.size === 0) return;
    const registration = this.registrations.get(core);
    if (registration === undefined) return;
    for (const id of registration.ids) if (this.uniques.get(id) === core) this.uniques.delete(id);
    this.uniquesByPath.clear();
    this.forgetLastResolved();
    registration.ids.length = 0;
    if (state === 'faulty' && registration.aliases.length > 0) return;
    this.registrations.delete(core);
    for (const { segments, entry } of registration.aliases) {
      if (this.named.lookup(segments) === entry) this.named.remove(segments);
    }
    if (registration.aliases.length > 0) this.namedByPath.clear();
  }

  /** The paths `core` is registered under: its unique path(s) and its aliases (for an inspector). */
  pathsOf(core: PathTarget): string[] {
    const registration = this.registrations.get(core);
    if (registration === undefined) return [];
    return [
      ...registration.ids.map((id) => new UniquePath(this.systemPath, id).toString()),
      ...registration.aliases.map(({ segments }) => new NamedPath(this.systemPath, segments).toString()),
    ];
  }

  /**
   * `path.tell(value, from, serialiser?)` from a source on this dispatcher: picks the built-in
   * serialiser of `value` when none is given, refuses anything that is not a serialiser, then
   * {@link send}s.
   */
  tellPath(
    sender: ActorPath,
    receiver: ActorPath,
    value: unknown,
    serialiser: Serialiser<unknown> | undefined,
  ): void {
    let chosen = serialiser;
    if (chosen === undefined) {
      chosen = builtInSerialiserFor(value);
      if (chosen === undefined) {
        throw new TypeError(
          `Expected a serialiser for ${describeValue(value)}: only strings, numbers, bigints, Uint8Arrays and actor paths have a built-in one (pass one, e.g. msgpackSerialiser(serId(100)))`,
        );
      }
    } else if (!isSerialiser(chosen)) {
      throw new TypeError(`Expected \`serialiser\` to be a Serialiser, got ${describeValue(serialiser)}`);
    }
    this.send(sender, receiver, value, chosen);
  }

  /**
   * Sends `value` from `sender` to `receiver`: delivered in this system without serialising, or sent to
   * another system through the network; what cannot be delivered becomes a dead letter.
   */
  send(sender: ActorPath, receiver: ActorPath, value: unknown, serialiser: Serialiser<unknown>): void {
    if (!this.isLocal(receiver.system)) {
      if (this.remote === undefined) {
        this.host.deadLetterToPath(receiver, value, 'unroutable', 'this system has no network');
      } else {
        this.remote.send(sender, receiver, value, serialiser);
      }
      return;
    }
    const message = localNetMessage(sender, receiver, value, serialiser);
    const targets = this.resolve(receiver, sender, message);
    if (typeof targets === 'string') {
      this.host.deadLetterToPath(receiver, value, 'unresolved', targets);
      return;
    }
    if (!isGroup(targets)) {
      targets.tell(message);
      return;
    }
    deliverToGroup(targets, message);
  }

  /**
   * `path.tellSerialised`: serialises `value` now (a {@link SerialisationError} reaches the caller),
   * then sends the bytes as {@link sendPreserialised} does. Kompact: `tell_serialised`.
   */
  tellSerialised(
    sender: ActorPath,
    receiver: ActorPath,
    value: unknown,
    serialiser: Serialiser<unknown>,
  ): void {
    if (!isSerialiser(serialiser)) {
      throw new TypeError(`Expected \`serialiser\` to be a Serialiser, got ${describeValue(serialiser)}`);
    }
    // A view into the shared writer's chunk, never written again: no copy needed for one send.
    this.sendBytes(sender, receiver, serialiser.serId, serialiseToBytes(serialiser, value));
  }

  /**
   * Sends bytes serialised ahead of time: to another system as they are, or delivered here as a message
   * read from those bytes (as from a peer). Kompact: `tell_preserialised`.
   */
  sendPreserialised(sender: ActorPath, receiver: ActorPath, payload: Preserialised): void {
    this.sendBytes(sender, receiver, payload.serId, payload.bytes, payload);
  }

  private sendBytes(
    sender: ActorPath,
    receiver: ActorPath,
    serId: SerId,
    bytes: Uint8Array,
    letter: unknown = bytes,
  ): void {
    if (!this.isLocal(receiver.system)) {
      if (this.remote === undefined) {
        this.host.deadLetterToPath(receiver, letter, 'unroutable', 'this system has no network');
      } else {
        this.remote.sendBytes(sender, receiver, serId, bytes, 0, bytes.length);
      }
      return;
    }
    const message = remoteNetMessage(sender, receiver, serId, bytes);
    const targets = this.resolve(receiver, sender, message);
    if (typeof targets === 'string') {
      this.host.deadLetterToPath(receiver, letter, 'unresolved', targets);
      return;
    }
    if (!isGroup(targets)) {
      targets.tell(message);
      return;
    }
    deliverToGroup(targets, message);
  }

  /**
   * Sends a received `message` on to `receiver` with `sender` as its sender: delivered here sharing its
   * value (or bytes), or sent to another system as its bytes, without deserialising.
   * Kompact: `forward_with_sender` / `forward_with_original_sender`.
   */
  forward(sender: ActorPath, receiver: ActorPath, message: NetMessage): void {
    if (!this.isLocal(receiver.system)) {
      if (this.remote === undefined) {
        this.host.deadLetterToPath(receiver, message, 'unroutable', 'this system has no network');
      } else {
        message.sendVia(this.remote, sender, receiver);
      }
      return;
    }
    const forwarded = message.readdress(sender, receiver);
    const targets = this.resolve(receiver, sender, forwarded);
    if (typeof targets === 'string') {
      this.host.deadLetterToPath(receiver, message, 'unresolved', targets);
      return;
    }
    if (!isGroup(targets)) {
      targets.tell(forwarded);
      return;
    }
    deliverToGroup(targets, forwarded);
  }

  /**
   * Delivers a message that arrived from another system: its value is the `length` bytes at `offset` in
   * `chunk`, read in place (never written again). Bytes under a serId no registered serialiser handles
   * are never handed to a component. Each message told to a component counts in `backlog` (the
   * connection's) until the component takes it.
   */
  receive(
    sender: ActorPath,
    receiver: ActorPath,
    serId: SerId,
    chunk: Uint8Array,
    offset: number,
    length: number,
    backlog?: ReceiveBacklog,
  ): void {
    // A peer may only address this system: a path of a third system is never delivered here, even if
    // a component here has the same id or alias.
    if (!this.isLocal(receiver.system)) {
      this.host.deadLetterToPath(
        receiver,
        remoteNetMessage(sender, receiver, serId, chunk, offset, length),
        'misaddressed',
        `${sender.system.toString()} sent a message for ${receiver.system.toString()} to ${this.systemPath.toString()}`,
      );
      return;
    }
    if (serId !== this.lastKnownSerId) {
      if (!this.registry.has(serId)) {
        this.host.deadLetterToPath(
          receiver,
          remoteNetMessage(sender, receiver, serId, chunk, offset, length),
          'unknown-ser-id',
          `no serialiser is registered for serId ${serId}`,
        );
        return;
      }
      this.lastKnownSerId = serId;
    }
    const message = remoteNetMessage(sender, receiver, serId, chunk, offset, length, backlog?.session);
    const targets = this.resolve(receiver, sender, message);
    if (typeof targets === 'string') {
      this.host.deadLetterToPath(receiver, message, 'unresolved', targets);
      return;
    }
    if (!isGroup(targets)) {
      if (backlog !== undefined) message.countIn(backlog);
      targets.tell(message);
      return;
    }
    for (let i = 0; i < targets.length; i++) {
      // Each member gets a message of its own: each counts in the backlog until its member takes it.
      const copy = i === 0 ? message : message.readdress(sender, receiver);
      if (backlog !== undefined) copy.countIn(backlog);
      (targets[i] as PathTarget).tell(copy);
    }
  }

  /**
   * The component a message to `path` goes to (a unique path or an alias), the components a routing
   * group chose, or why there are none.
   */
  private resolve(
    path: ActorPath,
    sender: ActorPath,
    message: NetMessage,
  ): PathTarget | readonly PathTarget[] | string {
    if (path === this.lastResolvedPath) return this.lastResolvedTarget as PathTarget;
    // One component is the common case (every message of a request/reply pair): no array for it.
    if (path.kind === 'unique') {
      let core = this.uniquesByPath.get(path);
      if (core === undefined) {
        core = this.uniques.get(path.id);
        if (core === undefined) {
          return path.id === NOBODY_ID
            ? 'it is the dead-letter path, which nobody answers'
            : `no component is registered as ${path.id}`;
        }
        if (this.uniquesByPath.size >= BY_PATH_LIMIT) this.uniquesByPath.clear();
        this.uniquesByPath.set(path, core);
      }
      this.lastResolvedPath = path;
      this.lastResolvedTarget = core;
      return core;
    }
    let entry = this.namedByPath.get(path);
    if (entry === undefined) {
      entry = this.named.lookup(path.segments);
      if (entry !== undefined) {
        if (this.namedByPath.size >= BY_PATH_LIMIT) this.namedByPath.clear();
        this.namedByPath.set(path, entry);
      }
    }
    const marker = path.marker;
    if (entry?.kind === 'component' && marker === undefined) {
      this.lastResolvedPath = path;
      this.lastResolvedTarget = entry.core;
      return entry.core;
    }
    let policy: RoutingPolicy;
    if (entry?.kind === 'router') {
      policy = entry.policy;
      if (marker !== undefined && marker !== policy.mode) {
        return `the group's ${policy.kind} policy cannot ${marker === 'broadcast' ? 'broadcast (`/*`)' : 'select (`/?`)'}`;
      }
    } else if (marker === undefined) {
      return `nothing is registered at ${path.segments.join('/')}`;
    } else if (!this.host.implicitRoutes) {
      return (
        `no routing group is registered at ${path.segments.join('/')} (implicit routes are off: ` +
        'call setRoutingPolicy, or enable them with KompactConfig.implicitRoutes(true))'
      );
    } else {
      policy = marker === 'broadcast' ? BROADCAST : DEFAULT_SELECT;
    }
    const members = this.members(path.segments);
    const chosen = isBuiltIn(policy)
      ? policy.route(members, { sender, message })
      : this.routeChecked(policy, members, sender, message, path);
    if (typeof chosen === 'string') return chosen;
    return chosen.length === 0 ? `the group ${path.segments.join('/')} has no live member` : chosen;
  }

  /**
   * Asks a policy of the user's for its choice: one that throws, or returns anything but members of
   * the group, costs that message (a dead letter and a log line), never the sender's `tell`.
   */
  private routeChecked(
    policy: RoutingPolicy,
    members: readonly PathTarget[],
    sender: ActorPath,
    message: NetMessage,
    path: NamedPath,
  ): readonly PathTarget[] | string {
    let chosen: unknown;
    try {
      chosen = policy.route(members, { sender, message });
    } catch (error) {
      return this.policyFailed(policy, path, `threw ${describeThrown(error)}`, error);
    }
    if (!Array.isArray(chosen)) {
      return this.policyFailed(policy, path, `returned ${describeValue(chosen)}, not an array of members`);
    }
    const valid = chosen.length === 1 ? members.includes(chosen[0]) : isSubset(chosen, members);
    if (!valid)
      return this.policyFailed(policy, path, 'returned something that is not a member of the group');
    return chosen as readonly PathTarget[];
  }

  private policyFailed(policy: RoutingPolicy, path: NamedPath, what: string, error?: unknown): string {
    const detail = `the group's ${String(policy.kind)} policy ${what}`;
    this.host.logger.warn(
      { err: error, path: path.toString(), policy: String(policy.kind) },
      `Routing policy failed for ${path.toString()}: ${detail}; the message is a dead letter`,
    );
    return detail;
  }

  /** The live components registered at or below `segments`, in the table's stable order. */
  private members(segments: readonly string[]): PathTarget[] {
    const members: PathTarget[] = [];
    for (const entry of this.named.subtree(segments)) {
      if (entry.kind === 'component' && entry.core.canReceive()) members.push(entry.core);
    }
    return members;
  }

  private registrationOf(core: PathTarget): Registration {
    let registration = this.registrations.get(core);
    if (registration === undefined) {
      registration = { ids: [], aliases: [] };
      this.registrations.set(core, registration);
    }
    return registration;
  }

  /** An alias of some component was re-pointed: that component no longer owns it. */
  private dropFromRegistration(previous: Entry): void {
    if (previous.kind !== 'component') return;
    const registration = this.registrations.get(previous.core);
    if (registration === undefined) return;
    const index = registration.aliases.findIndex((alias) => alias.entry === previous);
    if (index !== -1) registration.aliases.splice(index, 1);
    if (registration.aliases.length === 0 && registration.ids.length === 0) {
      this.registrations.delete(previous.core);
    }
  }
}

/** Tells `message` to the first member and a copy of it (same value or bytes) to each other one. */
function deliverToGroup(targets: readonly PathTarget[], message: NetMessage): void {
  for (let i = 0; i < targets.length; i++) {
    (targets[i] as PathTarget).tell(i === 0 ? message : message.readdress(message.sender, message.receiver));
  }
}

/** Whether every element of `chosen` is one of `members`. */
function isSubset(chosen: readonly unknown[], members: readonly PathTarget[]): boolean {
  const known = new Set<unknown>(members);
  return chosen.every((core) => known.has(core));
}
