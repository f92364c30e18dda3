// A module resolution hook (registered with `module.register` in a child process) that makes
// `better-sqlite3` unresolvable, as on a machine where it was never installed.

/** The resolve hook: refuses `better-sqlite3` as Node does for a package that is not installed. */
export async function resolve(
  specifier: string,
  context: unknown,
  next: (specifier: string, context: unknown) => Promise<unknown>,
): Promise<unknown> {
  if (specifier === 'better-sqlite3') {
    throw Object.assign(new Error(`Cannot find package 'better-sqlite3' imported from ${String(context)}`), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
  }
  return next(specifier, context);
}
