import { type Actor, type ActorSystem, createSystem } from 'comedy';

// A comedy actor system the way its README starts one, `actors(options)` (exported as `createSystem`),
// kept in-memory: every actor runs in this process (`forceInMemory`; in-memory is also comedy's default
// mode), and the actor configuration is programmatic and empty (`config: {}`) so comedy neither reads
// an `actors.json` from the project root nor watches it. Logging is silenced as its README shows
// (`getLog().setLevel(...)`), before the system logs anything.

/** The part of comedy's logger used here (its typings declare `getLog(): any`). */
interface ComedyLog {
  setLevel(level: number): void;
  levels(): { readonly Silent: number };
}

/** A started in-memory comedy system and its root actor. */
export interface ComedySystem {
  readonly system: ActorSystem;
  readonly root: Actor;
}

/** Creates an in-memory comedy system with logging off and resolves with it and its root actor. */
export async function startComedy(): Promise<ComedySystem> {
  const system = createSystem({ config: {}, forceInMemory: true });
  const log: ComedyLog = system.getLog();
  log.setLevel(log.levels().Silent);
  return { system, root: await system.rootActor() };
}
