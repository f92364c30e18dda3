import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ComponentDefinition, KompactConfig } from '../src/index.js';
import { captureLogs, SimulatedClock } from '../src/testing/index.js';
import { DEADLINE_MS, within } from './support/promises.js';

class AwaitsItsOwnShutdown extends ComponentDefinition {
  killed = false;
  override async onStart(): Promise<void> {
    await this.ctx.system().shutdown();
  }
  override onKill(): void {
    this.killed = true;
  }
}

class BlocksForever extends ComponentDefinition<'block'> {
  override receiveLocal(): Promise<void> {
    return new Promise(() => {});
  }
}

describe('KompactSystem.shutdown grace period', () => {
  it('completes although a component awaits that very shutdown, abandoning it after the grace period', async () => {
    const clock = new SimulatedClock();
    const { logger, lines } = captureLogs('warn');
    const system = await KompactConfig.default().clock(clock).logger(logger).shutdownGraceMs(500).build();
    const component = system.create(() => new AwaitsItsOwnShutdown());
    system.start(component);
    await clock.settle();
    assert.equal(system.state, 'shutting-down');
    let done = false;
    const terminated = system.awaitTermination().then(() => {
      done = true;
    });
    await clock.advance(499);
    assert.equal(done, false, 'shutdown waits for the blocked component during the grace period');
    await clock.advance(1);
    await within(terminated, DEADLINE_MS, 'the termination');
    assert.equal(system.state, 'terminated');
    assert.ok(component.isDestroyed());
    assert.equal(
      component.onDefinition((d) => d.killed),
      false,
      'onKill never ran: it was abandoned',
    );
    assert.ok(lines.some((line) => line.msg.includes('did not end within the shutdown grace period')));
  });

  it('abandons a component blocked on a promise that never settles, and dead-letters its queue', async () => {
    const clock = new SimulatedClock();
    const system = await KompactConfig.default().clock(clock).logLevel('silent').shutdownGraceMs(100).build();
    const component = system.create(() => new BlocksForever());
    await system.startNotify(component);
    component.actorRef().tell('block');
    component.actorRef().tell('block');
    await clock.settle();
    const shutdown = system.shutdown();
    await clock.advance(100);
    await within(shutdown, DEADLINE_MS, 'the shutdown');
    assert.ok(component.isDestroyed());
    assert.equal(system.deadLetters.count, 1, 'the message queued behind the blocked one is a dead letter');
  });

  it('waits a grace period of 2^31 ms or more on the host clock instead of abandoning after 1 ms', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on('warning', onWarning);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let blocked!: () => void;
    const isBlocked = new Promise<void>((resolve) => {
      blocked = resolve;
    });
    class BlocksOnGate extends ComponentDefinition<'block'> {
      killed = false;
      override receiveLocal(): Promise<void> {
        blocked();
        return gate;
      }
      override onKill(): void {
        this.killed = true;
      }
    }
    const system = await KompactConfig.default()
      .logLevel('silent')
      .shutdownGraceMs(2 ** 32)
      .build();
    try {
      const component = system.create(() => new BlocksOnGate());
      await system.startNotify(component);
      component.actorRef().tell('block');
      const blockDeadline = new Promise((_, reject) =>
        setTimeout(() => reject(new Error('the component did not block within 10 s')), 10_000).unref(),
      );
      await Promise.race([isBlocked, blockDeadline]);
      let done = false;
      const shutdown = system.shutdown().then(() => {
        done = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(done, false, 'shutdown still waits for the blocked component');
      assert.deepEqual(warnings, [], 'no TimeoutOverflowWarning');
      release();
      const deadline = new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error('shutdown did not end within 10 s of the release')),
          10_000,
        ).unref(),
      );
      await Promise.race([shutdown, deadline]);
      assert.equal(
        component.onDefinition((d) => d.killed),
        true,
        'killed normally, not abandoned',
      );
    } finally {
      release();
      process.off('warning', onWarning);
    }
  });

  it('refuses a negative grace period with CONFIG_INVALID', () => {
    assert.throws(() => KompactConfig.default().shutdownGraceMs(-1), { code: 'CONFIG_INVALID' });
  });
});
