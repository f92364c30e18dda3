// FaultContext.replaceWith: the replacement takes the faulted component's place (references, queued
// work, port connections, recovery function), with restart limits and backoff.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Ask,
  biconnectComponents,
  type Component,
  ComponentDefinition,
  type DeadLetter,
  type FaultContext,
  type HandlerReturn,
  type KompactSystem,
  type ReplaceOptions,
} from '../src/index.js';
import { CountPort, CountProvider, PortUser } from './support/definitions.js';
import { isKompactError } from './support/errors.js';
import { ERROR, INFO } from './support/logs.js';
import { ofKind, withEnv } from './support/supervision.js';

// ---- helpers ------------------------------------------------------------------------------------

type Msg = string | Ask<string, string>;

/**
 * Handles strings: `crash` throws `Error('boom')`, everything else is recorded; an ask is answered
 * with `<generation>:<request>`. Registers itself in `registry`, and notes the clock time of its start.
 */
class Worker extends ComponentDefinition<Msg> {
  readonly handled: string[] = [];
  startedAt: number | undefined;

  constructor(
    readonly registry: Worker[],
    readonly generation = registry.length,
  ) {
    super();
    registry.push(this);
  }

  override onStart(): HandlerReturn {
    this.startedAt = this.ctx.system().now();
  }

  override receiveLocal(msg: Msg): HandlerReturn {
    const text = msg instanceof Ask ? msg.request : msg;
    if (text === 'crash') throw new Error(`boom in generation ${this.generation}`);
    this.handled.push(text);
    if (msg instanceof Ask) msg.reply(`${this.generation}:${text}`);
  }
}

/** A worker whose recovery function replaces it with a new `Worker` in the same registry. */
function replacingWorker(
  system: KompactSystem,
  registry: Worker[],
  options?: ReplaceOptions,
): Component<Worker> {
  const worker = system.create(() => new Worker(registry));
  worker.setRecoveryFunction((fault) => fault.replaceWith(() => new Worker(registry), options));
  return worker;
}

// ---- in the faulted component's place -----------------------------------------------------------

