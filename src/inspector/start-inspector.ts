import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { Component } from '../component/component.js';
import { describeThrown } from '../internal/describe-thrown.js';
import { describeValue } from '../internal/describe-value.js';
import { KompactError } from '../internal/kompact-error.js';
import { KompactSystem } from '../system/kompact-system.js';
import { PageFiles } from './page-files.js';
import { type InspectorSnapshot, SystemSampler } from './system-sampler.js';

/** How to start an inspector: where it listens, who may read it, what it may do. */
export interface InspectorOptions {
  /** The TCP port; `0` (the default) picks a free one (read it from `url`). */
  readonly port?: number;
  /** The address to listen on; default `127.0.0.1` (loopback: only this machine can connect). */
  readonly host?: string;
  /**
   * The secret every request must carry in its path (`http://host:port/<token>/`); default a random
   * one. `false` serves without a token, which only a loopback address allows.
   */
  readonly token?: string | false;
  /** Whether the page may stop, start, kill or fault components (a drill); default `false` (read-only). */
  readonly actions?: boolean;
  /** How often an open page is sent a snapshot, in milliseconds; default 500, at least 100. */
  readonly intervalMs?: number;
  /** Rows of the components table at most (the rest are counted, not listed); default 1000. */
  readonly maxComponents?: number;
}

/** A running inspector: its URL (token included) and how to stop it. */
export interface Inspector {
  /** The page's address, token included: open it in a browser. */
  readonly url: string;
  /** Stops serving, ends open pages and stops sampling; resolves when the server is closed. */
  close(): Promise<void>;
}

/** The shortest time between two snapshots that supervision events bring forward. */
const EARLY_GAP_MS = 250;

/** The actions the page may ask for (with `actions: true`). */
const ACTIONS = ['start', 'stop', 'kill', 'fault'] as const;
type Action = (typeof ACTIONS)[number];

function isAction(name: string): name is Action {
  return (ACTIONS as readonly string[]).includes(name);
}

/** Whether `host` is a loopback address or name (reachable from this machine only). */
function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

function checkOptions(options: InspectorOptions): Required<Omit<InspectorOptions, 'token'>> & {
  token: string | false;
} {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Expected \`options\` to be an object, got ${describeValue(options)}`);
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TypeError(`Expected \`port\` to be an integer from 0 to 65535, got ${describeValue(port)}`);
  }
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') {
    throw new TypeError(`Expected \`host\` to be a non-empty string, got ${describeValue(host)}`);
  }
  const token = options.token ?? randomBytes(18).toString('base64url');
  if (token !== false && (typeof token !== 'string' || !/^[A-Za-z0-9_-]{16,}$/.test(token))) {
    throw new TypeError(
      `Expected \`token\` to be false or a string of at least 16 letters, digits, _ or -, got ${describeValue(token)}`,
    );
  }
  if (token === false && !isLoopback(host)) {
    throw new KompactError(
      'INSPECTOR_UNSAFE',
      `Refusing to serve the inspector on ${host} without a token: anyone who reaches it could read the system (bind a loopback address, or keep the token)`,
    );
  }
  const actions = options.actions ?? false;
  if (typeof actions !== 'boolean') {
    throw new TypeError(`Expected \`actions\` to be a boolean, got ${describeValue(actions)}`);
  }
  const intervalMs = options.intervalMs ?? 500;
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs < 100) {
    throw new TypeError(
      `Expected \`intervalMs\` to be a number from 100 up, got ${describeValue(intervalMs)}`,
    );
  }
  const maxComponents = options.maxComponents ?? 1000;
  if (!Number.isInteger(maxComponents) || maxComponents < 0) {
    throw new TypeError(
      `Expected \`maxComponents\` to be an integer from 0 up, got ${describeValue(maxComponents)}`,
    );
  }
  return { port, host, token, actions, intervalMs, maxComponents };
}

const SECURITY_HEADERS = {
  // The token is in the URL: never send it on as a referrer, never keep a page in a cache.
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
} as const;

function reply(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type });
  res.end(body);
}

/** One open page: its response stream, skipped while its socket's buffer is full. */
interface Watcher {
  readonly res: ServerResponse;
}

/**
 * Starts a live inspector page for `system`: an HTTP server (on loopback by default) whose page shows
 * the system's components, port graph, supervision timeline, dead letters and network, updated a few
 * times a second over server-sent events. Every request must carry the random token of `url`; the
 * page is read-only unless `actions` is `true`. The inspector closes itself when the system terminates.
 *
 * Kompact: none (Erlang's `observer` is the model).
 *
 * @remarks While it runs, the scheduler counts handler calls per component turn (not per message)
 * through one check per turn; sampling runs on a timer only while a page is open. The page's
 * libraries (`uplot`, `cytoscape`) are optional peer dependencies, served from `node_modules`.
 *
 * @example
 * ```ts
 * const inspector = await startInspector(system);
 * console.log(`Inspector: ${inspector.url}`);
 * ```
 */
