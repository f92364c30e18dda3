// Leader election over the network, after the bootstrapping example of Kompact's distributed chapter
// (bootstrapping.rs). A bootstrap server, registered under the named path `bootstrap`, collects the
// nodes that check in and keeps broadcasting the member set; every node heartbeats the members it was
// told about and trusts the lowest path among those it heard from recently.
//
// All in one process (a bootstrap system and two node systems):
//   node .build/examples/leader-election.js
// One role per process, each until Ctrl-C:
//   node .build/examples/leader-election.js bootstrap 127.0.0.1:4000
//   node .build/examples/leader-election.js node 127.0.0.1:4000        (as many as you like)
import { setTimeout } from 'node:timers/promises';
import type { Logger } from 'pino';
import {
  ActorPath,
  type Component,
  ComponentDefinition,
  defaultLogger,
  KompactConfig,
  type KompactSystem,
  msgpackSerialiser,
  type NamedPath,
  type NetMessage,
  type ScheduledTimer,
  SystemPath,
  serId,
  type UniquePath,
} from '../src/index.js';
import { runIfMain } from './support/run-if-main.js';
import { untilSignal } from './support/until-signal.js';

// #region messages
/** A node saying "I am here": the server records the message's sender, the node's unique path. */
export interface CheckIn {
  readonly kind: 'check-in';
}

/** The bootstrap server's member set: the nodes' paths in their string form, sorted. */
export interface UpdateProcesses {
  readonly kind: 'update-processes';
  readonly processes: readonly string[];
}

/** A node telling every member that it is alive. */
export interface Heartbeat {
  readonly kind: 'heartbeat';
}

function hasKind(value: unknown, kind: string): boolean {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === kind;
}

function isPathText(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    ActorPath.parse(value);
    return true;
  } catch {
    return false;
  }
}

// Each message type has its own serId, as in Kompact; the validators refuse malformed data from peers.
export const CheckIn = msgpackSerialiser(serId(2345), (v): v is CheckIn => hasKind(v, 'check-in'));
export const UpdateProcesses = msgpackSerialiser(
  serId(3456),
  (v): v is UpdateProcesses =>
    hasKind(v, 'update-processes') &&
    Array.isArray((v as UpdateProcesses).processes) &&
    (v as UpdateProcesses).processes.every(isPathText),
);
export const Heartbeat = msgpackSerialiser(serId(4567), (v): v is Heartbeat => hasKind(v, 'heartbeat'));

/** A system accepts from its peers only the serIds it registered: every system here registers these. */
export const ELECTION_SERIALISERS = [CheckIn, UpdateProcesses, Heartbeat] as const;
// #endregion messages

/** How often things happen, in milliseconds of the system's clock. */
export interface ElectionTiming {
  /** A node checks in with the bootstrap server this often. */
  readonly checkInMs: number;
  /** The server broadcasts the member set this often (and at once when a node joins). */
  readonly broadcastMs: number;
  /** The server forgets a node that has not checked in for this long. */
  readonly forgetAfterMs: number;
  /** A node heartbeats every member, and elects, this often. */
  readonly heartbeatMs: number;
  /** A node suspects a member it has not heard from for this long. */
  readonly suspectAfterMs: number;
}

export const DEFAULT_TIMING: ElectionTiming = {
  checkInMs: 100,
  broadcastMs: 100,
  forgetAfterMs: 500,
  heartbeatMs: 50,
  suspectAfterMs: 200,
};

/**
 * Tells a component of the election to stop sending. Shutting a system down while the others still
 * send to it makes their messages dead letters, so `main` retires every sender first.
 */
export type Retire = 'retire';

// #region bootstrap-server
/**
 * Collects the nodes that check in, and keeps telling all of them who the others are, until it is
 * told to `retire`.
 */
export class BootstrapServer extends ComponentDefinition<Retire> {
  /** The nodes, by the string form of their path, and when each last checked in. */
  private readonly processes = new Map<string, { readonly path: ActorPath; lastSeenMs: number }>();
  private broadcastTimer: ScheduledTimer | undefined;

  constructor(private readonly timing: ElectionTiming = DEFAULT_TIMING) {
    super();
  }

  override onStart(): void {
    const { broadcastMs } = this.timing;
    this.broadcastTimer = this.schedulePeriodic(broadcastMs, broadcastMs, () => this.broadcastProcesses());
  }

  override onStop(): void {
    if (this.broadcastTimer !== undefined) this.cancelTimer(this.broadcastTimer);
    this.broadcastTimer = undefined;
  }

  override onKill(): void {
    this.onStop();
  }

  /** The run is over: stop broadcasting, but keep receiving, so that nothing in flight is lost. */
  override receiveLocal(_msg: Retire): void {
    this.onStop();
  }

  override receiveNetwork(msg: NetMessage): void {
    msg.match([[CheckIn, () => this.checkIn(msg.sender)]], (id) =>
      this.ctx.log.warn(`Unexpected message with serId ${id} from ${msg.sender.toString()}`),
    );
  }

