import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { defaultLogger, KompactError, type LogDestination } from '../src/index.js';

const run = promisify(execFile);

/** A destination that keeps what is written, a terminal or not. */
function capture(isTTY: boolean): LogDestination & { readonly text: string[] } {
  const text: string[] = [];
  return { isTTY, text, write: (chunk: string) => text.push(chunk) };
}

function isJsonLine(line: string): boolean {
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
}

const PRETTY = /^\d\d:\d\d:\d\d\.\d{3} INFO {2}hello n=1\n$/;

const ESC = String.fromCharCode(27);

/** `text` without terminal colour codes. */
function uncoloured(text: string): string {
  return text.replace(new RegExp(`${ESC}\\[\\d+m`, 'g'), '');
}

describe('defaultLogger', () => {
  it('writes readable lines to a terminal', () => {
    const out = capture(true);
    defaultLogger({ destination: out, env: {} }).info({ n: 1 }, 'hello');
    assert.equal(out.text.length, 1);
    assert.match(uncoloured(out.text[0] ?? ''), PRETTY);
    assert.ok(out.text[0]?.includes(`${ESC}[32mINFO `), 'the level is coloured at a terminal');
  });

  it('writes one JSON object a line where it is not a terminal (piped or redirected)', () => {
    const out = capture(false);
    defaultLogger({ destination: out, env: {} }).info({ n: 1 }, 'hello');
    const line = JSON.parse(out.text[0] ?? '') as Record<string, unknown>;
    assert.equal(line.msg, 'hello');
    assert.equal(line.n, 1);
  });

  it('writes JSON to a terminal when NODE_ENV is production', () => {
    const out = capture(true);
    defaultLogger({ destination: out, env: { NODE_ENV: 'production' } }).info('hello');
    assert.ok(isJsonLine(out.text[0] ?? ''), out.text[0]);
  });

  it('lets KOMPACT_LOG_FORMAT decide over the terminal, NODE_ENV and the format option', () => {
    const toPipe = capture(false);
    defaultLogger({ destination: toPipe, env: { KOMPACT_LOG_FORMAT: 'pretty' }, format: 'json' }).info(
      { n: 1 },
      'hello',
    );
    assert.match(toPipe.text[0] ?? '', PRETTY, 'no colour where it is not a terminal');
    const toTerminal = capture(true);
    defaultLogger({ destination: toTerminal, env: { KOMPACT_LOG_FORMAT: 'json' } }).info('hello');
    assert.ok(isJsonLine(toTerminal.text[0] ?? ''), toTerminal.text[0]);
  });

  it('shows the system, component type and id, other fields, and an error stack on a pretty line, colourless with NO_COLOR', () => {
    const out = capture(true);
    const logger = defaultLogger({ destination: out, env: { NO_COLOR: '1' } })
      .child({ system: 'app' })
      .child({ cid: 'c1', ctype: 'Counter' });
    logger.warn({ err: new Error('boom'), count: 3 }, 'Went wrong');
    const [first, ...stack] = (out.text[0] ?? '').split('\n');
    assert.match(first ?? '', /^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[app\] Counter\(c1\): Went wrong count=3$/);
    assert.match(stack[0] ?? '', /^ {4}Error: boom$/);
    logger.error({ err: 'a thrown string' }, 'Threw');
    assert.match(out.text[1] ?? '', /Counter\(c1\): Threw err="a thrown string"\n$/);
  });

  it('takes its level from KOMPACT_LOG_LEVEL over the level option, and refuses a level or format that is none with CONFIG_INVALID', () => {
    const out = capture(false);
    const logger = defaultLogger({ destination: out, env: { KOMPACT_LOG_LEVEL: 'debug' }, level: 'warn' });
    assert.equal(logger.level, 'debug');
    assert.equal(defaultLogger({ destination: out, env: {}, level: 'warn' }).level, 'warn');
    assert.equal(defaultLogger({ destination: out, env: {} }).level, 'info');
    for (const env of [{ KOMPACT_LOG_LEVEL: 'loud' }, { KOMPACT_LOG_FORMAT: 'yaml' }]) {
      assert.throws(
        () => defaultLogger({ destination: out, env }),
        (error: unknown) =>
          error instanceof KompactError &&
          error.code === 'CONFIG_INVALID' &&
          error.message.includes(Object.keys(env)[0] ?? '') &&
          error.message.includes('(from the environment)'),
      );
    }
  });
});

describe('a system with the default logger', () => {
  // Compiled to .build/test/: the package's entry point is .build/src/index.js.
  const entry = pathToFileURL(new URL('../src/index.js', import.meta.url).pathname).href;
  const program = `
    import { ComponentDefinition, KompactConfig } from '${entry}';
    class Greeter extends ComponentDefinition {
      onStart() { this.ctx.log.info('Hello from a component'); }
    }
    const system = await KompactConfig.default().label('app').build();
    await system.startNotify(system.create(() => new Greeter()));
    system.logger.warn({ err: new Error('boom') }, 'A warning with a stack');
    await system.shutdown();
  `;

  async function stderrOf(env: Record<string, string>): Promise<string[]> {
    const { stderr } = await run(process.execPath, ['--input-type=module', '-e', program], {
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 30_000, // a deadline: the child is killed and the test fails if it hangs
    });
    return stderr.split('\n').filter((line) => line !== '');
  }

  it('logs JSON, one object a line with the system, component type and id, when stderr is piped', async () => {
    const lines = await stderrOf({});
    assert.ok(lines.length >= 2, lines.join('\n'));
    for (const line of lines) assert.ok(isJsonLine(line), `not JSON: ${line}`);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const hello = parsed.find((line) => line.msg === 'Hello from a component');
    assert.equal(hello?.system, 'app');
    assert.equal(hello?.ctype, 'Greeter');
    assert.equal(typeof hello?.cid, 'string');
  });

  it('logs readable lines when KOMPACT_LOG_FORMAT=pretty, and debug lines when KOMPACT_LOG_LEVEL=debug', async () => {
    const lines = await stderrOf({ KOMPACT_LOG_FORMAT: 'pretty', KOMPACT_LOG_LEVEL: 'debug' });
    assert.ok(
      lines.some((line) => / INFO {2}\[app\] Greeter\(.+\): Hello from a component$/.test(line)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((line) => / DEBUG \[app\] Shutting down$/.test(line)),
      lines.join('\n'),
    );
    assert.ok(
      lines.every((line) => !isJsonLine(line)),
      lines.join('\n'),
    );
  });
});
