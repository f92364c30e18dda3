/** A parameter value as it travels to a point process (JSON). */
export type ParamValue = number | boolean;

/** A data point's parameters, as they travel to a point process and into `--json` rows. */
export type Params = Readonly<Record<string, ParamValue>>;

/** The integer parameter `name` of `params`, at least 1; a TypeError otherwise. */
export function positiveInteger(params: Params, name: string): number {
  const value = params[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(
      `Expected \`${name}\` to be an integer from 1 and up, got \`${String(value)}\` (${typeof value})`,
    );
  }
  return value;
}

/** The boolean parameter `name` of `params`; a TypeError otherwise. */
export function flag(params: Params, name: string): boolean {
  const value = params[name];
  if (typeof value !== 'boolean') {
    throw new TypeError(`Expected \`${name}\` to be a boolean, got \`${String(value)}\` (${typeof value})`);
  }
  return value;
}