  private checkIn(process: ActorPath): void {
    const key = process.toString();
    const now = this.ctx.system().now();
    const known = this.processes.get(key);
    if (known !== undefined) {
      known.lastSeenMs = now;
      return;
    }
    this.processes.set(key, { path: process, lastSeenMs: now });
    this.ctx.log.info(`Node ${key} checked in; ${this.processes.size} nodes`);
    this.broadcastProcesses();
  }

  private broadcastProcesses(): void {
    const now = this.ctx.system().now();
    for (const [key, process] of this.processes) {
      if (now - process.lastSeenMs > this.timing.forgetAfterMs) {
        this.processes.delete(key);
        this.ctx.log.info(`Node ${key} stopped checking in; ${this.processes.size} nodes`);
      }
    }
    const update: UpdateProcesses = {
      kind: 'update-processes',
      processes: [...this.processes.keys()].sort(),
    };
    for (const { path } of this.processes.values()) path.tell(update, this, UpdateProcesses);
  }
}
// #endregion bootstrap-server

// #region elector
/**
 * Runs on every node: checks in with the bootstrap server, heartbeats the members, and trusts the
 * lowest path among the members it heard from within `suspectAfterMs` (an eventual leader detector,
 * Kompact's "Omega", in its simplest deterministic form).
 */
export class LeaderElector extends ComponentDefinition<Retire> {
  private processes: readonly ActorPath[] = [];
  /** When each member was last heard from, by the string form of its path. */
  private readonly lastHeard = new Map<string, number>();
  private leader: string | undefined;
  private timers: ScheduledTimer[] = [];

  constructor(
    private readonly bootstrap: ActorPath,
    private readonly timing: ElectionTiming = DEFAULT_TIMING,
    private readonly onTrust: (leader: string) => void = () => {},
  ) {
    super();
  }

  override onStart(): void {
    this.ctx.log.info(`Checking in with ${this.bootstrap.toString()} as ${this.ctx.actorPath().toString()}`);
    this.checkIn();
    const { checkInMs, heartbeatMs } = this.timing;
    this.timers = [
      this.schedulePeriodic(checkInMs, checkInMs, () => this.checkIn()),
      this.schedulePeriodic(heartbeatMs, heartbeatMs, () => this.elect()),
    ];
  }

  override onStop(): void {
    for (const timer of this.timers) this.cancelTimer(timer);
    this.timers = [];
  }

  override onKill(): void {
    this.onStop();
  }

  /** The run is over: stop checking in and heartbeating, but keep receiving what is in flight. */
  override receiveLocal(_msg: Retire): void {
    this.onStop();
  }

  override receiveNetwork(msg: NetMessage): void {
    msg.match(
      [
        [UpdateProcesses, (update) => this.updateProcesses(update.processes)],
        [Heartbeat, () => this.lastHeard.set(msg.sender.toString(), this.ctx.system().now())],
      ],
      (id) => this.ctx.log.warn(`Unexpected message with serId ${id} from ${msg.sender.toString()}`),
    );
  }

  private checkIn(): void {
    this.bootstrap.tell({ kind: 'check-in' }, this, CheckIn);
  }

  private updateProcesses(processes: readonly string[]): void {
    if (processes.length !== this.processes.length) {
      this.ctx.log.info(`Received a new process set with ${processes.length} processes`);
    }
    this.processes = processes.map((text) => ActorPath.parse(text));
  }

  /** One round: trust the lowest member heard from lately, then tell every member that this one lives. */
  private elect(): void {
    const now = this.ctx.system().now();
    const alive = [...this.lastHeard]
      .filter(([, heardMs]) => now - heardMs <= this.timing.suspectAfterMs)
      .map(([path]) => path)
      .sort();
    const leader = alive[0];
    if (leader !== undefined && leader !== this.leader) {
      this.leader = leader;
      this.ctx.log.info({ leader, alive: alive.length }, `Leader is now ${leader}`);
      this.onTrust(leader);
    }
    for (const process of this.processes) process.tell({ kind: 'heartbeat' }, this, Heartbeat);
  }
}
// #endregion elector

// #region systems
/** The named path of the bootstrap server on its system. */
export const BOOTSTRAP_ALIAS = 'bootstrap';

/** A system listening on `host:port` (port 0: any free one) with the bootstrap server at `bootstrap`. */
export async function startBootstrap(
  logger: Logger,
  host = '127.0.0.1',
  port = 0,
  timing = DEFAULT_TIMING,
): Promise<{ system: KompactSystem; path: NamedPath; server: Component<BootstrapServer> }> {
  const system = await KompactConfig.default()
    .label('bootstrap')
    .logger(logger)
    .network({ host, port })
    .serialisers(...ELECTION_SERIALISERS)
    .build();
  const server = system.create(() => new BootstrapServer(timing));
  const path = await system.registerByAlias(server, BOOTSTRAP_ALIAS);
  await system.startNotify(server);
  return { system, path, server };
}

