import { type Actor, assign, createActor, sendTo, setup } from 'xstate';
import { heapBytesPerActorBatch } from '../../shared/peers/support.js';

// Bytes per pending delayed event on xstate v5 machines, the way xstate's docs schedule a delayed
// message to another actor: the `sendTo(target, event, { delay })` action. A scheduler machine invokes
// one idle counter machine (the target) and, per `schedule` event, sends it a static `tick` with the
// event's delay; xstate's system scheduler keeps one entry and one host timer per pending send. Stopping
// the scheduler cancels all of its pending sends (the scheduler's `cancelAll`).

type Tick = { readonly type: 'tick' };
type Schedule = { readonly type: 'schedule'; readonly delay: number };

const TICK: Tick = Object.freeze({ type: 'tick' });

const targetMachine = setup({
  types: { context: {} as { readonly ticks: number }, events: {} as Tick },
}).createMachine({
  id: 'target',
  context: { ticks: 0 },
  on: { tick: { actions: assign({ ticks: ({ context }) => context.ticks + 1 }) } },
});

const schedulerMachine = setup({
  types: { events: {} as Schedule },
  actors: { target: targetMachine },
}).createMachine({
  id: 'scheduler',
  invoke: { id: 'target', src: 'target' },
  on: { schedule: { actions: sendTo('target', TICK, { delay: ({ event }) => event.delay }) } },
});

/**
 * Heap bytes per pending delayed `sendTo` of an xstate machine, over one delayed event per entry of
 * `delays` (milliseconds) to one idle actor (needs `--expose-gc`).
 */
export async function bytesPerPendingTimer(delays: Int32Array): Promise<number> {
  const scheduler: Actor<typeof schedulerMachine> = createActor(schedulerMachine).start();
  const count = delays.length;
  try {
    return await heapBytesPerActorBatch(
      count,
      () => {
        for (let i = 0; i < count; i++) scheduler.send({ type: 'schedule', delay: delays[i]! });
        const pending = Object.keys(scheduler.system.getSnapshot()._scheduledEvents).length;
        if (pending !== count)
          throw new Error(`xstate: ${pending} delayed events pending, expected ${count}`);
      },
      () => {
        const target = scheduler.getSnapshot().children.target;
        const ticks = (target?.getSnapshot() as { context: { ticks: number } } | undefined)?.context.ticks;
        if (ticks !== 0) throw new Error(`xstate: ${ticks} delayed events fired during the measurement`);
        scheduler.stop();
        const left = Object.keys(scheduler.system.getSnapshot()._scheduledEvents).length;
        if (left !== 0) throw new Error(`xstate: ${left} delayed events still pending after stop`);
      },
    );
  } finally {
    scheduler.stop();
  }
}
