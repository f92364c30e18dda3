// SLOW (about 20 to 60 s, most of it one `npm install`): installs this repository the way a user can
// today, from git, into a fresh app in a temp dir, then runs and type-checks that app. The repository
// is the working tree as it is (tracked and untracked files, not ignored ones), committed to a fresh
// git repo, so uncommitted changes are tested too and no `dist/` comes along: `prepare` must build it.
// npm is asked to prefer its cache; what is not cached comes from the npm registry.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

// Compiled to .build/test/: the repository is two levels up.
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const INSTALL_TIMEOUT_MS = 240_000;
const STEP_TIMEOUT_MS = 60_000;

/** What `npm install` gave the app, for the tests below. */
interface Installed {
  readonly app: string;
  readonly pkg: string;
  readonly exports: readonly string[];
}

/**
 * Runs `file args` in `cwd` and resolves with its stdout; rejects, with the command, its exit and its
 * stderr in the message, when it fails or outlives `timeoutMs` (then it is killed).
 */
function run(file: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve(stdout);
          return;
        }
        const how = error.killed
          ? `was killed after ${timeoutMs} ms`
          : `failed (${error.code ?? error.signal})`;
        reject(new Error(`\`${[file, ...args].join(' ')}\` in ${cwd} ${how}:\n${stdout}\n${stderr}`));
      },
    );
  });
}

/** Every file under `dir`, as paths relative to `dir` with `/` separators. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

/**
 * Copies the working tree (without ignored files) into a fresh git repository at `to`, less the
 * devDependency on better-sqlite3: `prepare` does not need it, and its native build (about two
 * minutes, no prebuilt binary can be downloaded here) would not fit this test's time. So the app below
 * also shows an install without the optional driver, as most users have.
 */
async function snapshotRepository(to: string): Promise<void> {
  const listed = await run(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    repoRoot,
    STEP_TIMEOUT_MS,
  );
  for (const file of listed.split('\0').filter((name) => name !== '')) {
    const source = join(repoRoot, file);
    // A tracked file deleted in the working tree is not part of it.
    if (!(await stat(source).catch(() => undefined))?.isFile()) continue;
    await mkdir(dirname(join(to, file)), { recursive: true });
    await copyFile(source, join(to, file));
  }
  const manifestFile = join(to, 'package.json');
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as {
    devDependencies?: Record<string, string>;
  };
  delete manifest.devDependencies?.['better-sqlite3'];
  await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  const git = [
    '-c',
    'user.name=install test',
    '-c',
    'user.email=install-test@localhost',
    '-c',
    'commit.gpgsign=false',
  ];
  await run('git', ['init', '-q'], to, STEP_TIMEOUT_MS);
  await run('git', [...git, 'add', '-A'], to, STEP_TIMEOUT_MS);
  await run('git', [...git, 'commit', '-q', '-m', 'snapshot'], to, STEP_TIMEOUT_MS);
}

/** The specifiers of the package's entry points: `kompact-ts` and `kompact-ts/<subpath>` for each export. */
function entryPoints(manifest: { exports?: Record<string, unknown> }): string[] {
  return Object.entries(manifest.exports ?? {})
    .filter(([key, target]) => target !== null && key !== './package.json' && !key.includes('*'))
    .map(([key]) => (key === '.' ? 'kompact-ts' : `kompact-ts/${key.slice(2)}`));
}