/** A node: a system on a free loopback port whose elector checks in at `bootstrap`. */
export async function startNode(
  logger: Logger,
  label: string,
  bootstrap: ActorPath,
  timing = DEFAULT_TIMING,
  onTrust?: (leader: string) => void,
): Promise<{ system: KompactSystem; path: UniquePath; elector: Component<LeaderElector> }> {
  const system = await KompactConfig.default()
    .label(label)
    .logger(logger)
    .network()
    .serialisers(...ELECTION_SERIALISERS)
    .build();
  const elector = system.create(() => new LeaderElector(bootstrap, timing, onTrust));
  const path = await system.register(elector);
  await system.startNotify(elector);
  return { system, path, elector };
}
// #endregion systems

/** What the in-process run agreed on. */
export interface ElectionResult {
  /** The path every node trusts. */
  readonly leader: string;
  /** Every node's path, sorted: the leader is the first. */
  readonly nodes: readonly string[];
  /** Messages that were not delivered, on all the systems together. */
  readonly deadLetters: number;
}

// #region main
/**
 * Runs the bootstrap server and `nodeCount` nodes, each on its own system in this process, until every
 * node trusts the same leader, the lowest of their paths; then shuts them all down.
 */
export async function main(
  logger: Logger = defaultLogger(),
  nodeCount = 2,
  timing = DEFAULT_TIMING,
): Promise<ElectionResult> {
  const bootstrap = await startBootstrap(logger, '127.0.0.1', 0, timing);
  const nodes: { system: KompactSystem; path: UniquePath; elector: Component<LeaderElector> }[] = [];
  const trusted = new Map<number, string>();
  let agreed!: (leader: string) => void;
  const agreement = new Promise<string>((resolve) => {
    agreed = resolve;
  });
  const checkAgreement = (): void => {
    const lowest = nodes.map(({ path }) => path.toString()).sort()[0];
    const all = [...trusted.values()];
    if (nodes.length === nodeCount && all.length === nodeCount && all.every((leader) => leader === lowest)) {
      agreed(lowest as string);
    }
  };
  for (let i = 0; i < nodeCount; i++) {
    const onTrust = (leader: string): void => {
      trusted.set(i, leader);
      checkAgreement();
    };
    nodes.push(await startNode(logger, `node-${i + 1}`, bootstrap.path, timing, onTrust));
  }
  checkAgreement();
  const leader = await agreement;
  // Stop every sender, let what is in flight arrive, then shut down: no message finds its receiver gone.
  bootstrap.server.actorRef().tell('retire');
  for (const { elector } of nodes) elector.actorRef().tell('retire');
  await setTimeout(5 * Math.max(timing.heartbeatMs, timing.broadcastMs, timing.checkInMs));
  await Promise.all(nodes.map(({ system }) => system.shutdown()));
  await bootstrap.system.shutdown();
  const deadLetters = [bootstrap.system, ...nodes.map(({ system }) => system)].reduce(
    (sum, system) => sum + system.deadLetters.count,
    0,
  );
  logger.info(
    `Leader elected: all ${nodeCount} nodes trust ${leader}, the lowest path; ${deadLetters} dead letters`,
  );
  return { leader, nodes: nodes.map(({ path }) => path.toString()).sort(), deadLetters };
}
// #endregion main

// #region processes
/**
 * The command line: `bootstrap [HOST:PORT]` or `node BOOTSTRAP_HOST:PORT` runs that one role until
 * Ctrl-C (or SIGTERM) and then shuts its system down; without arguments, {@link main} runs every role.
 */
export async function cli(
  args: readonly string[] = process.argv.slice(2),
  // Run as one process among several, its log is what it shows: on stdout, readable at a terminal.
  logger: Logger = defaultLogger({ destination: process.stdout }),
): Promise<void> {
  const [role, address] = args;
  if (role === undefined) {
    await main(logger);
    return;
  }
  let system: KompactSystem;
  if (role === 'bootstrap') {
    const { host, port } = SystemPath.parse(`tcp://${address ?? '127.0.0.1:0'}`);
    const bootstrap = await startBootstrap(logger, host, port);
    system = bootstrap.system;
    const bound = system.systemPath().toString().slice('tcp://'.length);
    logger.info(
      `Bootstrap server at ${bootstrap.path.toString()}; start nodes with: node .build/examples/leader-election.js node ${bound}`,
    );
  } else if (role === 'node' && address !== undefined) {
    const bootstrap = ActorPath.parse(`tcp://${address}/${BOOTSTRAP_ALIAS}`);
    system = (await startNode(logger, 'node', bootstrap)).system;
  } else {
    throw new TypeError(
      'Usage: leader-election.js [bootstrap [HOST:PORT] | node BOOTSTRAP_HOST:BOOTSTRAP_PORT]',
    );
  }
  logger.info(`Got ${await untilSignal()}, shutting down`);
  await system.shutdown();
}
// #endregion processes

runIfMain(import.meta.url, () => cli());
