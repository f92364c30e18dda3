import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The folders of `src/` from the bottom up. A file may value-import from its own layer and the layers
 * below it, never from one above; folders on one layer may import each other (without a cycle). The
 * same order, drawn, is in docs/architecture.md.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['internal'], // KompactError, assertNever, describe helpers, ring buffer, clock binding
  ['paths'], // ComponentId, SystemPath, ActorPath, path syntax and parse errors, the message-source protocol
  ['serialisation'], // Serialiser, serIds, byte buffers, built-in serialisers (one of them for paths)
  ['messaging'], // NetMessage and its receive backlog
  ['snapshots'], // the snapshot store interface, the memory store and the facade with group commit
  ['runtime', 'timer'], // the scheduler, the spawnOff pool; clocks, timer handles and the timer facility
  ['component', 'ports', 'actors', 'supervision'], // the component model, one layer: they call each other
  ['dispatch'], // the dispatcher, aliases, the path trie and routing policies
  ['net'], // frames, connections, the TCP transport, the network link
  ['workers'], // thread channels and link, worker system handles, pools, defineWorker, remotable
  ['system'], // config, KompactSystem, the system handle, dead letters, logging
  ['testing', 'inspector', 'sqlite'], // entries above the system: test helpers (kompact-ts/testing), the live inspector page (kompact-ts/inspector), the durable snapshot store on better-sqlite3 and its worker thread (kompact-ts/sqlite)
];

/**
 * Type-only imports that run against the order, by `from → to` folder. Types cost nothing at run
 * time, but each entry is a place where a lower layer names a higher one, so each says why.
 */
export const TYPE_ONLY_UPWARD: ReadonlyMap<string, string> = new Map([
  [
    'paths → component',
    '`path.tell(value, from)` names its senders in its public signature (`MessageSource`: a definition, a context or a Component)',
  ],
  ['paths → system', '`MessageSource` includes the system handle, which a system tells from'],
  [
    'paths → messaging',
    '`path.forwardWithSender(msg, …)` takes the received `NetMessage` it forwards, in its public signature',
  ],
  [
    'paths → serialisation',
    '`path.tell` takes the `Serialiser` of its value, and serialisation has a built-in serialiser of paths (a value import the other way)',
  ],
  [
    'component → system',
    'the public API recurses: a context hands out its system (`SystemHandle`) and config, and the host records dead letters by reason',
  ],
  ['supervision → system', 'a `FaultContext` hands the recovery function the system (`SystemHandle`)'],
  ['dispatch → system', 'an undeliverable path message becomes a dead letter with a `DeadLetterReason`'],
  ['workers → system', "a worker module's setup function is given the worker's `KompactSystem`"],
]);

/**
 * Value imports against the order that load a module by its URL at run time (`import(new URL(…,
 * import.meta.url).href)`), by `from → to` folder: each only when configured, so nothing of the higher
 * layer loads otherwise, and each says why.
 */
export const URL_UPWARD: ReadonlyMap<string, string> = new Map([
  [
    'system → inspector',
    '`kompact.inspector.port` starts an inspector when the system is built (system/configured-inspector.ts); systems without the key never load it',
  ],
]);

/** One import or re-export of a module, as written. */
export interface ImportLine {
  readonly specifier: string;
  /** `import type`/`export type`, or every named specifier marked `type`: nothing is loaded for it. */
  readonly typeOnly: boolean;
  /** The statement, on one line, for messages. */
  readonly text: string;
  /** Loaded by its URL (`new URL('./x.js', import.meta.url)`), at run time. */
  readonly byUrl?: boolean;
}

// `import … from 'x'`, `export … from 'x'` (both possibly over several lines), `import 'x'` and
// `import('x')`. Comments are stripped first so that an example in a doc comment is not an import.
const STATEMENT = /^\s*(import|export)\s+(type\s+)?([^;'"]*?)\s*from\s*['"]([^'"]+)['"]/gm;
const BARE = /^\s*import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
const BY_URL = /\bnew URL\(\s*['"](\.[^'"]+\.js)['"]\s*,\s*import\.meta\.url\s*\)/g;

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** The imports of one source text. */
export function importsOf(source: string): ImportLine[] {
  const text = stripComments(source);
  const found: ImportLine[] = [];
  for (const m of text.matchAll(STATEMENT)) {
    const clause = (m[3] ?? '').trim();
    const specifier = m[4] ?? '';
    let typeOnly = m[2] !== undefined;
    // `import { type A, type B } from 'x'` is type-only too: with `verbatimModuleSyntax` it compiles
    // to `import {} from 'x'`, which still loads `x`, so it counts as a value import unless the
    // whole braced list is types (and then biome's useImportType keeps it rewritten as `import type`).
    if (!typeOnly && clause.startsWith('{') && clause.endsWith('}')) {
      const names = clause
        .slice(1, -1)
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '');
      typeOnly = names.length > 0 && names.every((name) => name.startsWith('type '));
    }
    found.push({ specifier, typeOnly, text: m[0].replace(/\s+/g, ' ').trim() });
  }
  for (const m of text.matchAll(BARE))
    found.push({ specifier: m[1] ?? '', typeOnly: false, text: m[0].trim() });
  for (const m of text.matchAll(DYNAMIC)) found.push({ specifier: m[1] ?? '', typeOnly: false, text: m[0] });
  for (const m of text.matchAll(BY_URL))
    found.push({ specifier: m[1] ?? '', typeOnly: false, text: m[0], byUrl: true });
  return found;
}

const here = dirname(fileURLToPath(import.meta.url));
// Tests run from .build/test; the sources are two levels up from there, in the repository.
const SRC = resolve(here, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts')) files.push(path);
  }
  return files.sort();
}

