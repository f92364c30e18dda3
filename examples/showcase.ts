// `npm start`: runs every example in turn, the way the book introduces them.
import { main as counter } from './counter.js';
import { main as helloWorldActor } from './hello-world-actor.js';
import { main as helloWorld } from './hello-world.js';

const examples: readonly [string, () => Promise<unknown>][] = [
  ['hello-world (a component)', () => helloWorld()],
  ['hello-world-actor (an actor)', () => helloWorldActor()],
  ['counter (internal state, ask)', () => counter()],
];

for (const [name, run] of examples) {
  console.log(`\n=== ${name} ===`);
  await run();
}
console.log('\nAll examples ran.');