// Hand-written uses of each entry point's types; an entry point added to `exports` must get one here.
const typeUses: Readonly<Record<string, string>> = {
  'kompact-ts': `
import {
  type ActorPath, type Ask, type Channel, ComponentDefinition, type KompactError, type KompactSystem,
  KompactConfig, type NetworkOptions, type Serialiser, Serialisers, port,
} from 'kompact-ts';

interface Greeting { readonly name: string }
const GreetPort = port<Greeting, string>('GreetPort');

export class Greeter extends ComponentDefinition<Ask<string, string>> {
  readonly greet = this.providePort(GreetPort, (greeting) => {
    this.greet.trigger(\`hello \${greeting.name}\`);
  });
  override receiveLocal(ask: Ask<string, string>): void {
    ask.reply(\`hello \${ask.request}\`);
  }
}

export async function greet(path: ActorPath, from: KompactSystem): Promise<string> {
  const options: NetworkOptions = { host: '127.0.0.1', port: 0 };
  const system: KompactSystem = await KompactConfig.default().network(options).build();
  const serialiser: Serialiser<string> = Serialisers.string;
  path.tell('hi', from, serialiser);
  const greeter = system.create(() => new Greeter());
  await system.startNotify(greeter);
  const answer: string = await greeter.actorRef().ask('app').catch((error: KompactError) => error.code);
  const channel: Channel | undefined = undefined;
  void channel;
  await system.shutdown();
  return answer;
}
`,
  'kompact-ts/inspector': `
import type { KompactSystem } from 'kompact-ts';
import { type Inspector, type InspectorSnapshot, startInspector } from 'kompact-ts/inspector';

export async function inspect(system: KompactSystem): Promise<string> {
  const inspector: Inspector = await startInspector(system, { port: 0, actions: false });
  const rows: InspectorSnapshot['components'] = [];
  await inspector.close();
  return \`\${inspector.url} \${rows.length}\`;
}
`,
  'kompact-ts/sqlite': `
import { KompactConfig, type KompactError, type SnapshotStore } from 'kompact-ts';
import { type SqliteSnapshotStoreOptions, sqliteSnapshotStore } from 'kompact-ts/sqlite';

export async function durable(file: string): Promise<number | string | undefined> {
  const options: SqliteSnapshotStoreOptions = { synchronous: 'FULL', maxBatchSize: 100 };
  const store: SnapshotStore = await sqliteSnapshotStore(file, options);
  const system = await KompactConfig.default().snapshotStore(store).build();
  await system.snapshots.save('count', 1);
  const count = await system.snapshots.load<number>('count').catch((error: KompactError) => error.code);
  await system.shutdown();
  return count;
}
`,
  'kompact-ts/testing': `
import type { KompactSystem } from 'kompact-ts';
import { type CapturedLog, captureLogs, SimulatedClock, withSystem } from 'kompact-ts/testing';

export async function simulate(): Promise<number> {
  const clock = new SimulatedClock();
  const { lines } = captureLogs('info');
  const first: CapturedLog | undefined = lines[0];
  void first;
  return withSystem(async (system: KompactSystem) => {
    await clock.advance(5);
    return system.state === 'active' ? clock.now() : -1;
  }, (config) => config.clock(clock));
}
`,
};

