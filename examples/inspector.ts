// The inspector (kompact-ts/inspector) over a small running system: Kompact's unstable counter, which
// crashes and recovers every few seconds, a few components connected by ports, exchanging traffic,
// one of which wears out and is replaced in place every few seconds, and a worker system (the counter
// of worker-unstable-counter.ts on its own thread) whose thread is killed every ten seconds and comes
// back.
// Runs until Ctrl-C (or SIGTERM), printing the page's URL; `--for-ms N` ends it after N ms (its test
// passes that, so it ends even if the test cannot stop it).
import { argv } from 'node:process';
import {
  ActorPath,
  biconnectComponents,
  ComponentDefinition,
  defaultLogger,
  KompactConfig,
  type KompactSystem,
  port,
} from '../src/index.js';
import { type Inspector, startInspector } from '../src/inspector/index.js';
import { runIfMain } from './support/run-if-main.js';
import { UnstableCounter } from './unstable-counter.js';

/** Requests a reading of the sensor; indications are the readings. */
const SensorPort = port<'read', number>('SensorPort');
/** Totals flow out of the summer. */
const TotalPort = port<never, number>('TotalPort');

// #region components
/**
 * Provides SensorPort: answers each request with a reading. It fails after 12,000 readings (about every
 * 3 s) and is replaced in place, its port connections rewired: the page shows the restarts.
 */
class Sensor extends ComponentDefinition {
  private reading = 0;
  private readings = 0;
  readonly sensor = this.providePort(SensorPort, () => {
    if (++this.readings === 12_000) throw new Error('Sensor worn out');
    this.reading = (this.reading + 7) % 100;
    this.sensor.trigger(this.reading);
  });

  override onStart(): void {
    this.ctx.setRecoveryFunction((fault) => fault.replaceWith(() => new Sensor()));
  }
}

/** Requires SensorPort: asks for 200 readings every 50 ms and publishes their running total. */
class Summer extends ComponentDefinition {
  private total = 0;
  readonly sensor = this.requirePort(SensorPort, (reading) => {
    this.total += reading;
  });
  readonly totals = this.providePort(TotalPort, () => {});

  override onStart(): void {
    this.schedulePeriodic(50, 50, () => {
      for (let i = 0; i < 200; i++) this.sensor.trigger('read');
      this.totals.trigger(this.total);
    });
  }
}

/** Requires TotalPort: keeps the latest total (a dashboard). */
class Dashboard extends ComponentDefinition {
  latest = 0;
  readonly totals = this.requirePort(TotalPort, (total) => {
    this.latest = total;
  });
}
// #endregion components

/** Kills the worker's thread every ten seconds (through its `chaos` service): a worker fault to watch. */
class ThreadKiller extends ComponentDefinition {
  constructor(private readonly chaos: ActorPath) {
    super();
  }

  override onStart(): void {
    this.schedulePeriodic(10_000, 10_000, () => this.chaos.tell('kill-thread', this));
  }
}

/** Builds the system the page shows: the unstable counter, and sensor → summer → two dashboards. */
export async function startDemo(): Promise<{ system: KompactSystem; inspector: Inspector }> {
  const system = await KompactConfig.default()
    // Quiet: the page shows what the log would (each crash, each recovery).
    .logger(defaultLogger({ level: 'silent' }))
    .build();
  const counter = system.create(() => new UnstableCounter());
  const sensor = system.create(() => new Sensor());
  const summer = system.create(() => new Summer());
  const dashboards = [system.create(() => new Dashboard()), system.create(() => new Dashboard())];
  biconnectComponents(SensorPort, sensor, summer);
  for (const dashboard of dashboards) biconnectComponents(TotalPort, summer, dashboard);
  await system.registerByAlias(summer, 'summer');
  for (const component of [counter, sensor, summer, ...dashboards]) await system.startNotify(component);
  const worker = await system.spawnWorker(new URL('./counter-worker.js', import.meta.url), {
    name: 'counter',
    restart: { maxRestarts: 1_000, withinMs: 60_000, backoff: { initialMs: 500, maxMs: 500, factor: 1 } },
  });
  const killer = system.create(() => new ThreadKiller(ActorPath.parse(`${worker.systemPath()}/chaos`)));
  await system.startNotify(killer);
  // Loopback only, with a token; actions on, so the page's buttons can stop, kill or fault components.
  const inspector = await startInspector(system, { actions: true });
  return { system, inspector };
}

// #region main
export async function main(forMs = Number.POSITIVE_INFINITY): Promise<void> {
  const { system, inspector } = await startDemo();
  console.log(`The inspector is at ${inspector.url}`);
  console.log(forMs === Number.POSITIVE_INFINITY ? 'Press Ctrl-C to stop.' : `Stopping in ${forMs} ms.`);
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    if (forMs !== Number.POSITIVE_INFINITY) timer = setTimeout(resolve, forMs);
  });
  clearTimeout(timer);
  await system.shutdown();
  console.log('The inspector stopped.');
}
// #endregion main

const forIndex = argv.indexOf('--for-ms');
runIfMain(import.meta.url, () => main(forIndex === -1 ? undefined : Number(argv[forIndex + 1])));
