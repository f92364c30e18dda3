/** A parameter value as it travels to a point process (JSON). */
export type ParamValue = number | boolean;

/** A data point's parameters, as they travel to a point process and into `--json` rows. */
export type Params = Readonly<Record<string, ParamValue>>;

/** B1 PingPong: `n` round trips, one message in flight. */
export type PingPongParams = { readonly n: number };

/** B2 ThroughputPingPong: `pairs` independent pairs, each with up to `pipeline` pings in flight. */
export type ThroughputPingPongParams = {
  readonly msgsPerPair: number;
  readonly pipeline: number;
  readonly pairs: number;
  /** Send shared static messages (`true`) or allocate `Ping{index}` / `Pong{index}` per message. */
  readonly staticOnly: boolean;
};

function positiveInteger(params: Params, name: string): number {
  const value = params[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(
      `Expected \`${name}\` to be an integer from 1 and up, got \`${String(value)}\` (${typeof value})`,
    );
  }
  return value;
}

function flag(params: Params, name: string): boolean {
  const value = params[name];
  if (typeof value !== 'boolean') {
    throw new TypeError(`Expected \`${name}\` to be a boolean, got \`${String(value)}\` (${typeof value})`);
  }
  return value;
}

/** Validates B1 parameters that arrived as JSON. */
export function parsePingPongParams(params: Params): PingPongParams {
  return { n: positiveInteger(params, 'n') };
}

/** Validates B2 parameters that arrived as JSON. */
export function parseThroughputPingPongParams(params: Params): ThroughputPingPongParams {
  return {
    msgsPerPair: positiveInteger(params, 'msgsPerPair'),
    pipeline: positiveInteger(params, 'pipeline'),
    pairs: positiveInteger(params, 'pairs'),
    staticOnly: flag(params, 'staticOnly'),
  };
}