describe('FaultContext.replaceWith', () => {
  it("creates and starts the replacement; the old ActorRef reaches it and takes the replacement's id", async () => {
    await withEnv(async ({ system, clock, events, lines }) => {
      const registry: Worker[] = [];
      const original = replacingWorker(system, registry);
      await system.startNotify(original);
      const ref = original.actorRef();
      assert.equal(ref.id, original.id);
      ref.tell('crash');
      await clock.settle();

      assert.equal(original.isFaulty(), true);
      assert.equal(registry.length, 2);
      const replacement = registry[1] as Worker;
      assert.notEqual(replacement.startedAt, undefined, 'the replacement was started');
      assert.equal(ref.id, replacement.ctx.id);
      assert.notEqual(ref.id, original.id);
      const [recovered] = ofKind(events, 'recovered');
      assert.equal(recovered?.recovery, 'replace-with');
      assert.equal(recovered?.componentId, original.id);
      assert.equal(recovered?.replacementId, replacement.ctx.id);
      assert.ok(
        lines.some(
          (line) =>
            line.level === INFO &&
            line.msg === `Replaced faulted component ${original.id} with ${replacement.ctx.id}`,
        ),
      );

      ref.tell('hello');
      assert.equal(await ref.askWith<string>((promise) => new Ask(promise, 'ask')), '1:ask');
      assert.deepEqual(replacement.handled, ['hello', 'ask']);
      assert.equal(system.deadLetters.count, 0);
    });
  });

  it("makes the original's actorRef() reach the replacement even when no reference was taken before the fault", async () => {
    await withEnv(async ({ system, clock }) => {
      const providers: CountProvider[] = [];
      const early = system.create(() => new CountProvider(providers));
      const late = system.create(() => new CountProvider(providers));
      for (const component of [early, late]) {
        component.setRecoveryFunction((fault) => fault.replaceWith(() => new CountProvider(providers)));
        await system.startNotify(component);
      }
      const earlyRef = early.actorRef(); // taken before the fault; `late` never handed one out
      for (const component of [early, late]) {
        system.triggerR(-1, component.getProvidedPort(CountPort) as never);
      }
      await clock.settle();
      assert.equal(providers.length, 4);
      const [earlyReplacement, lateReplacement] = providers.slice(2) as [CountProvider, CountProvider];
      assert.equal(earlyRef.id, earlyReplacement.ctx.id);
      assert.equal(early.actorRef().id, earlyReplacement.ctx.id);
      const before = system.deadLetters.count;
      late.actorRef().tell('hello');
      assert.equal(system.deadLetters.count, before, 'not a dead letter');
      assert.equal(late.actorRef().id, lateReplacement.ctx.id);
    });
  });

  it('delivers messages queued behind the failed one, and those sent before recovery, to the replacement in order', async () => {
    await withEnv(async ({ system, clock }) => {
      class Relay extends ComponentDefinition<string> {
        constructor(private readonly target: Component<Worker>) {
          super();
        }

        override receiveLocal(msg: string): HandlerReturn {
          this.target.actorRef().tell(msg);
        }
      }
      const registry: Worker[] = [];
      const original = system.create(() => new Worker(registry));
      original.setRecoveryFunction((fault) => {
        original.actorRef().tell('from the recovery function');
        return fault.replaceWith(() => new Worker(registry));
      });
      const relay = system.create(() => new Relay(original));
      await system.startNotify(original);
      await system.startNotify(relay);
      const ref = original.actorRef();
      ref.tell('crash');
      ref.tell('a');
      const asked = ref.askWith<string>((promise) => new Ask(promise, 'b'));
      ref.tell('c');
      relay.actorRef().tell('relayed');
      assert.equal(await asked, '1:b');
      await clock.settle();

      assert.deepEqual(registry[1]?.handled, ['a', 'b', 'c', 'from the recovery function', 'relayed']);
      assert.equal(system.deadLetters.count, 0);
    });
  });

  it('delivers messages queued while an async handler blocked, before it failed, to the replacement', async () => {
    await withEnv(async ({ system, clock }) => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      class Slow extends Worker {
        override receiveLocal(msg: Msg): HandlerReturn {
          if (msg !== 'slow crash') return super.receiveLocal(msg);
          return (async () => {
            await gate;
            throw new Error('failed late');
          })();
        }
      }
      const registry: Worker[] = [];
      const slow = system.create(() => new Slow(registry));
      slow.setRecoveryFunction((fault) => fault.replaceWith(() => new Worker(registry)));
      await system.startNotify(slow);
      const ref = slow.actorRef();
      ref.tell('slow crash');
      ref.tell('one');
      ref.tell('two');
      await clock.settle();
      assert.equal(registry.length, 1, 'still blocked');
      release();
      await clock.settle();
      assert.equal(slow.isFaulty(), true);
      assert.deepEqual(registry[1]?.handled, ['one', 'two']);
    });
  });

  it('delivers queued port events to the replacement in order and rewires its port connections both ways', async () => {
    await withEnv(async ({ system, clock }) => {
      const providers: CountProvider[] = [];
      const original = system.create(() => new CountProvider(providers));
      original.setRecoveryFunction((fault) => fault.replaceWith(() => new CountProvider(providers)));
      const requirer = system.create(() => new PortUser());
      biconnectComponents(CountPort, original, requirer);
      await system.startNotify(original);
      await system.startNotify(requirer);

      requirer.actorRef().tell([-1, 1, 2]);
      await clock.settle();
      assert.equal(original.isFaulty(), true);
      const replacement = providers[1] as CountProvider;
      assert.deepEqual(replacement.received, [1, 2]);
      assert.deepEqual(
        requirer.onDefinition((d) => d.acks),
        ['ack 1', 'ack 2'],
        'indications of the replacement reach the requirer',
      );

      requirer.actorRef().tell([3]);
      await clock.settle();
      assert.deepEqual(replacement.received, [1, 2, 3], 'requests of the requirer reach the replacement');
      assert.equal(original.getProvidedPort(CountPort)?.connectionCount, 0);
      assert.equal(replacement.service.connectionCount, 1);
      assert.equal(requirer.getRequiredPort(CountPort)?.connectionCount, 1, 'not connected twice');
      assert.equal(system.deadLetters.count, 0);
    });
  });

  it('rewires one-sided connections on the side they were made', async () => {
    await withEnv(async ({ system, clock }) => {
      const providers: CountProvider[] = [];
      const original = system.create(() => new CountProvider(providers));
      original.setRecoveryFunction((fault) => fault.replaceWith(() => new CountProvider(providers)));
      const listener = system.create(() => new PortUser());
      const sender = system.create(() => new PortUser());
      const provided = original.getProvidedPort(CountPort);
      const listening = listener.getRequiredPort(CountPort);
      const sending = sender.getRequiredPort(CountPort);
      assert.ok(provided && listening && sending);
      provided.connect(listening); // indications only: original → listener
      sending.connect(provided); // requests only: sender → original
      for (const component of [original, listener, sender]) await system.startNotify(component);

      sender.actorRef().tell([-1]);
      await clock.settle();
      assert.equal(original.isFaulty(), true);
      const replacement = providers[1] as CountProvider;

      sender.actorRef().tell([5]);
      await clock.settle();
      assert.deepEqual(replacement.received, [5]);
      assert.deepEqual(
        listener.onDefinition((d) => d.acks),
        ['ack 5'],
      );
      assert.deepEqual(
        sender.onDefinition((d) => d.acks),
        [],
        'the sender never listened for indications',
      );
      assert.equal(listening.connectionCount, 0, 'the listener still sends nowhere');
      assert.equal(replacement.service.connectionCount, 1);
    });
  });

  it('turns port events queued for a port the replacement lacks into dead letters', async () => {
    await withEnv(async ({ system, clock }) => {
      const workers: Worker[] = [];
      const original = system.create(() => new CountProvider());
      original.setRecoveryFunction((fault) => fault.replaceWith(() => new Worker(workers)));
      const requirer = system.create(() => new PortUser());
      biconnectComponents(CountPort, original, requirer);
      await system.startNotify(original);
      await system.startNotify(requirer);
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      requirer.actorRef().tell([-1, 7]);
      await clock.settle();
      assert.equal(workers.length, 1);
      assert.deepEqual(
        letters.map((letter) => letter.message),
        [7],
      );
    });
  });

  it('keeps the recovery function for the replacement, so it is replaced again on its next fault', async () => {
    await withEnv(async ({ system, clock, events }) => {
      const registry: Worker[] = [];
      const original = replacingWorker(system, registry);
      await system.startNotify(original);
      const ref = original.actorRef();
      ref.tell('crash');
      ref.tell('crash');
      ref.tell('crash');
      ref.tell('survivor');
      await clock.settle();
      assert.equal(registry.length, 4);
      assert.deepEqual(registry[3]?.handled, ['survivor']);
      assert.deepEqual(
        ofKind(events, 'recovered').map((event) => event.replacementId),
        registry.slice(1).map((worker) => worker.ctx.id),
      );
      assert.deepEqual(
        ofKind(events, 'fault').map((event) => event.componentId),
        registry.slice(0, 3).map((worker) => worker.ctx.id),
      );
    });
  });

  it('lets a replacement that sets its own recovery function use that one instead', async () => {
    await withEnv(async ({ system, clock }) => {
      const registry: Worker[] = [];
      const used: string[] = [];
      class OwnRecovery extends Worker {
        constructor(registry: Worker[]) {
          super(registry);
          this.ctx.setRecoveryFunction((fault) => {
            used.push('own');
            return fault.ignore();
          });
        }
      }
      const original = system.create(() => new Worker(registry));
      original.setRecoveryFunction((fault) => {
        used.push('inherited');
        return fault.replaceWith(() => new OwnRecovery(registry));
      });
      await system.startNotify(original);
      original.actorRef().tell('crash');
      original.actorRef().tell('crash');
      await clock.settle();
      assert.deepEqual(used, ['inherited', 'own']);
      assert.equal(registry.length, 2);
    });
  });

  it('replaces a component whose onStart faulted; its startNotify still rejects', async () => {
    await withEnv(async ({ system, clock }) => {
      const registry: Worker[] = [];
      class BadStart extends Worker {
        override onStart(): HandlerReturn {
          throw new Error('no start');
        }
      }
      const bad = system.create(() => new BadStart(registry));
      bad.setRecoveryFunction((fault) => fault.replaceWith(() => new Worker(registry)));
      const ref = bad.actorRef();
      await assert.rejects(system.startNotify(bad), isKompactError('PROMISE_DROPPED'));
      ref.tell('hello');
      await clock.settle();
      assert.deepEqual(registry[1]?.handled, ['hello']);
    });
  });

  it('resurrects a component whose onKill faulted in its place, as Kompact does; its killNotify rejects', async () => {
    await withEnv(async ({ system, clock }) => {
      const registry: Worker[] = [];
      class BadKill extends Worker {
        override onKill(): HandlerReturn {
          throw new Error('no kill');
        }
      }
      const bad = system.create(() => new BadKill(registry));
      bad.setRecoveryFunction((fault) => fault.replaceWith(() => new Worker(registry)));
      await system.startNotify(bad);
      const ref = bad.actorRef();
      await assert.rejects(system.killNotify(bad), isKompactError('PROMISE_DROPPED'));
      assert.equal(bad.isFaulty(), true);
      ref.tell('back');
      await clock.settle();
      assert.deepEqual(registry[1]?.handled, ['back']);
    });
  });
});