export async function startInspector(
  system: KompactSystem,
  options: InspectorOptions = {},
): Promise<Inspector> {
  if (!(system instanceof KompactSystem)) {
    throw new TypeError(`Expected \`system\` to be a KompactSystem, got ${describeValue(system)}`);
  }
  const settings = checkOptions(options);
  if (system.state !== 'active') {
    throw new KompactError(
      'SYSTEM_TERMINATED',
      `Cannot inspect system ${system.label}: it is ${system.state}`,
    );
  }
  const files = PageFiles.locate();
  const sampler = new SystemSampler(system, settings.maxComponents);
  const watchers = new Set<Watcher>();
  let ticker: NodeJS.Timeout | undefined;
  const prefix = settings.token === false ? '/' : `/${settings.token}/`;
  const expected = Buffer.from(prefix);

  const broadcast = (snapshot: InspectorSnapshot): void => {
    const frame = `event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`;
    for (const watcher of watchers) {
      // A page that does not keep up misses snapshots instead of piling them up in memory.
      if (!watcher.res.writableNeedDrain) watcher.res.write(frame);
    }
  };
  let lastTickAt = Number.NEGATIVE_INFINITY;
  let early: NodeJS.Timeout | undefined;
  const tick = (): void => {
    lastTickAt = performance.now();
    if (watchers.size === 0) return;
    try {
      broadcast(sampler.sample());
    } catch (error) {
      system.logger.error(
        { err: error },
        `The inspector could not sample the system: ${describeThrown(error)}`,
      );
    }
  };
  // A fault should reach an open page within a second whatever the interval: a supervision event
  // brings the next snapshot forward, to at most one per EARLY_GAP_MS.
  sampler.onSupervision = () => {
    if (watchers.size === 0 || early !== undefined) return;
    early = setTimeout(
      () => {
        early = undefined;
        tick();
      },
      Math.max(0, lastTickAt + EARLY_GAP_MS - performance.now()),
    );
  };
  const watch = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    res.write(
      `event: hello\ndata: ${JSON.stringify({ actions: settings.actions, intervalMs: settings.intervalMs })}\n\n`,
    );
    const watcher: Watcher = { res };
    watchers.add(watcher);
    if (ticker === undefined) {
      sampler.watched = true;
      ticker = setInterval(tick, settings.intervalMs);
    }
    res.write(`event: snapshot\ndata: ${JSON.stringify(sampler.sample())}\n\n`);
    req.on('close', () => {
      watchers.delete(watcher);
      if (watchers.size === 0 && ticker !== undefined) {
        clearInterval(ticker);
        ticker = undefined;
        sampler.watched = false;
      }
    });
  };
  const act = (res: ServerResponse, id: string, action: Action): void => {
    if (!settings.actions) {
      reply(res, 403, 'text/plain', 'Actions are off: start the inspector with actions: true');
      return;
    }
    const core = sampler.coreOf(id);
    if (core === undefined) {
      reply(res, 404, 'text/plain', `No live component ${id}`);
      return;
    }
    const component = new Component(core);
    try {
      switch (action) {
        case 'start':
          system.start(component);
          break;
        case 'stop':
          system.stop(component);
          break;
        case 'kill':
          system.kill(component);
          break;
        case 'fault':
          // A drill: the component faults on its next turn, through the same path as a handler that throws.
          core.spawnLocal(() => {
            throw new Error('Fault injected from the inspector (drill)');
          });
          break;
      }
    } catch (error) {
      reply(res, 409, 'text/plain', describeThrown(error));
      return;
    }
    system.logger.warn({ component: id, action }, `Inspector action: ${action} component ${id}`);
    reply(res, 200, 'application/json', JSON.stringify({ ok: true }));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://inspector').pathname;
    const given = Buffer.from(path.slice(0, expected.length));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      reply(
        res,
        401,
        'text/plain',
        'Unauthorized: open the inspector with the URL it printed (it carries a token)',
      );
      return;
    }
    const name = path.slice(prefix.length);
    if (req.method === 'POST') {
      const match = /^api\/components\/([^/]+)\/([a-z]+)$/.exec(name);
      if (match !== null && isAction(match[2] as string)) {
        act(res, decodeURIComponent(match[1] as string), match[2] as Action);
      } else reply(res, 404, 'text/plain', 'Not found');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(res, 405, 'text/plain', 'Method not allowed');
      return;
    }
    if (name === 'events') {
      watch(req, res);
      return;
    }
    if (name === 'api/snapshot') {
      reply(res, 200, 'application/json', JSON.stringify(sampler.sample()));
      return;
    }
    const file = await files.get(name === 'index.html' ? '' : name);
    if (file === undefined) reply(res, 404, 'text/plain', 'Not found');
    else reply(res, 200, file.type, file.body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      system.logger.error(
        { err: error },
        `The inspector failed to answer ${req.url}: ${describeThrown(error)}`,
      );
      if (!res.headersSent) reply(res, 500, 'text/plain', 'Internal error');
      else res.end();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, settings.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    sampler.close();
    throw new KompactError(
      'BIND_FAILED',
      `The inspector cannot listen on ${settings.host}:${settings.port}: ${describeThrown(error)}`,
      { cause: error },
    );
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : settings.port;
  const host = isIP(settings.host) === 6 ? `[${settings.host}]` : settings.host;
  const url = `http://${host}:${port}${prefix}`;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      if (ticker !== undefined) clearInterval(ticker);
      ticker = undefined;
      clearTimeout(early);
      early = undefined;
      sampler.close();
      for (const watcher of watchers) watcher.res.end();
      watchers.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  void system.awaitTermination().then(close);
  system.logger.debug({ url: url.replace(prefix, '/<token>/') }, 'Inspector listening');
  return { url, close };
}