describe('Installing kompact-ts from a git clone (slow: one npm install, up to a minute)', () => {
  let temp: string | undefined;
  let installed: Installed | undefined;

  before(
    async () => {
      temp = await mkdtemp(join(tmpdir(), 'kompact-install-'));
      const repo = join(temp, 'kompact-ts');
      const app = join(temp, 'app');
      await snapshotRepository(repo);
      await mkdir(app);
      await writeFile(
        join(app, 'package.json'),
        JSON.stringify({ name: 'app', private: true, type: 'module' }),
      );
      await run(
        'npm',
        ['install', '--no-audit', '--no-fund', '--prefer-offline', `git+file://${repo}`],
        app,
        INSTALL_TIMEOUT_MS,
      );
      const pkg = join(app, 'node_modules', 'kompact-ts');
      const manifest = JSON.parse(await readFile(join(pkg, 'package.json'), 'utf8')) as {
        exports?: Record<string, unknown>;
      };
      installed = { app, pkg, exports: entryPoints(manifest) };
    },
    { timeout: INSTALL_TIMEOUT_MS + STEP_TIMEOUT_MS },
  );

  after(async () => {
    if (temp !== undefined) await rm(temp, { recursive: true, force: true });
  });

  /** The install, or a failure saying it did not happen (the `before` hook failed). */
  function got(): Installed {
    assert.ok(installed, 'the package was not installed (see the failure of the before hook)');
    return installed;
  }

  it('builds dist/ through prepare and ships only dist/, src/, the README, the LICENSE and package.json', async () => {
    const { pkg } = got();
    const top = (await readdir(pkg)).sort();
    assert.deepEqual(top, ['LICENSE', 'README.md', 'dist', 'package.json', 'src']);
    const files = await filesUnder(pkg);
    assert.ok(files.includes('dist/index.js') && files.includes('dist/index.d.ts'), 'dist/ was not built');
    assert.deepEqual(
      files.filter(
        (file) => /(^|\/)(test|bench|examples|\.build)\//.test(file) || /\.test\.[jt]s$/.test(file),
      ),
      [],
      'no tests, benchmarks, examples or .build output are shipped',
    );
    assert.match(await readFile(join(pkg, 'LICENSE'), 'utf8'), /^MIT License/);
  });

  it('ships the source file of every source map and declaration map', async () => {
    const { pkg } = got();
    const maps = (await filesUnder(pkg)).filter((file) => file.endsWith('.map'));
    assert.ok(maps.length > 0, 'no maps were shipped');
    const missing: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(await readFile(join(pkg, map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const target = join(pkg, dirname(map), source);
        if (!(await stat(target).catch(() => undefined))?.isFile()) missing.push(`${map} -> ${source}`);
      }
    }
    assert.deepEqual(missing, [], 'maps point at sources that are not shipped');
  });

  it('runs every entry point from plain ESM JavaScript (a system starts, answers an ask and shuts down), and nothing else is importable', async () => {
    const { app, exports } = got();
    assert.ok(exports.includes('kompact-ts') && exports.includes('kompact-ts/testing'));
    const script = `
${exports.map((specifier, i) => `import * as entry${i} from '${specifier}';`).join('\n')}
for (const [i, entry] of [${exports.map((_, i) => `entry${i}`).join(', ')}].entries()) {
  if (Object.keys(entry).length === 0) throw new Error('entry point ' + i + ' exports nothing');
}
import { ComponentDefinition, KompactConfig } from 'kompact-ts';
import { SimulatedClock, withSystem } from 'kompact-ts/testing';
import { startInspector } from 'kompact-ts/inspector';
import { sqliteSnapshotStore } from 'kompact-ts/sqlite';

class Greeter extends ComponentDefinition {
  receiveLocal(ask) { ask.reply('hello ' + ask.request); }
}
const system = await KompactConfig.default().logLevel('silent').build();
const greeter = system.create(() => new Greeter());
await system.startNotify(greeter);
const answer = await greeter.actorRef().ask('app');
// The page's libraries are optional peer dependencies, not installed here: starting one says so.
const inspector = await startInspector(system).then(() => 'started', (error) => error.code);
await system.shutdown();
const clock = new SimulatedClock();
const state = await withSystem(async (testSystem) => { await clock.advance(1000); return testSystem.state; },
  (config) => config.clock(clock));
// Shipping src/ for the maps must not widen the API: only the entry points can be imported.
const deep = [];
for (const path of ['internal/closest-name.js', 'dist/index.js', 'src/index.ts', 'dist/internal/closest-name.js']) {
  await import('kompact-ts/' + path).then(() => deep.push('reachable'), (error) => deep.push(error.code));
}
// This app has no better-sqlite3 (an optional peer dependency): the durable store says how to get it.
const sqlite = await sqliteSnapshotStore('state.db').then(() => 'opened', (error) =>
  error.code + (error.message.includes('npm install better-sqlite3') ? ' naming the install command' : ''));
console.log(JSON.stringify({ answer, inspector, state, now: clock.now(), deep, sqlite }));
`;
    await writeFile(join(app, 'main.mjs'), script);
    const output = await run(process.execPath, ['main.mjs'], app, STEP_TIMEOUT_MS);
    assert.deepEqual(JSON.parse(output.trim().split('\n').at(-1) ?? ''), {
      answer: 'hello app',
      inspector: 'INSPECTOR_DEPENDENCY_MISSING',
      state: 'active',
      now: 1000,
      deep: Array(4).fill('ERR_PACKAGE_PATH_NOT_EXPORTED'),
      sqlite: 'DEPENDENCY_MISSING naming the install command',
    });
  });

  it('type-checks an app using every entry point, strict, with nodenext and bundler resolution, skipLibCheck off and every shipped .d.ts included', async () => {
    const { app, exports } = got();
    assert.deepEqual(
      exports.filter((specifier) => typeUses[specifier] === undefined),
      [],
      'an entry point without a use in typeUses (add one)',
    );
    await mkdir(join(app, 'src'), { recursive: true });
    for (const [i, specifier] of exports.entries()) {
      await writeFile(join(app, 'src', `use${i}.ts`), typeUses[specifier] ?? '');
    }
    const tsconfig = {
      compilerOptions: {
        strict: true,
        noUncheckedIndexedAccess: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'ES2022',
        lib: ['ES2022'],
        skipLibCheck: false,
        noEmit: true,
        rootDir: '.',
        // The app's own @types/node would do; this repository's saves an install.
        typeRoots: [join(repoRoot, 'node_modules', '@types')],
        types: ['node'],
      },
      // Every declaration file, so one that no entry point reaches is checked too.
      include: ['src/**/*.ts', 'node_modules/kompact-ts/dist/**/*.d.ts'],
    };
    await writeFile(join(app, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    // Bundlers resolve through `exports` too, with their own conditions: the getting-started chapter
    // promises both resolutions.
    const bundler = {
      extends: './tsconfig.json',
      compilerOptions: { module: 'esnext', moduleResolution: 'bundler' },
    };
    await writeFile(join(app, 'tsconfig.bundler.json'), JSON.stringify(bundler, null, 2));
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], app, STEP_TIMEOUT_MS);
    await run(process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], app, STEP_TIMEOUT_MS);
  });
});
