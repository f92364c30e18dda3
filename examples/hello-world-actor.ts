// Hello World as an actor: it greets when it receives a message and then shuts its system down.
// Kompact's book: "Hello World" for actors (actor_helloworld.rs).
// #region actor
import type { Logger } from 'pino';
import { type ActorRef, ComponentDefinition, defaultLogger, KompactConfig } from '../src/index.js';
import { runIfMain } from './support/run-if-main.js';

/** The actor's message type: it only needs to be poked. */
export type Greet = 'greet';

export class HelloWorldActor extends ComponentDefinition<Greet> {
  override receiveLocal(_message: Greet): void {
    this.ctx.log.info('Hello World!');
    void this.ctx.system().shutdown();
  }
}
// #endregion actor

// #region main
export async function main(logger: Logger = defaultLogger()): Promise<void> {
  const system = await KompactConfig.default().logger(logger).build();
  const actor = system.create(() => new HelloWorldActor());
  system.start(actor);
  const actorRef: ActorRef<Greet> = actor.actorRef();
  actorRef.tell('greet');
  await system.awaitTermination();
}
// #endregion main

runIfMain(import.meta.url, main);
