// A worker module for tests: probes (echo, record) at the aliases `data` names, a saboteur that ends
// its thread in the way it is told, and a setup that throws when asked to.
import {
  ActorPath,
  ComponentDefinition,
  defineWorker,
  type HandlerReturn,
  type NetMessage,
  Serialisers,
} from '../../../src/index.js';
import { Probe } from '../probes.js';

/** What the probe worker's setup does, from `spawnWorker`'s `data`. */
export interface ProbeWorkerData {
  /** Aliases to register a probe at; each probe is named after its alias (`echo x` → `<alias>:x`). */
  readonly probes?: readonly string[];
  /** Wait this long at the start of the setup. */
  readonly delaySetupMs?: number;
  /** Throw from the setup. */
  readonly failSetup?: boolean;
  /** A path the worker tells `hello from <name>` once its setup is done. */
  readonly greet?: string;
  /** Log one info line with this text from the setup. */
  readonly log?: string;
  /** Where the saboteur passes on every text that is not one of its commands (replies it got). */
  readonly report?: string;
  /** Try to spawn a worker from the worker, and tell the error's code to this path. */
  readonly nested?: string;
  /** Keep the thread busy for this long after being told to shut down (a hung worker). */
  readonly hangOnShutdownMs?: number;
  /** Aliases to register a mirror at: it answers every number and string with the same value. */
  readonly mirrors?: readonly string[];
}

/** Answers every number and every string with the same value, to the sender. */
class Mirror extends ComponentDefinition {
  override receiveNetwork(msg: NetMessage): HandlerReturn {
    if (msg.serId === Serialisers.number.serId) msg.sender.tell(msg.tryDeserialise(Serialisers.number), this);
    else msg.sender.tell(msg.tryDeserialise(Serialisers.string), this);
  }
}

/**
 * Ends its thread as told: `throw` (an uncaught exception), `reject` (an unhandled rejection),
 * `exit` (`process.exit(3)`), `oom` (grows its heap until `resourceLimits` stop it); `forward <path>
 * <text>` tells `text` to the path (to reach siblings), with itself as sender; any other text (a
 * reply) goes on to the `report` path.
 */
class Saboteur extends ComponentDefinition {
  constructor(private readonly report: string | undefined) {
    super();
  }

  override receiveNetwork(msg: NetMessage): HandlerReturn {
    const text = msg.tryDeserialise(Serialisers.string);
    if (text.startsWith('forward ')) {
      const [, path, ...rest] = text.split(' ');
      ActorPath.parse(path as string).tell(rest.join(' '), this);
      return;
    }
    if (!['throw', 'reject', 'exit', 'oom'].includes(text)) {
      if (this.report !== undefined) ActorPath.parse(this.report).tell(text, this);
      return;
    }
    // Outside the component's turn, so that the runtime cannot catch it: a fault of the thread.
    setTimeout(() => {
      switch (text) {
        case 'throw':
          throw new Error('saboteur threw');
        case 'reject':
          void Promise.reject(new Error('saboteur rejected'));
          break;
        case 'exit':
          process.exit(3);
          break;
        case 'oom': {
          const hoard: unknown[] = [];
          for (;;) hoard.push(new Array(100_000).fill(hoard.length));
        }
      }
    }, 0);
  }
}

export default defineWorker<ProbeWorkerData | undefined>(async (system, given) => {
  const data = given ?? {};
  if (data.delaySetupMs !== undefined) await new Promise((resolve) => setTimeout(resolve, data.delaySetupMs));
  if (data.failSetup === true) throw new Error('setup refused to run');
  for (const alias of data.probes ?? []) {
    const probe = system.create(() => new Probe(alias));
    await system.startNotify(probe);
    await system.registerByAlias(probe, alias);
  }
  for (const alias of data.mirrors ?? []) {
    const mirror = system.create(() => new Mirror());
    await system.startNotify(mirror);
    await system.registerByAlias(mirror, alias);
  }
  const saboteur = system.create(() => new Saboteur(data.report));
  await system.startNotify(saboteur);
  await system.registerByAlias(saboteur, 'saboteur');
  if (data.log !== undefined) system.logger.info(data.log);
  if (data.nested !== undefined) {
    const report = ActorPath.parse(data.nested);
    await system.spawnWorker(new URL(import.meta.url)).then(
      () => report.tell('spawned', system),
      (error: unknown) => report.tell(String((error as { code?: unknown }).code), system),
    );
  }
  if (data.greet !== undefined) ActorPath.parse(data.greet).tell(`hello from ${system.label}`, system);
  if (data.hangOnShutdownMs !== undefined) {
    const hangMs = data.hangOnShutdownMs;
    system.awaitTermination().then(() => {
      const end = Date.now() + hangMs;
      while (Date.now() < end) {}
    });
  }
});
