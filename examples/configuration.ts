// Configuring a system: Kompact's keys from TOML (or JSON) sources and chained setters, merged in
// order with later sources winning, read back by components through `ctx.config`.
import type { Logger } from 'pino';
import { ComponentDefinition, defaultLogger, KompactConfig } from '../src/index.js';
import { runIfMain } from './support/run-if-main.js';

// #region component
/** Reads an application setting from the system's configuration when it starts. */
export class Greeter extends ComponentDefinition {
  greeting = '';

  override onStart(): void {
    this.greeting = this.ctx.config.getString('app.greeting', 'Hello');
    this.ctx.log.info(`${this.greeting}, configuration!`);
  }
}
// #endregion component

// #region main
export async function main(
  logger: Logger = defaultLogger(),
): Promise<{ throughput: number; maxMessages: number; greeting: string }> {
  const system = await KompactConfig.default()
    .loadConfigString(
      `
      [kompact.runtime]
      throughput = 20
      message-priority = 0.1

      [app]
      greeting = "Hej"
      `,
      'toml',
    )
    .throughput(10) // later sources win: 10, not 20
    .logger(logger)
    .build();
  const greeter = system.create(() => new Greeter());
  await system.startNotify(greeter);
  const result = {
    throughput: system.throughput, // 10
    maxMessages: system.maxMessages, // floor(10 × 0.1) = 1
    greeting: greeter.onDefinition((definition) => definition.greeting),
  };
  system.logger.info(`throughput=${result.throughput} maxMessages=${result.maxMessages}`);
  await system.shutdown();
  return result;
}
// #endregion main

runIfMain(import.meta.url, main);
