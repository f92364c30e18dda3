import type { Component } from '../component/component.js';
import type { ComponentCore } from '../component/component-core.js';
import type { ComponentDefinition } from '../component/component-definition.js';
import type { HandlerReturn } from '../component/handled.js';
import { RingBuffer } from '../internal/ring-buffer.js';
import type { AnyPort } from './port.js';

/** A connection between two ports; `disconnect` removes it in both directions it was made in. */
export interface Channel {
  /** Stops events from flowing over this connection. Disconnecting twice does nothing. */
  disconnect(): void;
}

/**
 * The key under which `handler` is a method of `definition`'s class (passed by reference, as
 * `this.onPing`), or `undefined` for any other function. Accessors are not read.
 */
function methodKeyOf(
  handler: (...args: never[]) => unknown,
  definition: object,
): string | symbol | undefined {
  if (Object.hasOwn(handler, 'prototype')) return undefined;
  for (
    let proto = Object.getPrototypeOf(definition);
    proto !== null && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const key of Reflect.ownKeys(proto)) {
      if (key !== 'constructor' && Object.getOwnPropertyDescriptor(proto, key)?.value === handler) return key;
    }
  }
  return undefined;
}

/** A port handler; declared as a method type so port ends of any event type share one list. */
type PortHandler<In> = { handle(event: In): HandlerReturn }['handle'];

/**
 * What both ends of a port share: the owning component, the handler for incoming events, a queue of
 * them, and the peers this end sends to. Internal; users see {@link ProvidedPort} and {@link RequiredPort}.
 */
export abstract class PortEnd<In, Out> {
  /** The port type. */
  readonly type: AnyPort;
  /** @internal The component that owns this end. */
  readonly core: ComponentCore;
  /** @internal Handles an incoming event; bound to the definition when it reads `this` (see {@link makePortEnd}). */
  readonly handler: PortHandler<In>;
  /** @internal Incoming events waiting for a turn. */
  readonly queue = new RingBuffer<In>(8);
  /** @internal The ends this one sends to, in connection order. */
  peers: PortEnd<Out, In>[] = [];
  /** @internal The only peer when there is exactly one (the usual case), so `trigger` needs no loop. */
  private solePeer: PortEnd<Out, In> | undefined;
  /** @internal The ends that send to this one (the reverse of their `peers`). */
  senders: PortEnd<Out, In>[] = [];

  constructor(type: AnyPort, core: ComponentCore, handler: PortHandler<In>) {
    this.type = type;
    this.core = core;
    this.handler = handler;
  }

  /** @internal Runs the handler on `event`. Ends whose handler is a method call it by name (see {@link makePortEnd}). */
  deliver(event: In): HandlerReturn {
    return this.handler(event);
  }

  /** Which end of the port this is. */
  abstract get kind(): 'provided' | 'required';

  /**
   * Sends `event` to every connected peer (broadcast): requests from a required port, indications from
   * a provided one. With no connection it is dropped, as in Kompact. Kompact: `trigger`.
   */
  trigger(event: Out): void {
    const peer = this.solePeer;
    if (peer !== undefined) peer.core.enqueuePortEvent(peer, event);
    else this.broadcast(event);
  }

  private broadcast(event: Out): void {
    const peers = this.peers;
    for (let i = 0; i < peers.length; i++) {
      const peer = peers[i] as PortEnd<Out, In>;
      peer.core.enqueuePortEvent(peer, event);
    }
  }

  /** @internal Adds `peer` once; returns whether it was new. */
  addPeer(peer: PortEnd<Out, In>): boolean {
    if (this.peers.includes(peer)) return false;
    this.peers.push(peer);
    peer.senders.push(this);
    this.solePeer = this.peers.length === 1 ? peer : undefined;
    return true;
  }

  /** @internal Removes `peer`; returns whether it was connected. */
  removePeer(peer: PortEnd<Out, In>): boolean {
    const index = this.peers.indexOf(peer);
    if (index < 0) return false;
    this.peers.splice(index, 1);
    this.solePeer = this.peers.length === 1 ? this.peers[0] : undefined;
    const back = peer.senders.indexOf(this);
    if (back >= 0) peer.senders.splice(back, 1);
    return true;
  }

  /**
   * @internal Moves every connection of this end to `twin` (same port type and side, on a replacement
   * component): what this end sent to, and what sent to it.
   */
  moveConnectionsTo(twin: PortEnd<In, Out>): void {
    for (const peer of [...this.peers]) {
      this.removePeer(peer);
      twin.addPeer(peer);
    }
    for (const sender of [...this.senders]) {
      sender.removePeer(this);
      sender.addPeer(twin);
    }
  }

  /** Whether this end sends to `peer`. */
  isConnectedTo(peer: PortEnd<Out, In>): boolean {
    return this.peers.includes(peer);
  }

  /** Removes every connection from this end to ports of `component`. Kompact: `disconnect_component`. */
  disconnectComponent(component: Component<ComponentDefinition<unknown>>): void {
    for (const peer of this.peers.filter((end) => end.core.id === component.id)) this.removePeer(peer);
  }