// ---- restart limits -----------------------------------------------------------------------------

describe('Restart cost', () => {
  it('keeps one unique path for a line of replacements however often it restarts, reaching the latest', async () => {
    /** Uses its actor path (as any component sending to paths does), then crashes on `crash`. */
    class PathUser extends ComponentDefinition<string> {
      constructor(
        readonly paths: Set<string>,
        readonly heard: number[],
        readonly generation: number,
      ) {
        super();
      }
      override receiveLocal(msg: string): HandlerReturn {
        this.paths.add(this.ctx.actorPath().toString());
        if (msg === 'crash') throw new Error(`crash in generation ${this.generation}`);
      }
      override receiveNetwork(): HandlerReturn {
        this.heard.push(this.generation);
      }
    }
    await withEnv(async ({ system, clock }) => {
      const paths = new Set<string>();
      const heard: number[] = [];
      let generation = 0;
      const original = system.create(() => new PathUser(paths, heard, generation));
      original.setRecoveryFunction((fault) =>
        fault.replaceWith(() => new PathUser(paths, heard, ++generation)),
      );
      await system.startNotify(original);
      const originalPath = system.actorPathFor(original);
      const restarts = 200;
      for (let i = 0; i < restarts; i++) {
        original.actorRef().tell('crash');
        await clock.settle();
      }
      assert.equal(generation, restarts);
      // Each path a line holds is an id registered with the dispatcher: one for the whole line, not
      // one more per restart (which every later restart had to carry over).
      assert.deepEqual([...paths], [originalPath.toString()]);
      originalPath.tell('hello', system);
      await clock.settle();
      assert.deepEqual(heard, [restarts]);
    });
  });
});

