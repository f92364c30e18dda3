// Asks a component received and keeps settle when it ends: every way of keeping one × every ending.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Ask,
  type Component,
  ComponentDefinition,
  Handled,
  HandlerError,
  type HandlerReturn,
  type KompactSystem,
  type KPromise,
} from '../src/index.js';
import type { SimulatedClock } from '../src/testing/index.js';
import { withGatedClock } from './support/clock.js';
import { isKompactError } from './support/errors.js';
import { within } from './support/promises.js';

const GRACE_MS = 100;
/** Wall-clock bound on every wait (the machine is loaded; nothing here should take more than a blink). */
const DEADLINE_MS = 10_000;

type Msg = Ask<number, number> | 'crash';

/** Keeps every ask in a field for a reply that never comes; `crash` throws. */
class Stasher extends ComponentDefinition<Msg> {
  readonly stash: Ask<number, number>[] = [];
  override receiveLocal(msg: Msg): HandlerReturn {
    if (msg === 'crash') throw new Error('crash on request');
    this.stash.push(msg);
  }
}

/**
 * Holds each ask across a `Handled.blockOn` whose promise is the gate: it never settles unless the
 * test rejects it (then the component faults).
 */
class Blocker extends ComponentDefinition<Msg> {
  constructor(readonly gate: Promise<void>) {
    super();
  }
  override receiveLocal(msg: Msg): HandlerReturn {
    if (msg === 'crash') throw new Error('crash on request');
    return Handled.blockOn(async () => {
      await this.gate;
      msg.reply(msg.request);
    });
  }
}

type Keeping = 'stashed in a field' | 'held across blockOn';
type Ending = 'kill' | 'fault' | 'replace via recovery' | 'replaceWith' | 'system shutdown';

function rejecter(): { gate: Promise<void>; fail: () => void } {
  let fail!: () => void;
  const gate = new Promise<void>((_, reject) => {
    fail = () => reject(new Error('the gate failed'));
  });
  // The component handles the rejection; this stops Node counting the gate itself as unhandled.
  gate.catch(() => {});
  return { gate, fail };
}

/** Makes the component end in the way `ending` names; resolves once it has. */
async function end(
  ending: Ending,
  system: KompactSystem,
  clock: SimulatedClock,
  component: Component<Stasher | Blocker>,
  keeping: Keeping,
  fail: () => void,
): Promise<void> {
  const faultIt = () => {
    if (keeping === 'stashed in a field') component.actorRef().tell('crash');
    else fail();
  };
  switch (ending) {
    case 'kill': {
      const killed = system.killNotify(component);
      await clock.advance(GRACE_MS);
      await within(killed, DEADLINE_MS, 'killNotify');
      assert.ok(component.isDestroyed());
      return;
    }
    case 'fault':
      faultIt();
      await clock.settle();
      assert.ok(component.isFaulty());
      return;
    case 'replace via recovery':
      component.setRecoveryFunction((fault) => fault.restartDefault(() => new Stasher()));
      faultIt();
      await clock.settle();
      return;
    case 'replaceWith':
      component.setRecoveryFunction((fault) => fault.replaceWith(() => new Stasher()));
      faultIt();
      await clock.settle();
      return;
    case 'system shutdown': {
      const shutdown = system.shutdown();
      await clock.advance(GRACE_MS);
      await within(shutdown, DEADLINE_MS, 'shutdown');
      return;
    }
  }
}

