// A port direction typed `never` needs no handler (Kompact's ignore_requests! / ignore_indications!),
// while a direction that carries events still does (checked by tsc through the @ts-expect-error lines).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { biconnectComponents, ComponentDefinition, type HandlerReturn, port } from '../src/index.js';
import { withSystem } from '../src/testing/index.js';
import { DEADLINE_MS, deferred, within } from './support/promises.js';

/** Indications only: a clock that ticks to its requirers. */
const TickPort = port<never, number>('TickPort');
/** Requests only: a sink that takes lines. */
const LinePort = port<string, never>('LinePort');

class Ticker extends ComponentDefinition {
  readonly ticks = this.providePort(TickPort);
}

class TickCounter extends ComponentDefinition {
  readonly seen = deferred<number>();
  readonly ticks = this.requirePort(TickPort, (n): HandlerReturn => this.seen.resolve(n));
  readonly lines = this.requirePort(LinePort);
}

class LineSink extends ComponentDefinition {
  readonly got = deferred<string>();
  readonly lines = this.providePort(LinePort, (line): HandlerReturn => this.got.resolve(line));
}

// Never called: tsc checks that each marked line is an error.
export function typeChecks(): void {
  class Wrong extends ComponentDefinition {
    // @ts-expect-error TickPort carries indications: a requirer needs a handler for them
    readonly ticks = this.requirePort(TickPort);
    // @ts-expect-error LinePort carries requests: a provider needs a handler for them
    readonly lines = this.providePort(LinePort);
  }
  void Wrong;
}

describe('a port direction typed never', () => {
  it('needs no handler on a provider of an indication-only port or a requirer of a request-only one', async () => {
    await withSystem(async (system) => {
      const ticker = system.create(() => new Ticker());
      const counter = system.create(() => new TickCounter());
      const sink = system.create(() => new LineSink());
      biconnectComponents(TickPort, ticker, counter);
      biconnectComponents(LinePort, sink, counter);
      await Promise.all([system.startNotify(ticker), system.startNotify(counter), system.startNotify(sink)]);
      ticker.onDefinition((d) => d.ticks.trigger(7));
      counter.onDefinition((d) => d.lines.trigger('hello'));
      assert.equal(
        await within(
          counter.onDefinition((d) => d.seen.promise),
          DEADLINE_MS,
          'the tick',
        ),
        7,
      );
      assert.equal(
        await within(
          sink.onDefinition((d) => d.got.promise),
          DEADLINE_MS,
          'the line',
        ),
        'hello',
      );
    });
  });

  it('ignores an event forced into the never direction, without a fault', async () => {
    await withSystem(async (system) => {
      const ticker = system.create(() => new Ticker());
      await system.startNotify(ticker);
      const provided = ticker.getProvidedPort(TickPort);
      assert.ok(provided !== undefined);
      system.triggerR(undefined as never, provided);
      await within(system.killNotify(ticker), DEADLINE_MS, 'the kill after the ignored request');
      assert.equal(ticker.isFaulty(), false);
    });
  });
});