describe('Restart limits', () => {
  it('gives up past maxRestarts within withinMs: no replacement, a gave-up event, and the component stays down', async () => {
    await withEnv(async ({ system, clock, events, lines }) => {
      const registry: Worker[] = [];
      const original = replacingWorker(system, registry, { maxRestarts: 2, withinMs: 1000 });
      await system.startNotify(original);
      const ref = original.actorRef();
      for (let i = 0; i < 3; i++) {
        ref.tell('crash');
        await clock.advance(10);
      }
      assert.equal(registry.length, 3, 'two replacements, not three');
      const last = registry[2] as Worker;
      const gaveUp = ofKind(events, 'gave-up');
      assert.equal(gaveUp.length, 1);
      assert.deepEqual(gaveUp[0], {
        kind: 'gave-up',
        componentId: last.ctx.id,
        componentType: 'Worker',
        restarts: 2,
        withinMs: 1000,
      });
      assert.equal(ofKind(events, 'recovered').length, 2, 'no recovered event for the last fault');
      assert.ok(
        lines.some(
          (line) => line.level === ERROR && line.msg.startsWith(`Giving up on component ${last.ctx.id}`),
        ),
      );
      assert.equal(system.supervision.stats.gaveUp, 1);

      const before = system.deadLetters.count;
      ref.tell('anyone there?');
      await assert.rejects(
        ref.askWith<string>((promise) => new Ask(promise, 'hello?')),
        isKompactError('PROMISE_DROPPED'),
      );
      assert.equal(system.deadLetters.count, before + 2);
      assert.equal(ref.id, last.ctx.id);
      await clock.advance(10_000);
      assert.equal(registry.length, 3, 'it stays down');
    });
  });

  it('turns messages queued behind the fault it gave up on into dead letters', async () => {
    await withEnv(async ({ system, clock }) => {
      const registry: Worker[] = [];
      const original = replacingWorker(system, registry, { maxRestarts: 0 });
      await system.startNotify(original);
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      original.actorRef().tell('crash');
      original.actorRef().tell('queued');
      await clock.settle();
      assert.equal(registry.length, 1, 'maxRestarts 0 never replaces');
      assert.deepEqual(
        letters.map((letter) => letter.message),
        ['queued'],
      );
    });
  });

  it('counts restarts in a sliding window: faults further apart than withinMs never give up', async () => {
    await withEnv(async ({ system, clock, events }) => {
      const registry: Worker[] = [];
      const original = replacingWorker(system, registry, { maxRestarts: 1, withinMs: 100 });
      await system.startNotify(original);
      const ref = original.actorRef();
      for (let i = 0; i < 4; i++) {
        ref.tell('crash');
        await clock.advance(100);
      }
      assert.equal(registry.length, 5);
      assert.equal(ofKind(events, 'gave-up').length, 0);

      ref.tell('crash');
      await clock.advance(99);
      ref.tell('crash');
      await clock.settle();
      assert.equal(registry.length, 6);
      assert.equal(ofKind(events, 'gave-up').length, 1);
    });
  });

  it('uses a window of 5000 clock ms by default', async () => {
    await withEnv(async ({ system, clock, events }) => {
      const registry: Worker[] = [];
      const original = replacingWorker(system, registry, { maxRestarts: 1 });
      await system.startNotify(original);
      const ref = original.actorRef();
      ref.tell('crash');
      await clock.advance(5000);
      ref.tell('crash');
      await clock.advance(4999);
      assert.equal(registry.length, 3, 'the first restart left the window after 5000 ms');
      ref.tell('crash');
      await clock.settle();
      assert.equal(registry.length, 3);
      assert.equal(ofKind(events, 'gave-up')[0]?.withinMs, 5000);
    });
  });
});

