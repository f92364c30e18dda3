import { argv } from 'node:process';
import { fileURLToPath } from 'node:url';

/** Runs `main` when the module at `moduleUrl` is the program node was started with. */
export function runIfMain(moduleUrl: string, main: () => Promise<unknown>): void {
  if (argv[1] !== undefined && fileURLToPath(moduleUrl) === argv[1]) {
    main().catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  }
}