/** `component/component-core.ts` for a file under `src/`. */
function srcName(path: string): string {
  return relative(SRC, path).split('\\').join('/');
}

/** The folder of a file under `src/`; files at the top (`index.ts`) are above every layer. */
function folderOf(name: string): string {
  const slash = name.indexOf('/');
  return slash === -1 ? '' : name.slice(0, slash);
}

function layerOf(folder: string): number {
  if (folder === '') return LAYERS.length;
  const layer = LAYERS.findIndex((folders) => folders.includes(folder));
  assert.notEqual(
    layer,
    -1,
    `src/${folder}/ is in no layer: add it to LAYERS in test/layers.test.ts and docs/architecture.md`,
  );
  return layer;
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly line: ImportLine;
}

/** Every import of one `src/` file by another, resolved to `src/`-relative names. */
function sourceGraph(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(SRC)) {
    for (const line of importsOf(readFileSync(file, 'utf8'))) {
      if (!line.specifier.startsWith('.')) continue; // node: built-ins and packages
      const target = resolve(dirname(file), line.specifier).replace(/\.js$/, '.ts');
      edges.push({ from: srcName(file), to: srcName(target), line });
    }
  }
  return edges;
}

/** The value-import cycles among `files`: each strongly connected group of more than one file. */
function valueCycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    // A module loaded by its URL at run time is loaded after every static import has run: no half-loaded module.
    if (edge.line.typeOnly || edge.line.byUrl === true) continue;
    const list = next.get(edge.from) ?? [];
    list.push(edge.to);
    next.set(edge.from, list);
  }
  // Tarjan's algorithm, recursive: src/ has under a hundred files.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node) as number);
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node) as number, low.get(to) as number));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node) as number, index.get(to) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      if (group.length > 1 || (next.get(node) ?? []).includes(node)) groups.push(group.sort());
    }
  };
  for (const node of next.keys()) if (!index.has(node)) visit(node);
  return groups;
}

describe('Source layers', () => {
  const edges = sourceGraph();

  it('reads imports, re-exports and their type-only forms', () => {
    const lines = importsOf(
      [
        "import { a, type B } from './a.js';",
        "import type { C } from '../c/c.js';",
        "import {\n  type D,\n  type E,\n} from './d.js';",
        "export { F } from './f.js';",
        "export type { G } from './g.js';",
        "export * from './h.js';",
        "import * as i from './i.js';",
        "import './j.js';",
        "const k = await import('./k.js');",
        "const url = await import(new URL('../url/u.js', import.meta.url).href);",
        "/** import { L } from './l.js'; */",
        "// import { M } from './m.js';",
      ].join('\n'),
    );
    assert.deepEqual(
      lines.map(
        (line) =>
          `${line.specifier} ${line.typeOnly ? 'type' : 'value'}${line.byUrl === true ? ' (by URL)' : ''}`,
      ),
      [
        './a.js value',
        '../c/c.js type',
        './d.js type',
        './f.js value',
        './g.js type',
        './h.js value',
        './i.js value',
        './j.js value',
        './k.js value',
        '../url/u.js value (by URL)',
      ],
    );
  });

  it('finds the imports of src/ (a parser that sees nothing would pass everything)', () => {
    assert.ok(edges.length > 300, `Expected over 300 imports in src/, found ${edges.length}`);
    assert.ok(
      edges.some(
        (edge) => edge.from === 'component/component-core.ts' && edge.to === 'internal/ring-buffer.ts',
      ),
      'Expected component/component-core.ts to import internal/ring-buffer.ts',
    );
  });

  it('has no value import from a folder to a folder on a higher layer', () => {
    const wrong: string[] = [];
    for (const edge of edges) {
      if (edge.line.typeOnly) continue;
      const from = folderOf(edge.from);
      const to = folderOf(edge.to);
      if (layerOf(to) > layerOf(from)) {
        if (edge.line.byUrl === true && URL_UPWARD.has(`${from} → ${to}`)) continue;
        wrong.push(
          `src/${edge.from}: \`${edge.line.text}\` imports a value from ${to}/ (layer ${layerOf(to)}) into ${from}/ (layer ${layerOf(from)})`,
        );
      }
    }
    assert.deepEqual(
      wrong,
      [],
      `Rule: a folder imports values only from its own layer or the layers below it (LAYERS in test/layers.test.ts)\n${wrong.join('\n')}`,
    );
  });

  it('has no type-only import against the order except the explained ones', () => {
    const wrong: string[] = [];
    const used = new Set<string>();
    for (const edge of edges) {
      if (!edge.line.typeOnly) continue;
      const from = folderOf(edge.from);
      const to = folderOf(edge.to);
      if (layerOf(to) <= layerOf(from)) continue;
      const pair = `${from} → ${to}`;
      if (TYPE_ONLY_UPWARD.has(pair)) used.add(pair);
      else
        wrong.push(
          `src/${edge.from}: \`${edge.line.text}\` names a type of ${to}/, a higher layer than ${from}/`,
        );
    }
    assert.deepEqual(
      wrong,
      [],
      `Rule: a type-only import against the order needs an entry in TYPE_ONLY_UPWARD (test/layers.test.ts) saying why\n${wrong.join('\n')}`,
    );
    const stale = [...TYPE_ONLY_UPWARD.keys()].filter((pair) => !used.has(pair));
    assert.deepEqual(stale, [], 'These TYPE_ONLY_UPWARD entries are no longer needed: remove them');
  });

  it('has no value-import cycle, inside a folder or across folders of one layer', () => {
    const cycles = valueCycles(edges);
    assert.deepEqual(
      cycles,
      [],
      `Rule: value imports form no cycle (a module could see another half-loaded)\n${cycles.map((group) => group.join(' ↔ ')).join('\n')}`,
    );
  });
});