// ---- backoff ------------------------------------------------------------------------------------

describe('Restart backoff', () => {
  it('delays each start by initialMs·factor^(n−1), capped at maxMs; messages sent meanwhile wait and are handled after', async () => {
    await withEnv(async ({ system, clock, lines }) => {
      const registry: Worker[] = [];
      const original = replacingWorker(system, registry, {
        backoff: { initialMs: 100, maxMs: 350, factor: 2 },
      });
      await system.startNotify(original);
      const ref = original.actorRef();
      const delays: number[] = [];
      for (const expected of [100, 200, 350, 350]) {
        ref.tell('crash');
        await clock.settle();
        const crashedAt = clock.now();
        const replacement = registry.at(-1) as Worker;
        ref.tell(`waiting for ${expected}`);
        await clock.advance(expected - 1);
        assert.equal(replacement.startedAt, undefined, `not started ${expected - 1} ms after the fault`);
        assert.deepEqual(replacement.handled, []);
        await clock.advance(1);
        assert.equal(replacement.startedAt, crashedAt + expected);
        assert.deepEqual(replacement.handled, [`waiting for ${expected}`]);
        delays.push((replacement.startedAt as number) - crashedAt);
      }
      assert.deepEqual(delays, [100, 200, 350, 350]);
      assert.deepEqual(
        lines.filter((line) => line.msg.startsWith('Replaced faulted component')).map((line) => line.delayMs),
        [100, 200, 350, 350],
      );
    });
  });

  it('starts again from initialMs once earlier restarts left the window', async () => {
    await withEnv(async ({ system, clock }) => {
      const registry: Worker[] = [];
      const original = replacingWorker(system, registry, {
        withinMs: 1000,
        backoff: { initialMs: 10, maxMs: 1000, factor: 3 },
      });
      await system.startNotify(original);
      const ref = original.actorRef();
      const delays: number[] = [];
      const crashAndWait = async (waitMs: number): Promise<void> => {
        ref.tell('crash');
        await clock.settle();
        const crashedAt = clock.now();
        await clock.advance(waitMs);
        delays.push(((registry.at(-1) as Worker).startedAt as number) - crashedAt);
      };
      await crashAndWait(10);
      await crashAndWait(30);
      await clock.advance(2000);
      await crashAndWait(10);
      assert.deepEqual(delays, [10, 30, 10]);
    });
  });

  it('never starts a replacement still waiting out its backoff once shutdown began, and shutdown completes', async () => {
    await withEnv(async ({ system, clock }) => {
      const registry: Worker[] = [];
      const original = replacingWorker(system, registry, {
        backoff: { initialMs: 1000, maxMs: 1000, factor: 1 },
      });
      await system.startNotify(original);
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      original.actorRef().tell('crash');
      original.actorRef().tell('waiting');
      await clock.advance(500);
      await system.shutdown();
      await clock.advance(1000);
      assert.equal(system.state, 'terminated');
      assert.equal(registry.length, 2);
      assert.equal(registry[1]?.startedAt, undefined);
      assert.deepEqual(
        letters.map((letter) => letter.message),
        ['waiting'],
      );
    });
  });
});

