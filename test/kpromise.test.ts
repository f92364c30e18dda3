// KPromise: the completing side of an ask; never a rejection that nobody can catch.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { ComponentDefinition, type HandlerReturn, KPromise } from '../src/index.js';
import { withGatedClock } from './support/clock.js';

/** Runs `script` as an ES module in a child Node with `--expose-gc`; resolves with how it ended. */
function runWithGc(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--input-type=module', '--eval', script],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// Compiled to .build/test/: the package entry is .build/src/index.js.
const entry = new URL('../src/index.js', import.meta.url).href;

describe('KPromise', () => {
  it('refuses to be constructed by hand, with a TypeError saying where promises come from', () => {
    const Unchecked = KPromise as unknown as new (...args: unknown[]) => unknown;
    assert.throws(() => new Unchecked(), {
      name: 'TypeError',
      message: /made by `ActorRef.ask` or `askWith`/,
    });
    assert.throws(() => new Unchecked({ done: false, resolve() {}, reject() {} }), TypeError);
  });

  it('refuses askWith without a build function, naming the argument', async () => {
    class Sink extends ComponentDefinition<unknown> {
      override receiveLocal(): HandlerReturn {}
    }
    await withGatedClock(async (system) => {
      const sink = system.create(() => new Sink());
      const askWith = sink.actorRef().askWith.bind(sink.actorRef()) as (build: unknown) => unknown;
      assert.throws(() => askWith(null), {
        name: 'TypeError',
        message: 'Expected `build` to be a function, got `null` (null)',
      });
    });
  });

  it('never ends the process when an askWith build throws or a KPromise is made by hand, even after collection', async () => {
    const script = `
      import { ComponentDefinition, KompactConfig, KPromise } from ${JSON.stringify(entry)};
      class Sink extends ComponentDefinition { receiveLocal() {} }
      const system = await KompactConfig.default().logLevel('silent').build();
      const sink = system.create(() => new Sink());
      await system.startNotify(sink);
      let caught = 0;
      for (let i = 0; i < 100; i++) {
        try {
          sink.actorRef().askWith(() => { throw new Error('build failed'); });
        } catch { caught++; }
      }
      for (const args of [[], [{ done: false, resolve() {}, reject() {} }]]) {
        try { new KPromise(...args); } catch { caught++; }
      }
      for (let i = 0; i < 20; i++) {
        globalThis.gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      await system.shutdown();
      console.log('survived, caught ' + caught);
    `;
    const { code, stdout, stderr } = await runWithGc(script);
    assert.equal(code, 0, `the child process failed:\n${stderr}`);
    assert.match(stdout, /survived, caught 102/);
  });
});
