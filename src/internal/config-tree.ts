/** A configuration tree: what a TOML or JSON source parses to. */
export type ConfigTree = { readonly [key: string]: unknown };

/** Whether `value` is a table of settings (not an array, a date or a scalar). @internal */
export function isTree(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
