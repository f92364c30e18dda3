// The unstable counter of the "Fault Recovery" chapter as a remote named service. On one system the
// counter is registered as `counter`; it overflows, crashes, and is recovered from its last snapshot by
// `recoverWith`, which re-points the alias at the new counter. A client on another system keeps asking
// the same named path for the count and keeps getting answers, from one incarnation after the other.
//
// All in one process (two systems, counting ten times faster than Kompact's example):
//   node .build/examples/remote-unstable-counter.js
// One system per process, each until Ctrl-C:
//   node .build/examples/remote-unstable-counter.js server 4000
//   node .build/examples/remote-unstable-counter.js client 127.0.0.1:4000
import type { Logger } from 'pino';
import {
  ActorPath,
  ComponentDefinition,
  defaultLogger,
  KompactConfig,
  type KompactSystem,
  msgpackSerialiser,
  type NamedPath,
  type NetMessage,
  NetworkStatusPort,
  type ScheduledTimer,
  Serialisers,
  serId,
} from '../src/index.js';
import { runIfMain } from './support/run-if-main.js';
import { untilSignal } from './support/until-signal.js';

// #region messages
/** The named path of the service on the server's system. */
export const COUNTER_ALIAS = 'counter';

/** The client's question: a plain string, sent with the built-in string serialiser. */
export const COUNT_QUESTION = 'count?';

/** The answer: the count, and which incarnation of the counter gave it (0 is the first). */
export interface CountAnswer {
  readonly count: number;
  readonly incarnation: number;
}

export const CountAnswer = msgpackSerialiser(
  serId(5678),
  (v): v is CountAnswer =>
    typeof v === 'object' &&
    v !== null &&
    Number.isInteger((v as CountAnswer).count) &&
    Number.isInteger((v as CountAnswer).incarnation),
);

/** Both systems prove this secret when they connect; systems without it are refused. */
export const SHARED_SECRET = process.env.KOMPACT_SECRET ?? 'remote-unstable-counter';
// #endregion messages

/** How often the counter counts and takes its snapshot. */
export interface CounterTiming {
  readonly countMs: number;
  readonly stateMs: number;
}

/** Kompact's pace: one increment every 10 ms (an overflow after 2.56 s), a snapshot every second. */
export const KOMPACT_TIMING: CounterTiming = { countMs: 10, stateMs: 1000 };
/** Ten times faster, for running in one process: an overflow after about 256 ms. */
export const QUICK_TIMING: CounterTiming = { countMs: 1, stateMs: 100 };

/** The largest value of Rust's u8. */
const U8_MAX = 255;

// #region service
/** The unstable counter, answering `count?` from any system with its count and incarnation. */
export class CounterService extends ComponentDefinition {
  private countTimeout: ScheduledTimer | undefined;
  private stateTimeout: ScheduledTimer | undefined;

  constructor(
    private count = 0,
    private readonly incarnation = 0,
    private readonly timing: CounterTiming = KOMPACT_TIMING,
  ) {
    super();
  }

  override onStart(): void {
    const { countMs, stateMs } = this.timing;
    this.countTimeout = this.schedulePeriodic(countMs, countMs, () => this.handleCountTimeout());
    this.stateTimeout = this.schedulePeriodic(stateMs, stateMs, () => this.handleStateTimeout());
    this.saveRecoveryState();
  }

  override onStop(): void {
    if (this.countTimeout !== undefined) this.cancelTimer(this.countTimeout);
    if (this.stateTimeout !== undefined) this.cancelTimer(this.stateTimeout);
    this.countTimeout = undefined;
    this.stateTimeout = undefined;
  }

  override onKill(): void {
    this.onStop();
  }

  override receiveNetwork(msg: NetMessage): void {
    msg.match(
      [
        [
          Serialisers.string,
          (question) => {
            if (question !== COUNT_QUESTION) return;
            const answer: CountAnswer = { count: this.count, incarnation: this.incarnation };
            msg.sender.tell(answer, this, CountAnswer);
          },
        ],
      ],
      (id) => this.ctx.log.warn(`Unexpected message with serId ${id} from ${msg.sender.toString()}`),
    );
  }

  private handleCountTimeout(): void {
    if (this.count === U8_MAX) throw new Error('Count overflowed!');
    this.count += 1;
  }

  private handleStateTimeout(): void {
    this.ctx.log.info(`Saving recovery state with count of ${this.count}`);
    this.saveRecoveryState();
  }
  // #endregion service

  // #region recovery
  /** The snapshot: a recovery function that starts the next incarnation from the current count. */
  private saveRecoveryState(): void {
    const count = this.count;
    const incarnation = this.incarnation + 1;
    const timing = this.timing;
    this.ctx.setRecoveryFunction((fault) =>
      fault.recoverWith((_fault, system, logger) => {
        logger.warn({ count, incarnation }, `Recovering the counter service from count=${count}`);
        const counter = system.create(() => new CounterService(count, incarnation, timing));
        system.start(counter);
        // The alias still names the faulted counter: point it at the new one. A failure is logged.
        void system.updateAliasRegistration(counter, COUNTER_ALIAS);
      }),
    );
  }
  // #endregion recovery
}

