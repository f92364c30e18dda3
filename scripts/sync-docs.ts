// Keeps the book's code true to the examples: every block between
//   <!-- include: examples/file.ts#region -->   and   <!-- /include -->
// in README.md and docs/*.md is replaced by that `// #region region` ... `// #endregion region` of the file
// (the whole file without a #region). `--check` reports blocks that differ instead of writing.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { argv } from 'node:process';

// Compiled to .build/scripts/: the project root is two folders up.
const root = resolve(import.meta.dirname, '..', '..');
const INCLUDE = /<!-- include: ([^#\s]+)(?:#([\w-]+))? -->\n[\s\S]*?<!-- \/include -->/g;

/** The lines of `region` in `source`, without nested region markers, dedented. */
export function extractRegion(source: string, region: string | undefined, file: string): string {
  const lines = source.split('\n');
  let body: string[];
  if (region === undefined) {
    body = lines;
  } else {
    const start = lines.findIndex((line) => line.trim() === `// #region ${region}`);
    const end = lines.findIndex((line, index) => index > start && line.trim() === `// #endregion ${region}`);
    if (start < 0 || end < 0) throw new Error(`No region '${region}' in ${file}`);
    body = lines.slice(start + 1, end);
  }
  // Shown as a user of the package writes it: imported by name, without the examples' own helpers.
  body = body
    .filter((line) => !/^\s*\/\/ #(end)?region\b/.test(line))
    .filter((line) => !/^import .* from '\.\/support\//.test(line))
    .map((line) =>
      line
        .replace("'../src/index.js'", "'kompact-ts'")
        .replace("'../src/testing/index.js'", "'kompact-ts/testing'")
        .replace("'../src/inspector/index.js'", "'kompact-ts/inspector'")
        .replace("'../src/sqlite/index.js'", "'kompact-ts/sqlite'"),
    );
  while (body.length > 0 && body[0]?.trim() === '') body.shift();
  while (body.length > 0 && body.at(-1)?.trim() === '') body.pop();
  const indent = Math.min(
    ...body.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)?.[0].length ?? 0),
  );
  return body.map((line) => line.slice(Number.isFinite(indent) ? indent : 0)).join('\n');
}

/** The text of `markdown` with every include block filled from the files under `base`. */
export function fillIncludes(markdown: string, base: string): string {
  return markdown.replace(INCLUDE, (_match, file: string, region: string | undefined) => {
    const source = readFileSync(join(base, file), 'utf8');
    const code = extractRegion(source, region, file);
    const where = region === undefined ? file : `${file}#${region}`;
    return `<!-- include: ${where} -->\n\`\`\`ts\n${completeSnippet(source, region, code, file)}\n\`\`\`\n<!-- /include -->`;
  });
}

/** The first line of a block that is a part of a larger file: the book's convention for elided context. */
export const FRAGMENT_MARK = '// ...';

/** One import statement of a file: its module and the local names it binds. */
interface ImportStatement {
  readonly module: string;
  readonly typeOnly: boolean;
  /** Each binding as written (`type X`, `a as b`, or a default or namespace name), by local name. */
  readonly bindings: ReadonlyMap<string, string>;
  readonly kind: 'named' | 'default' | 'namespace';
}

const IMPORT = /^import\s+(type\s+)?(?:\{([^}]*)\}|\*\s+as\s+([\w$]+)|([\w$]+))\s+from\s+'([^']+)';/gm;
const DECLARATION =
  /^(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\*?|class|const|let|var|interface|type)\s+([A-Za-z_$][\w$]*)/gm;

function importsOf(source: string): ImportStatement[] {
  const statements: ImportStatement[] = [];
  for (const match of source.matchAll(IMPORT)) {
    const [, typeOnly, named, namespace, defaultName, module] = match;
    const bindings = new Map<string, string>();
    if (named !== undefined) {
      for (const part of named.split(',').map((text) => text.trim())) {
        if (part === '') continue;
        const local =
          part
            .split(/\s+as\s+/)
            .at(-1)
            ?.replace(/^type\s+/, '') ?? part;
        bindings.set(local, part);
      }
    }
    if (namespace !== undefined) bindings.set(namespace, namespace);
    if (defaultName !== undefined) bindings.set(defaultName, defaultName);
    statements.push({
      module: module as string,
      typeOnly: typeOnly !== undefined,
      bindings,
      kind: named !== undefined ? 'named' : namespace !== undefined ? 'namespace' : 'default',
    });
  }
  return statements;
}

/** The identifiers `code` uses, comments left out. */
function identifiersIn(code: string): Set<string> {
  const withoutComments = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
  return new Set(withoutComments.match(/[A-Za-z_$][\w$]*/g) ?? []);
}

