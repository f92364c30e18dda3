import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { FRAGMENT_MARK } from '../scripts/sync-docs.js';

const run = promisify(execFile);

// Compiled to .build/test/: the project root is two folders up.
const root = resolve(import.meta.dirname, '..', '..');

/** One ```ts block of the README or the book. */
interface Snippet {
  /** The Markdown file, relative to the root. */
  readonly page: string;
  /** The line of the opening fence. */
  readonly line: number;
  readonly code: string;
}

function snippetsOf(page: string): Snippet[] {
  const lines = readFileSync(join(root, page), 'utf8').split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== '```ts') continue;
    const end = lines.findIndex((line, index) => index > i && line.trim().startsWith('```'));
    assert.ok(end > i, `${page}:${i + 1}: a \`\`\`ts block that is never closed`);
    snippets.push({ page, line: i + 1, code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return snippets;
}

const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];

/** A fragment's header: `// ... part of examples/x.ts, which has A, B` (top-level code) or another kind. */
const PART_OF = /^\/\/ \.\.\. part of (\S+?), which has (.+)$/;

/**
 * The imports that give a `part of` fragment what its file declares or imports elsewhere, from that
 * file itself (or the module it imports the name from), so the fragment is checked in its context.
 */
function contextImports(file: string, names: readonly string[], from: string): string {
  const source = readFileSync(join(root, file), 'utf8');
  const modulePath = (target: string): string => {
    const path = relative(from, join(root, target)).replaceAll('\\', '/');
    return path.startsWith('.') ? path : `./${path}`;
  };
  return names
    .map((name) => {
      const imported = new RegExp(`^import[^;]*\\b${name}\\b[^;]*from '(\\.[^']+)';`, 'm').exec(source);
      const target =
        imported?.[1] !== undefined ? join(dirname(file), imported[1]).replace(/\.js$/, '.ts') : file;
      // Imported as a type when the file declares it only as one (an interface may share its name with a value).
      const declarations = readFileSync(join(root, target), 'utf8');
      const isType =
        new RegExp(`^(export )?(interface|type) ${name}\\b`, 'm').test(declarations) &&
        !new RegExp(`^(export )?(const|let|function|class|async function) ${name}\\b`, 'm').test(
          declarations,
        );
      return `import { ${isType ? 'type ' : ''}${name} } from '${modulePath(target).replace(/\.ts$/, '.js')}';`;
    })
    .join('\n');
}

describe('the snippets of the README and the book', () => {
  it('name their language on every opening fence, so no TypeScript escapes the type check', () => {
    const untagged: string[] = [];
    for (const page of pages) {
      let inside = false;
      for (const [index, line] of readFileSync(join(root, page), 'utf8').split('\n').entries()) {
        if (!line.trimStart().startsWith('```')) continue;
        if (!inside && line.trim() === '```') untagged.push(`${page}:${index + 1}`);
        inside = !inside;
      }
    }
    assert.deepEqual(
      untagged,
      [],
      'fence these as ```ts, or ```text, ```sh, ```toml … for what is not TypeScript',
    );
  });

  it('compile as copied, with the project’s compiler flags, or are marked as part of a file that compiles', {
    timeout: 120_000,
  }, async () => {
    // A folder of this run's own, so two suites running side by side in one checkout do not collide.
    mkdirSync(join(root, '.build'), { recursive: true });
    const dir = mkdtempSync(join(root, '.build', 'snippets-'));
    const files = new Map<string, { snippet: Snippet; offset: number }>();
    const fragments: Snippet[] = [];
    for (const snippet of pages.flatMap(snippetsOf)) {
      const first = snippet.code.split('\n')[0] ?? '';
      let prefix = '';
      if (first.startsWith(FRAGMENT_MARK)) {
        const partOf = PART_OF.exec(first);
        if (partOf === null) {
          // Inside a class or the start of one: its file compiles, and the docs test keeps the two equal.
          fragments.push(snippet);
          continue;
        }
        prefix = contextImports(partOf[1] as string, (partOf[2] as string).split(', '), dir);
      }
      const name = `${snippet.page.replace(/[/.]/g, '-')}-${snippet.line}.ts`;
      const prefixLines = prefix === '' ? 0 : prefix.split('\n').length;
      writeFileSync(join(dir, name), prefix === '' ? snippet.code : `${prefix}\n${snippet.code}`);
      files.set(name, { snippet, offset: prefixLines });
    }
    const project = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: Record<string, unknown>;
    };
    const { outDir: _outDir, rootDir: _rootDir, sourceMap: _sourceMap, ...flags } = project.compilerOptions;
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          ...flags,
          noEmit: true,
          // Each snippet is a module of its own, as a file copied into an app would be.
          moduleDetection: 'force',
          paths: {
            'kompact-ts': [join(root, 'src', 'index.ts')],
            'kompact-ts/testing': [join(root, 'src', 'testing', 'index.ts')],
            'kompact-ts/inspector': [join(root, 'src', 'inspector', 'index.ts')],
            'kompact-ts/sqlite': [join(root, 'src', 'sqlite', 'index.ts')],
          },
        },
        files: [...files.keys()],
      }),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], {
        cwd: dir,
        timeout: 100_000, // a deadline: a hung compiler fails the test instead of stalling the suite
      });
    } catch (error) {
      output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
      if (output === '') throw error;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const problems = output
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const match = /^(.+?)\((\d+),(\d+)\): (.*)$/.exec(line);
        const file = match?.[1] === undefined ? undefined : files.get(match[1].replace(/^.*[\\/]/, ''));
        if (match === null || file === undefined) return line;
        const at = Number(match[2]) - file.offset;
        const where =
          at < 1
            ? `${file.snippet.page}:${file.snippet.line} (what the block's ${FRAGMENT_MARK} line says its file has)`
            : `${file.snippet.page}:${file.snippet.line + at} (line ${at} of the block at line ${file.snippet.line})`;
        return `${where}: ${match[4]}`;
      });
    assert.deepEqual(problems, [], `snippets that do not compile:\n${problems.join('\n')}`);
    assert.ok(files.size >= 10, `only ${files.size} snippets were checked`);
    for (const fragment of fragments) {
      assert.ok(
        readFileSync(join(root, fragment.page), 'utf8')
          .split('\n')
          .slice(0, fragment.line - 1)
          .at(-1)
          ?.startsWith('<!-- include: '),
        `${fragment.page}:${fragment.line}: a block marked ${FRAGMENT_MARK} must be included from a file that compiles`,
      );
    }
  });
});
