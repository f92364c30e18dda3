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
 * Whether `handler` reads `this`, so must be bound to the definition: a `function` expression, or a
 * method of the definition passed by reference. Arrow functions (the usual field-initialiser form)
 * are called as they are, which is markedly faster than calling a bound function.
 */
function needsReceiver(handler: (...args: never[]) => unknown, definition: object): boolean {
  if (Object.hasOwn(handler, 'prototype')) return true;
  for (
    let proto = Object.getPrototypeOf(definition);
    proto !== null && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (Object.getOwnPropertyDescriptor(proto, name)?.value === handler) return true;
    }
  }
  return false;
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
  /** @internal Handles an incoming event; bound to the definition when it reads `this` (see `needsReceiver`). */
  readonly handler: PortHandler<In>;
  /** @internal Incoming events waiting for a turn. */
  readonly queue = new RingBuffer<In>(8);
  /** @internal The ends this one sends to, in connection order. */
  peers: PortEnd<Out, In>[] = [];
  /** @internal The ends that send to this one (the reverse of their `peers`). */
  senders: PortEnd<Out, In>[] = [];

  constructor(type: AnyPort, core: ComponentCore, handler: PortHandler<In>) {
    this.type = type;
    this.core = core;
    this.handler = needsReceiver(handler, core.definition) ? handler.bind(core.definition) : handler;
  }

  /** Which end of the port this is. */
  abstract get kind(): 'provided' | 'required';

  /** Sends `event` to every connected peer; with no connection it is dropped, as in Kompact. */
  protected send(event: Out): void {
    const peers = this.peers;
    if (peers.length === 1) {
      const peer = peers[0] as PortEnd<Out, In>;
      peer.core.enqueuePortEvent(peer, event);
      return;
    }
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
    return true;
  }

  /** @internal Removes `peer`; returns whether it was connected. */
  removePeer(peer: PortEnd<Out, In>): boolean {
    const index = this.peers.indexOf(peer);
    if (index < 0) return false;
    this.peers.splice(index, 1);
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

  /** Sends `indication` to every connected required port (broadcast). Kompact: `trigger`. */
  trigger(indication: Indication): void {
    this.send(indication);
  }

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

  /** Sends `request` to every connected provided port (broadcast). Kompact: `trigger`. */
  trigger(request: Request): void {
    this.send(request);
  }

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
