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
        .replace("'../src/testing/index.js'", "'kompact-ts/testing'"),
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
    const code = extractRegion(readFileSync(join(base, file), 'utf8'), region, file);
    const where = region === undefined ? file : `${file}#${region}`;
    return `<!-- include: ${where} -->\n\`\`\`ts\n${code}\n\`\`\`\n<!-- /include -->`;
  });
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
