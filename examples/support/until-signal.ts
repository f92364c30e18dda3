/**
 * Resolves with the first SIGINT (Ctrl-C) or SIGTERM the process gets, so an example running as one of
 * several processes can shut its system down cleanly. Only that first signal is taken: a second one
 * ends the process as usual. The listeners do not keep the process alive.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
