/**
 * A port type: the pair of event types that flow over it. Requests go from the requiring side to the
 * providing side, indications from the provider to its requirers. Make one with {@link port}.
 *
 * Kompact: `trait Port { type Request; type Indication; }`.
 */
export class Port<Request, Indication> {
  /** The port type's name, for logs and errors. */
  readonly name: string;
  /** Phantom: the request type (never set at run time). */
  declare readonly __request: (request: Request) => Request;
  /** Phantom: the indication type (never set at run time). */
  declare readonly __indication: (indication: Indication) => Indication;

  /** @internal Use {@link port}. */
  constructor(name: string) {
    this.name = name;
  }
}

/** What the runtime needs of a port type of any event types: its identity and name. */
export type AnyPort = { readonly name: string };

/**
 * Defines a port type with its request and indication types (use `never` for a direction that
 * carries nothing).
 *
 * @example
 * ```ts
 * const PingPort = port<Ping, Pong>('PingPort');
 * class Ponger extends ComponentDefinition {
 *   readonly ping = this.providePort(PingPort, (ping) => this.ping.trigger(new Pong(ping.n)));
 * }
 * ```
 */
export function port<Request, Indication>(name: string): Port<Request, Indication> {
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`Expected the port name to be a non-empty string, got ${typeof name}`);
  }
  return new Port<Request, Indication>(name);
}
