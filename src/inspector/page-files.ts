import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeThrown } from '../internal/describe-thrown.js';
import { KompactError } from '../internal/kompact-error.js';

/** A file the inspector serves: where it is on disk and its content type. */
interface PageFile {
  readonly path: string;
  readonly type: string;
}

const JS = 'text/javascript; charset=utf-8';

/**
 * The page's own files are in the package's `src/inspector/page/` (plain ES modules, no build step):
 * two folders up from `dist/inspector/`, three from a test build's `.build/src/inspector/`.
 */
function pageFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++) {
    const candidate = join(dir, 'src', 'inspector', 'page');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    dir = dirname(dir);
  }
  throw new KompactError(
    'INSPECTOR_DEPENDENCY_MISSING',
    'Cannot find the inspector page (src/inspector/page/ of the kompact-ts package)',
  );
}

/**
 * The folder of package `name`'s main file, resolved from this module: the page's libraries come
 * from the user's `node_modules`, never from the network.
 */
function packageDist(name: string): string {
  try {
    return dirname(createRequire(import.meta.url).resolve(name));
  } catch (error) {
    throw new KompactError(
      'INSPECTOR_DEPENDENCY_MISSING',
      `The inspector page needs the packages uplot and cytoscape (optional peer dependencies of kompact-ts): npm install uplot@1.6 cytoscape@3 (${describeThrown(error)})`,
      { cause: error },
    );
  }
}

/**
 * The files of the inspector page by the path the page asks for (under the token), read once and
 * kept: the page, its script and style, and the two libraries' ES module builds.
 */
export class PageFiles {
  readonly #files: ReadonlyMap<string, PageFile>;
  readonly #cache = new Map<string, Buffer>();

  private constructor(files: ReadonlyMap<string, PageFile>) {
    this.#files = files;
  }

  /** Finds every file; throws `INSPECTOR_DEPENDENCY_MISSING` when one is not installed. */
  static locate(): PageFiles {
    const page = pageFolder();
    const uplot = packageDist('uplot');
    const cytoscape = packageDist('cytoscape');
    const files = new Map<string, PageFile>([
      ['', { path: join(page, 'index.html'), type: 'text/html; charset=utf-8' }],
      ['app.js', { path: join(page, 'app.js'), type: JS }],
      ['style.css', { path: join(page, 'style.css'), type: 'text/css; charset=utf-8' }],
      ['vendor/uplot.js', { path: join(uplot, 'uPlot.esm.js'), type: JS }],
      ['vendor/uplot.css', { path: join(uplot, 'uPlot.min.css'), type: 'text/css; charset=utf-8' }],
      ['vendor/cytoscape.js', { path: join(cytoscape, 'cytoscape.esm.min.mjs'), type: JS }],
    ]);
    for (const file of files.values()) {
      if (!existsSync(file.path)) {
        throw new KompactError('INSPECTOR_DEPENDENCY_MISSING', `The inspector page misses ${file.path}`);
      }
    }
    return new PageFiles(files);
  }

  /** The file at `name` (relative to the page), or `undefined` for a name the page does not have. */
  async get(name: string): Promise<{ readonly body: Buffer; readonly type: string } | undefined> {
    const file = this.#files.get(name);
    if (file === undefined) return undefined;
    let body = this.#cache.get(name);
    if (body === undefined) {
      body = await readFile(file.path);
      this.#cache.set(name, body);
    }
    return { body, type: file.type };
  }
}
