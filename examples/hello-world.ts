// Hello World as a component: it greets when started and then shuts its system down.
// Kompact's book: "Hello World" (helloworld.rs).
// #region component

import type { Logger } from 'pino';
import { ComponentDefinition, defaultLogger, KompactConfig } from '../src/index.js';
import { runIfMain } from './support/run-if-main.js';

export class HelloWorldComponent extends ComponentDefinition {
  override onStart(): void {
    this.ctx.log.info('Hello World!');
    // Not awaited: this component is one of those the shutdown kills, after onStart returns.
    void this.ctx.system().shutdown();
  }
}
// #endregion component

// #region main
export async function main(logger: Logger = defaultLogger()): Promise<void> {
  const system = await KompactConfig.default().logger(logger).build();
  const component = system.create(() => new HelloWorldComponent());
  system.start(component);
  await system.awaitTermination();
}
// #endregion main

runIfMain(import.meta.url, main);