describe('Restart loops', () => {
  it('paces a replacement that keeps faulting in onStart by its backoff, and gives up at the limit', async () => {
    await withEnv(async ({ system, clock, events }) => {
      const attempts: number[] = [];
      class NeverStarts extends ComponentDefinition {
        override onStart(): HandlerReturn {
          attempts.push(this.ctx.system().now());
          throw new Error('cannot start');
        }
      }
      const options: ReplaceOptions = {
        maxRestarts: 4,
        withinMs: 10_000,
        backoff: { initialMs: 10, maxMs: 1000, factor: 2 },
      };
      const first = system.create(() => new NeverStarts());
      first.setRecoveryFunction((fault) => fault.replaceWith(() => new NeverStarts(), options));
      await assert.rejects(system.startNotify(first), isKompactError('PROMISE_DROPPED'));
      await clock.advance(5000);
      assert.deepEqual(attempts, [0, 10, 30, 70, 150]);
      assert.equal(ofKind(events, 'gave-up').length, 1);
      assert.equal(ofKind(events, 'recovered').length, 4);
    });
  });

  it('shuts down even while replacements without a limit keep faulting in onStart', async () => {
    await withEnv(async ({ system, events }) => {
      let attempts = 0;
      class NeverStarts extends ComponentDefinition {
        override onStart(): HandlerReturn {
          attempts++;
          throw new Error('cannot start');
        }
      }
      const first = system.create(() => new NeverStarts());
      first.setRecoveryFunction((fault) => fault.replaceWith(() => new NeverStarts()));
      system.start(first);
      await new Promise<void>((resolve) => setImmediate(resolve));
      assert.ok(attempts > 1, 'it is looping');
      await system.shutdown();
      assert.equal(system.state, 'terminated');
      const faults = ofKind(events, 'fault').length;
      assert.ok(faults <= ofKind(events, 'recovered').length + 1, 'at most the last fault was not recovered');
      assert.equal(attempts, faults);
    });
  });
});

// ---- options ------------------------------------------------------------------------------------