describe('Asks a component keeps', () => {
  const keepings: Keeping[] = ['stashed in a field', 'held across blockOn'];
  const endings: Ending[] = ['kill', 'fault', 'replace via recovery', 'replaceWith', 'system shutdown'];
  for (const keeping of keepings) {
    for (const ending of endings) {
      it(`rejects an ask ${keeping} with PROMISE_DROPPED on ${ending}, while the component is still referenced`, async () => {
        await withGatedClock(
          async (system, clock) => {
            const { gate, fail } = rejecter();
            const component = system.create<Stasher | Blocker>(() =>
              keeping === 'stashed in a field' ? new Stasher() : new Blocker(gate),
            );
            await within(system.startNotify(component), DEADLINE_MS, 'startNotify');
            const answer = component.actorRef().ask(1);
            answer.catch(() => {});
            await clock.settle();
            await end(ending, system, clock, component, keeping, fail);
            await assert.rejects(
              within(answer, DEADLINE_MS, 'the ask settling'),
              isKompactError('PROMISE_DROPPED'),
            );
            // Still referenced here, so nothing but the ending itself settled it.
            assert.ok(component.id);
          },
          (config) => config.shutdownGraceMs(GRACE_MS),
        );
      });
    }
  }

  it('rejects an askWith promise kept in a field when the component is killed', async () => {
    type Union = { kind: 'get'; reply: KPromise<number> };
    class Keeper extends ComponentDefinition<Union> {
      readonly kept: KPromise<number>[] = [];
      override receiveLocal(msg: Union): HandlerReturn {
        this.kept.push(msg.reply);
      }
    }
    await withGatedClock(async (system, clock) => {
      const keeper = system.create(() => new Keeper());
      await within(system.startNotify(keeper), DEADLINE_MS, 'startNotify');
      const answer = keeper.actorRef().askWith<number>((reply) => ({ kind: 'get', reply }));
      answer.catch(() => {});
      await clock.settle();
      await within(system.killNotify(keeper), DEADLINE_MS, 'killNotify');
      await assert.rejects(
        within(answer, DEADLINE_MS, 'the ask settling'),
        isKompactError('PROMISE_DROPPED'),
      );
    });
  });

  it('leaves an ask passed on to another component to that one when the first is killed', async () => {
    class Forwarder extends ComponentDefinition<Msg> {
      constructor(readonly to: Component<Stasher>) {
        super();
      }
      override receiveLocal(msg: Msg): HandlerReturn {
        if (msg !== 'crash') this.to.actorRef().tell(msg);
      }
    }
    await withGatedClock(async (system, clock) => {
      const stasher = system.create(() => new Stasher());
      const forwarder = system.create(() => new Forwarder(stasher));
      await within(system.startNotify(stasher), DEADLINE_MS, 'startNotify');
      await within(system.startNotify(forwarder), DEADLINE_MS, 'startNotify');
      let settled = false;
      const answer = forwarder.actorRef().ask(3);
      answer.then(
        () => {},
        () => {
          settled = true;
        },
      );
      await clock.settle();
      await within(system.killNotify(forwarder), DEADLINE_MS, 'killNotify');
      await clock.settle();
      assert.equal(settled, false, 'the stasher holds it now');
      assert.equal(
        stasher.onDefinition((s) => s.stash[0]?.reply(4)),
        true,
      );
      assert.equal(await within(answer, DEADLINE_MS, 'the ask settling'), 4);
    });
  });

  it('rejects an ask kept by a handler that then threw a benign HandlerError, when the component is killed', async () => {
    class KeepsThenComplains extends Stasher {
      override receiveLocal(msg: Msg): HandlerReturn {
        super.receiveLocal(msg);
        throw HandlerError.benign(new Error('kept it, but complaining'));
      }
    }
    await withGatedClock(async (system, clock) => {
      const component = system.create(() => new KeepsThenComplains());
      await within(system.startNotify(component), DEADLINE_MS, 'startNotify');
      const answer = component.actorRef().ask(1);
      answer.catch(() => {});
      await clock.settle();
      assert.ok(component.isActive(), 'a benign error lets it carry on');
      await within(system.killNotify(component), DEADLINE_MS, 'killNotify');
      await assert.rejects(
        within(answer, DEADLINE_MS, 'the ask settling'),
        isKompactError('PROMISE_DROPPED'),
      );
    });
  });

  it('settles an ask in flight when its handler returns an unrecoverable HandlerError', async () => {
    class Unrecoverable extends ComponentDefinition<Msg> {
      override receiveLocal(): HandlerReturn {
        return HandlerError.unrecoverable(new Error('cannot go on'));
      }
    }
    await withGatedClock(async (system) => {
      const component = system.create(() => new Unrecoverable());
      await within(system.startNotify(component), DEADLINE_MS, 'startNotify');
      await assert.rejects(
        within(component.actorRef().ask(1), DEADLINE_MS, 'the ask settling'),
        isKompactError('PROMISE_DROPPED'),
      );
      assert.ok(component.isDestroyed());
    });
  });

  it('settles an ask held across blockOn when the block resolves to an unrecoverable HandlerError', async () => {
    class LateUnrecoverable extends ComponentDefinition<Msg> {
      override receiveLocal(): HandlerReturn {
        return Handled.blockOn(async () => HandlerError.unrecoverable(new Error('cannot go on')));
      }
    }
    await withGatedClock(async (system) => {
      const component = system.create(() => new LateUnrecoverable());
      await within(system.startNotify(component), DEADLINE_MS, 'startNotify');
      await assert.rejects(
        within(component.actorRef().ask(1), DEADLINE_MS, 'the ask settling'),
        isKompactError('PROMISE_DROPPED'),
      );
    });
  });
});