function declaredIn(code: string): Set<string> {
  return new Set([...code.matchAll(DECLARATION)].map((match) => match[1] as string));
}

/** How a module of the examples is imported by a user of the package, or `undefined` for the examples' own. */
function publicModule(module: string): string | undefined {
  if (module === '../src/index.js') return 'kompact-ts';
  if (module === '../src/testing/index.js') return 'kompact-ts/testing';
  if (module === '../src/inspector/index.js') return 'kompact-ts/inspector';
  if (module === '../src/sqlite/index.js') return 'kompact-ts/sqlite';
  return module.startsWith('.') ? undefined : module;
}

/**
 * A region as the book shows it: with the imports it uses, so it compiles as copied; or, when it needs
 * more of its file than imports (it is part of a class, or uses what the file declares elsewhere), with
 * a first line `// ...` naming the file that has the rest.
 */
function completeSnippet(source: string, region: string | undefined, code: string, file: string): string {
  if (region === undefined) return code;
  const lines = source.split('\n');
  const start = lines.findIndex((line) => line.trim() === `// #region ${region}`);
  const enclosing = lines
    .slice(0, start)
    .reverse()
    .find((line) => /^\S/.test(line) && !line.startsWith('//') && !line.startsWith('}'));
  if (/^\s/.test(lines[start] ?? '')) {
    const className = /class\s+([\w$]+)/.exec(enclosing ?? '')?.[1];
    const inside =
      className !== undefined
        ? `class ${className}`
        : `the ${enclosing?.match(/^[\w$]+/)?.[0] ?? 'block'}() block`;
    return `${FRAGMENT_MARK} inside ${inside} of ${file}\n${code}`;
  }
  const opened = (code.match(/\{/g) ?? []).length - (code.match(/\}/g) ?? []).length;
  const used = identifiersIn(code);
  const own = declaredIn(code);
  const imports = importsOf(source);
  const elsewhere = [...declaredIn(source)].filter((name) => !own.has(name) && used.has(name));
  for (const statement of imports) {
    if (publicModule(statement.module) !== undefined) continue;
    for (const name of statement.bindings.keys()) if (used.has(name)) elsewhere.push(name);
  }
  const importLines = neededImports(imports, code, used);
  const body = importLines.length === 0 ? code : `${importLines.join('\n')}\n\n${code}`;
  if (opened > 0) return `${FRAGMENT_MARK} the start of a class of ${file}, which continues there\n${body}`;
  if (elsewhere.length > 0)
    return `${FRAGMENT_MARK} part of ${file}, which has ${elsewhere.join(', ')}\n${body}`;
  return body;
}

/** The import lines, in the file's order and form, for the names `code` uses and does not import itself. */
function neededImports(
  imports: readonly ImportStatement[],
  code: string,
  used: ReadonlySet<string>,
): string[] {
  const alreadyImported = new Set(importsOf(code).flatMap((statement) => [...statement.bindings.keys()]));
  const needed: string[] = [];
  for (const statement of imports) {
    const module = publicModule(statement.module);
    if (module === undefined) continue;
    const names = [...statement.bindings].filter(([local]) => used.has(local) && !alreadyImported.has(local));
    if (names.length === 0) continue;
    const type = statement.typeOnly ? 'type ' : '';
    if (statement.kind === 'named') {
      needed.push(`import ${type}{ ${names.map(([, written]) => written).join(', ')} } from '${module}';`);
    } else if (statement.kind === 'namespace') {
      needed.push(`import ${type}* as ${names[0]?.[0]} from '${module}';`);
    } else {
      needed.push(`import ${type}${names[0]?.[0]} from '${module}';`);
    }
  }
  return needed;
}

/** The README and the book's files whose include blocks differ from the examples (refreshed unless `check`). */
export function syncDocs(check: boolean, base = root): string[] {
  const files = [
    'README.md',
    ...readdirSync(join(base, 'docs'))
      .filter((file) => file.endsWith('.md'))
      .map((file) => `docs/${file}`),
  ];
  const stale: string[] = [];
  for (const file of files) {
    const path = join(base, file);
    const text = readFileSync(path, 'utf8');
    const filled = fillIncludes(text, base);
    if (filled !== text) {
      stale.push(file);
      if (!check) writeFileSync(path, filled);
    }
  }
  return stale;
}

if (import.meta.url === `file://${argv[1]}`) {
  const check = argv.includes('--check');
  const stale = syncDocs(check);
  if (check && stale.length > 0) {
    console.error(`Out of date with the examples: ${stale.join(', ')}. Run npm run docs.`);
    process.exitCode = 1;
  } else {
    console.log(stale.length === 0 ? 'docs are up to date' : `updated ${stale.join(', ')}`);
  }
}