describe('ReplaceOptions', () => {
  const bad: { readonly label: string; readonly options: unknown; readonly names: RegExp }[] = [
    { label: 'a negative maxRestarts', options: { maxRestarts: -1 }, names: /maxRestarts/ },
    { label: 'a fractional maxRestarts', options: { maxRestarts: 1.5 }, names: /maxRestarts/ },
    { label: 'a NaN maxRestarts', options: { maxRestarts: Number.NaN }, names: /maxRestarts/ },
    { label: 'a string maxRestarts', options: { maxRestarts: '3' }, names: /maxRestarts/ },
    { label: 'a zero withinMs', options: { withinMs: 0 }, names: /withinMs/ },
    { label: 'a negative withinMs', options: { withinMs: -5 }, names: /withinMs/ },
    { label: 'an infinite withinMs', options: { withinMs: Number.POSITIVE_INFINITY }, names: /withinMs/ },
    {
      label: 'a negative backoff.initialMs',
      options: { backoff: { initialMs: -1, maxMs: 10, factor: 2 } },
      names: /backoff\.initialMs/,
    },
    {
      label: 'a backoff.maxMs below initialMs',
      options: { backoff: { initialMs: 10, maxMs: 5, factor: 2 } },
      names: /backoff\.maxMs/,
    },
    {
      label: 'a backoff.factor below 1',
      options: { backoff: { initialMs: 1, maxMs: 10, factor: 0.5 } },
      names: /backoff\.factor/,
    },
    {
      label: 'a missing backoff.factor',
      options: { backoff: { initialMs: 1, maxMs: 10 } },
      names: /backoff\.factor/,
    },
    { label: 'null options', options: null, names: /options/ },
    {
      label: 'a misspelt backoff (which would mean no backoff)',
      options: { backof: { initialMs: 1, maxMs: 10, factor: 2 } },
      names: /got `backof` \(did you mean `backoff`\?\)/,
    },
    {
      label: 'a misspelt backoff field',
      options: { backoff: { initialMs: 1, maxMs: 10, factor: 2, maxms: 5 } },
      names: /got `backoff\.maxms` \(did you mean `backoff\.maxMs`\?\)/,
    },
    { label: 'a backoff that is not an object', options: { backoff: 100 }, names: /`backoff`.*`100`/ },
  ];

  it('rejects bad options with a TypeError naming the option', async () => {
    await withEnv(async ({ system, clock }) => {
      const crashy = system.create(() => new Worker([]));
      const outcomes: { label: string; error: unknown }[] = [];
      crashy.setRecoveryFunction((fault: FaultContext) => {
        for (const { label, options } of bad) {
          try {
            fault.replaceWith(() => new Worker([]), options as ReplaceOptions);
            outcomes.push({ label, error: undefined });
          } catch (error) {
            outcomes.push({ label, error });
          }
        }
        return fault.ignore();
      });
      await system.startNotify(crashy);
      crashy.actorRef().tell('crash');
      await clock.settle();
      assert.equal(outcomes.length, bad.length);
      for (const [index, { label, error }] of outcomes.entries()) {
        assert.ok(error instanceof TypeError, `${label} is a TypeError, got ${String(error)}`);
        assert.match(error.message, (bad[index] as (typeof bad)[number]).names, label);
        assert.match(error.message, /^Expected `/, `${label}: one message shape`);
      }
    });
  });

  it('accepts valid limits, windows and backoffs, including maxRestarts 0 and initialMs 0', async () => {
    await withEnv(async ({ system, clock }) => {
      const crashy = system.create(() => new Worker([]));
      const made: unknown[] = [];
      crashy.setRecoveryFunction((fault) => {
        made.push(fault.replaceWith(() => new Worker([])));
        made.push(fault.replaceWith(() => new Worker([]), {}));
        made.push(fault.replaceWith(() => new Worker([]), { maxRestarts: 0, withinMs: 1 }));
        made.push(
          fault.replaceWith(() => new Worker([]), { backoff: { initialMs: 0, maxMs: 0, factor: 1 } }),
        );
        return fault.ignore();
      });
      await system.startNotify(crashy);
      crashy.actorRef().tell('crash');
      await clock.settle();
      assert.equal(made.length, 4);
    });
  });
});
