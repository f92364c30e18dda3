import type { FromRemote, RemoteRequest, ToRemote } from './remote-process.js';

// The remote side of a B5 point, forked by RemoteProcess: a kompact-ts system with one registered
// ponger per alias, or a raw `node:net` echo server. It reports where it listens, collects garbage when
// asked, and exits when asked to stop or when its parent is gone (the IPC channel closed).

function report(message: FromRemote): void {
  process.send?.(message);
}

function parseRequest(text: string | undefined): RemoteRequest {
  const value: unknown = JSON.parse(text ?? 'null');
  const { implementation, aliases } = (value ?? {}) as Partial<RemoteRequest>;
  if (
    (implementation !== 'kompact-ts' &&
      implementation !== 'raw-net-per-message' &&
      implementation !== 'raw-net-coalesced') ||
    !Array.isArray(aliases) ||
    !aliases.every((alias) => typeof alias === 'string')
  ) {
    throw new TypeError(`Expected a remote request { implementation, aliases }, got ${text}`);
  }
  return { implementation, aliases };
}

/** Starts what the request names; resolves with its address and how to close it. */
async function open(request: RemoteRequest): Promise<{ address: string; close: () => Promise<void> }> {
  if (request.implementation === 'kompact-ts') {
    const { startPongers } = await import('./kompact.js');
    const system = await startPongers(request.aliases);
    return { address: system.systemPath().toString(), close: () => system.shutdown() };
  }
  const { listenRawEcho } = await import('./baseline.js');
  const server = await listenRawEcho(
    request.implementation === 'raw-net-coalesced' ? 'coalesced' : 'per-message',
  );
  const { address, port } = server.address() as { address: string; port: number };
  return {
    address: `${address}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function main(): Promise<void> {
  if (process.send === undefined) throw new Error('remote-side.js runs only as a forked child (IPC)');
  // The parent is gone (finished, failed or killed): never outlive it.
  process.on('disconnect', () => process.exit(0));
  const { address, close } = await open(parseRequest(process.argv[2]));
  let isStopping = false;
  process.on('message', (message: ToRemote) => {
    switch (message.kind) {
      case 'gc':
        globalThis.gc?.();
        report({ kind: 'gc-done' });
        break;
      case 'stop':
        if (isStopping) return;
        isStopping = true;
        // Exit explicitly (a `--cpu-prof` profile is written on exit); a close that hangs must not keep
        // the process alive.
        setTimeout(() => process.exit(0), 3_000).unref();
        void close().finally(() => process.exit(0));
        break;
    }
  });
  report({ kind: 'ready', address });
}

main().catch((error: unknown) => {
  const failed: FromRemote = {
    kind: 'failed',
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  };
  if (process.send === undefined) {
    console.error(failed.error);
    process.exit(1);
  }
  process.send(failed, () => process.exit(1));
});