// #region client
/** Asks the service for the count every `askEveryMs`, and reports every answer and connection change. */
export class CountClient extends ComponentDefinition {
  private askTimer: ScheduledTimer | undefined;

  readonly networkStatus = this.requirePort(NetworkStatusPort, (status) => {
    if (status.kind === 'connection-established' || status.kind === 'connection-lost') {
      this.ctx.log.info(`Network: ${status.kind} with ${status.system.toString()}`);
    }
  });

  constructor(
    private readonly service: ActorPath,
    private readonly askEveryMs: number,
    private readonly onAnswer: (answer: CountAnswer) => void = () => {},
  ) {
    super();
  }

  override onStart(): void {
    this.askTimer = this.schedulePeriodic(0, this.askEveryMs, () => this.service.tell(COUNT_QUESTION, this));
  }

  override onStop(): void {
    if (this.askTimer !== undefined) this.cancelTimer(this.askTimer);
    this.askTimer = undefined;
  }

  override onKill(): void {
    this.onStop();
  }

  override receiveNetwork(msg: NetMessage): void {
    msg.match(
      [
        [
          CountAnswer,
          (answer) => {
            this.ctx.log.info(answer, `The count is ${answer.count} (incarnation ${answer.incarnation})`);
            this.onAnswer(answer);
          },
        ],
      ],
      (id) => this.ctx.log.warn(`Unexpected message with serId ${id} from ${msg.sender.toString()}`),
    );
  }
}
// #endregion client

// #region systems
/** The server: a system listening on `host:port` with the counter registered as `counter`. */
export async function startServer(
  logger: Logger,
  port = 0,
  timing = KOMPACT_TIMING,
  host = '127.0.0.1',
): Promise<{ system: KompactSystem; path: NamedPath }> {
  const system = await KompactConfig.default()
    .label('counter-server')
    .logger(logger)
    .network({ host, port, sharedSecret: SHARED_SECRET })
    .build();
  const counter = system.create(() => new CounterService(0, 0, timing));
  const path = await system.registerByAlias(counter, COUNTER_ALIAS);
  system.start(counter);
  return { system, path };
}

/** The client: a system on a free port, accepting `CountAnswer`s, whose client asks `service`. */
export async function startClient(
  logger: Logger,
  service: ActorPath,
  askEveryMs: number,
  onAnswer?: (answer: CountAnswer) => void,
): Promise<{ system: KompactSystem }> {
  const system = await KompactConfig.default()
    .label('counter-client')
    .logger(logger)
    .network({ sharedSecret: SHARED_SECRET })
    .serialisers(CountAnswer)
    .build();
  const client = system.create(() => new CountClient(service, askEveryMs, onAnswer));
  system.connectNetworkStatusPort(client.onDefinition((definition) => definition.networkStatus));
  system.start(client);
  return { system };
}
// #endregion systems

// #region main
/**
 * Runs the server and the client in this process, at the quick pace, until the client has had
 * `answersAfterCrash` answers from recovered counters; returns every answer it had.
 */
export async function main(
  logger: Logger = defaultLogger(),
  answersAfterCrash = 3,
  timing = QUICK_TIMING,
): Promise<CountAnswer[]> {
  const server = await startServer(logger, 0, timing);
  const answers: CountAnswer[] = [];
  let done!: (answers: CountAnswer[]) => void;
  const enough = new Promise<CountAnswer[]>((resolve) => {
    done = resolve;
  });
  const client = await startClient(logger, server.path, 20, (answer) => {
    answers.push(answer);
    if (answers.filter(({ incarnation }) => incarnation > 0).length === answersAfterCrash) {
      done([...answers]); // more may arrive while the systems shut down
    }
  });
  const result = await enough;
  await client.system.shutdown();
  await server.system.shutdown();
  const incarnations = new Set(result.map(({ incarnation }) => incarnation)).size;
  logger.info(`${result.length} answers at one named path from ${incarnations} incarnations of the counter`);
  return result;
}
// #endregion main

// #region processes
/**
 * The command line: `server [PORT]` or `client HOST:PORT` runs that one system, at Kompact's pace,
 * until Ctrl-C (or SIGTERM) and then shuts it down; without arguments, {@link main} runs both.
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
  if (role === 'server') {
    const server = await startServer(logger, Number(address ?? 0));
    system = server.system;
    const bound = system.systemPath().toString().slice('tcp://'.length);
    logger.info(
      `Counter service at ${server.path.toString()}; ask it with: node .build/examples/remote-unstable-counter.js client ${bound}`,
    );
  } else if (role === 'client' && address !== undefined) {
    const service = ActorPath.parse(`tcp://${address}/${COUNTER_ALIAS}`);
    system = (await startClient(logger, service, 250)).system;
  } else {
    throw new TypeError('Usage: remote-unstable-counter.js [server [PORT] | client HOST:PORT]');
  }
  logger.info(`Got ${await untilSignal()}, shutting down`);
  await system.shutdown();
}
// #endregion processes

runIfMain(import.meta.url, () => cli());