  /** How many ends this one sends to. */
  get connectionCount(): number {
    return this.peers.length;
  }

  protected checkPeer(peer: PortEnd<Out, In>, expected: string): void {
    if (!(peer instanceof PortEnd)) throw new TypeError(`Expected ${expected}, got ${typeof peer}`);
    if ((peer as unknown) === this) throw new TypeError(`Cannot connect a ${this.type.name} port to itself`);
    if (peer.kind === this.kind) {
      throw new TypeError(
        `Cannot connect two ${this.kind} ${this.type.name} ports: connect a provided port with a required one`,
      );
    }
    if (peer.type !== this.type) {
      throw new TypeError(`Cannot connect a ${this.type.name} port to a ${peer.type.name} port`);
    }
  }
}

/**
 * The providing end of a port, a field of the providing component: it handles requests and
 * triggers indications to every connected {@link RequiredPort}.
 *
 * Kompact: `ProvidedPort<P>` + `Provide<P>`.
 */
export class ProvidedPort<Request, Indication> extends PortEnd<Request, Indication> {
  private readonly side = 'provided' as const;

  /**
   * Makes indications from this port reach `required` (this side only, like Kompact's
   * `connect_to_required`). Connecting twice keeps one connection.
   */
  connect(required: RequiredPort<Request, Indication>): Channel {
    this.checkPeer(required, 'a RequiredPort');
    this.addPeer(required);
    return { disconnect: () => this.disconnect(required) };
  }

  /** Stops indications from this port reaching `required`. */
  disconnect(required: RequiredPort<Request, Indication>): void {
    this.removePeer(required);
  }

  /** The kind of port end. */
  override get kind(): 'provided' {
    return this.side;
  }
}

/**
 * The requiring end of a port, a field of the requiring component: it handles indications and
 * triggers requests to every connected {@link ProvidedPort}.
 *
 * Kompact: `RequiredPort<P>` + `Require<P>`.
 */
export class RequiredPort<Request, Indication> extends PortEnd<Indication, Request> {
  private readonly side = 'required' as const;

  /**
   * Makes requests from this port reach `provided` (this side only, like Kompact's
   * `connect_to_provided`). Connecting twice keeps one connection.
   */
  connect(provided: ProvidedPort<Request, Indication>): Channel {
    this.checkPeer(provided, 'a ProvidedPort');
    this.addPeer(provided);
    return { disconnect: () => this.disconnect(provided) };
  }

  /** Stops requests from this port reaching `provided`. */
  disconnect(provided: ProvidedPort<Request, Indication>): void {
    this.removePeer(provided);
  }

  /** The kind of port end. */
  override get kind(): 'required' {
    return this.side;
  }
}

type EndClass = new (
  type: AnyPort,
  core: ComponentCore,
  handler: PortHandler<never>,
) => PortEnd<unknown, unknown>;

/** Per definition class, per side and method name: the end class that calls that method by name. */
const methodEndClasses = new WeakMap<object, Map<string, EndClass>>();

/**
 * A subclass of `base` whose `deliver` calls the definition's method `name` directly, compiled on its
 * own so that its call has type feedback of its own: V8 then inlines the method into the turn as it
 * does `receiveLocal`, and the call target is the class's method, not a per-instance bound function.
 * `undefined` where code generation from strings is disallowed.
 */
function methodEndClass(base: EndClass, name: string): EndClass | undefined {
  try {
    const source = `return class extends Base { deliver(event) { return this.core.definition[${JSON.stringify(name)}](event); } }`;
    const made = new Function('Base', source)(base) as EndClass;
    // Shown as the port class it extends (`ProvidedPort`, `RequiredPort`) in logs and inspectors.
    Object.defineProperty(made, 'name', { value: base.name });
    return made;
  } catch {
    return undefined;
  }
}

/** @internal Makes the `kind` end of port `type` for `core`, with `handler` for incoming events. */
export function makePortEnd<In, Out>(
  kind: 'provided' | 'required',
  type: AnyPort,
  core: ComponentCore,
  handler: PortHandler<In>,
): PortEnd<In, Out> {
  const base = (kind === 'provided' ? ProvidedPort : RequiredPort) as unknown as EndClass;
  const definition = core.definition;
  const key = methodKeyOf(handler, definition);
  // Arrow functions (the usual field-initialiser form) are called as they are: calling a bound
  // function is markedly slower. A `function` expression or a method reads `this`, so is bound (the
  // end classes made for methods call them by name instead, and keep the bound one as a fallback).
  const bound = key !== undefined || Object.hasOwn(handler, 'prototype') ? handler.bind(definition) : handler;
  let endClass = base;
  if (typeof key === 'string') {
    let byName = methodEndClasses.get(definition.constructor);
    if (byName === undefined) {
      byName = new Map();
      methodEndClasses.set(definition.constructor, byName);
    }
    const classKey = `${kind} ${key}`;
    let made = byName.get(classKey);
    if (made === undefined) {
      made = methodEndClass(base, key) ?? base;
      byName.set(classKey, made);
    }
    endClass = made;
  }
  return new endClass(type, core, bound as PortHandler<never>) as unknown as PortEnd<In, Out>;
}