describe('Ask timeouts', () => {
  it('refuses a timeoutMs above 2^31 − 1 with a TypeError naming it, and sends nothing', async () => {
    await withGatedClock(async (system, clock) => {
      const stasher = system.create(() => new Stasher());
      await within(system.startNotify(stasher), DEADLINE_MS, 'startNotify');
      for (const timeoutMs of [2 ** 31, Number.MAX_SAFE_INTEGER]) {
        assert.throws(() => stasher.actorRef().ask(1, { timeoutMs }), {
          name: 'TypeError',
          message: /^Expected `timeoutMs` to be a number from 0 to 2147483647, got/,
        });
      }
      await clock.settle();
      assert.equal(
        stasher.onDefinition((s) => s.stash.length),
        0,
      );
    });
  });
});

describe('Killing a blocked component', () => {
  it('waits the grace period for what it blocks on, then abandons it, runs onKill and resolves killNotify', async () => {
    class Stuck extends ComponentDefinition<'block'> {
      killed = false;
      override receiveLocal(): HandlerReturn {
        return new Promise(() => {});
      }
      override onKill(): HandlerReturn {
        this.killed = true;
      }
    }
    await withGatedClock(
      async (system, clock) => {
        const stuck = system.create(() => new Stuck());
        await within(system.startNotify(stuck), DEADLINE_MS, 'startNotify');
        stuck.actorRef().tell('block');
        await clock.settle();
        let done = false;
        const killed = system.killNotify(stuck).then(() => {
          done = true;
        });
        await clock.advance(GRACE_MS - 1);
        assert.equal(done, false, 'the kill waits during the grace period');
        await clock.advance(1);
        await within(killed, DEADLINE_MS, 'killNotify');
        assert.ok(stuck.isDestroyed());
        assert.equal(
          stuck.onDefinition((s) => s.killed),
          true,
        );
        assert.equal(clock.pendingTimers, 0);
      },
      (config) => config.shutdownGraceMs(GRACE_MS),
    );
  });

  it('resolves killNotify of a component whose onKill never settles after the grace period', async () => {
    class StuckOnKill extends ComponentDefinition {
      override onKill(): HandlerReturn {
        return new Promise(() => {});
      }
    }
    await withGatedClock(
      async (system, clock) => {
        const stuck = system.create(() => new StuckOnKill());
        await within(system.startNotify(stuck), DEADLINE_MS, 'startNotify');
        const killed = system.killNotify(stuck);
        await clock.advance(GRACE_MS);
        await within(killed, DEADLINE_MS, 'killNotify');
        assert.ok(stuck.isDestroyed());
      },
      (config) => config.shutdownGraceMs(GRACE_MS),
    );
  });

  it('lets a block that settles within the grace period finish before the kill', async () => {
    class Slow extends ComponentDefinition<'block'> {
      finished = false;
      constructor(readonly gate: Promise<void>) {
        super();
      }
      override async receiveLocal(): Promise<void> {
        await this.gate;
        this.finished = true;
      }
    }
    await withGatedClock(
      async (system, clock) => {
        let open!: () => void;
        const gate = new Promise<void>((resolve) => {
          open = resolve;
        });
        const slow = system.create(() => new Slow(gate));
        await within(system.startNotify(slow), DEADLINE_MS, 'startNotify');
        slow.actorRef().tell('block');
        await clock.settle();
        const killed = system.killNotify(slow);
        await clock.advance(GRACE_MS / 2);
        open();
        await within(killed, DEADLINE_MS, 'killNotify');
        assert.equal(
          slow.onDefinition((s) => s.finished),
          true,
        );
        assert.equal(clock.pendingTimers, 0, 'the grace timer was disarmed');
      },
      (config) => config.shutdownGraceMs(GRACE_MS),
    );
  });
});
