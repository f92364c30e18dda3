// Type-level tests: every `// @ts-expect-error` line below must be a compile error, or `tsc` fails
// with "Unused '@ts-expect-error' directive". The functions holding them are never called; the
// runtime tests at the end check that what the types forbid is refused at run time too, when a cast
// gets around the types.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  biconnectComponents,
  biconnectPorts,
  type Component,
  ComponentDefinition,
  type HandlerReturn,
  type KompactSystem,
  type Port,
  type ProvidedPort,
  port,
  type RequiredPort,
  type ScheduledTimer,
} from '../src/index.js';
import { withSystem } from '../src/testing/index.js';

interface Ping {
  readonly kind: 'ping';
  readonly seq: number;
}
interface Pong {
  readonly kind: 'pong';
  readonly seq: number;
}
interface Other {
  readonly other: true;
}

const PingPort = port<Ping, Pong>('PingPort');
const OtherPort = port<Other, Other>('OtherPort');
/** A port that carries only indications. */
const NewsPort = port<never, string>('NewsPort');

const ping: Ping = { kind: 'ping', seq: 1 };
const pong: Pong = { kind: 'pong', seq: 1 };
const other: Other = { other: true };

class Ponger extends ComponentDefinition {
  readonly ping = this.providePort(PingPort, (request) => {
    // The handler receives the request type.
    const seq: number = request.seq;
    const kind: 'ping' = request.kind;
    this.ping.trigger({ kind: 'pong', seq: seq + kind.length });
  });
}

class Pinger extends ComponentDefinition {
  readonly pong = this.requirePort(PingPort, (indication) => {
    // The handler receives the indication type.
    const kind: 'pong' = indication.kind;
    void kind;
  });
}

class OtherUser extends ComponentDefinition {
  readonly provided = this.providePort(OtherPort, () => {});
  readonly required = this.requirePort(OtherPort, () => {});
}

/** Compile-time checks of triggering. Never called. */
export function triggerChecks(
  provided: ProvidedPort<Ping, Pong>,
  required: RequiredPort<Ping, Pong>,
  news: ProvidedPort<never, string>,
  newsReader: RequiredPort<never, string>,
): void {
  // What is allowed.
  provided.trigger(pong);
  required.trigger(ping);
  news.trigger('headline');

  // @ts-expect-error a provided port triggers indications, not requests
  provided.trigger(ping);
  // @ts-expect-error a required port triggers requests, not indications
  required.trigger(pong);
  // @ts-expect-error an indication of the wrong type
  provided.trigger(other);
  // @ts-expect-error an indication of the wrong type
  provided.trigger(42);
  // @ts-expect-error a request of the wrong type
  required.trigger({ kind: 'ping' });
  // @ts-expect-error a port without requests cannot trigger one
  newsReader.trigger('anything');
  // @ts-expect-error an indication of the wrong type on an indication-only port
  news.trigger(7);
}

/** Compile-time checks of connecting. Never called. */
export function connectChecks(
  provided: ProvidedPort<Ping, Pong>,
  provided2: ProvidedPort<Ping, Pong>,
  required: RequiredPort<Ping, Pong>,
  required2: RequiredPort<Ping, Pong>,
  otherProvided: ProvidedPort<Other, Other>,
  otherRequired: RequiredPort<Other, Other>,
): void {
  // What is allowed.
  provided.connect(required);
  required.connect(provided);
  biconnectPorts(provided, required);

  // @ts-expect-error two provided ports cannot be connected
  provided.connect(provided2);
  // @ts-expect-error two required ports cannot be connected
  required.connect(required2);
  // @ts-expect-error two provided ports cannot be biconnected
  biconnectPorts(provided, provided2);
  // @ts-expect-error two required ports cannot be biconnected
  biconnectPorts(required, required2);
  // @ts-expect-error biconnectPorts takes the provided port first
  biconnectPorts(required, provided);
  // @ts-expect-error ports of different port types cannot be connected
  provided.connect(otherRequired);
  // @ts-expect-error ports of different port types cannot be connected
  required.connect(otherProvided);
  // @ts-expect-error ports of different port types cannot be biconnected
  biconnectPorts(provided, otherRequired);
  // @ts-expect-error ports of different port types cannot be biconnected
  biconnectPorts(otherProvided, required);
  // @ts-expect-error disconnect takes a port of the other side
  provided.disconnect(provided2);
}

/** Keeps its port end in a private field, where the types cannot see it. */
class HiddenPonger extends ComponentDefinition {
  readonly #ping = this.providePort(PingPort, () => {
    this.#ping.trigger(pong);
  });
}

/** Compile-time checks of biconnectComponents. Never called. */
export function biconnectChecks(
  ponger: Component<Ponger>,
  pinger: Component<Pinger>,
  otherUser: Component<OtherUser>,
  hidden: Component<HiddenPonger>,
  plain: Component<ComponentDefinition<never>>,
): void {
  // What is allowed: the provider first, a component on both sides of a port type it has both ends
  // of, and components whose types do not show their ports (checked at run time only).
  biconnectComponents(PingPort, ponger, pinger);
  biconnectComponents(OtherPort, otherUser, otherUser);
  biconnectComponents(PingPort, hidden, pinger);
  biconnectComponents(PingPort, plain, plain);

  // @ts-expect-error the requirer first: Pinger only requires PingPort, Ponger only provides it
  biconnectComponents(PingPort, pinger, ponger);
  // @ts-expect-error the provider only requires PingPort
  biconnectComponents(PingPort, pinger, pinger);
  // @ts-expect-error the requirer only provides PingPort
  biconnectComponents(PingPort, ponger, ponger);
  // @ts-expect-error the requirer only provides PingPort, whatever the provider's type shows
  biconnectComponents(PingPort, hidden, ponger);
}

/** Compile-time checks of declaring ports and their handlers. Never called. */
export function declarationChecks(): void {
  class WrongHandlers extends ComponentDefinition {
    // @ts-expect-error the provide handler receives requests, not indications
    readonly a = this.providePort(PingPort, (request: Pong) => void request);
    // @ts-expect-error the require handler receives indications, not requests
    readonly b = this.requirePort(PingPort, (indication: Ping) => void indication);
    // @ts-expect-error a handler must return a handler result, not a number
    readonly c = this.providePort(OtherPort, () => 42);
    // @ts-expect-error a port type is required, not its name
    readonly d = this.providePort('PingPort', () => {});
  }
  void WrongHandlers;

  class Typed extends ComponentDefinition {
    readonly provided: ProvidedPort<Ping, Pong> = this.providePort(PingPort, () => {});
    // @ts-expect-error providePort gives a ProvidedPort, not a RequiredPort
    readonly required: RequiredPort<Ping, Pong> = this.providePort(PingPort, () => {});
    // @ts-expect-error the port's event types follow its port type
    readonly wrong: ProvidedPort<Other, Other> = this.providePort(PingPort, () => {});
  }
  void Typed;
}

/** Compile-time checks of the system and component APIs around ports. Never called. */
export function systemChecks(
  system: KompactSystem,
  ponger: Component<Ponger>,
  provided: ProvidedPort<Ping, Pong>,
  required: RequiredPort<Ping, Pong>,
): void {
  // What is allowed.
  system.triggerR(ping, provided);
  system.triggerI(pong, required);
  const found = ponger.getProvidedPort(PingPort);
  found?.trigger(pong);
  const portType: Port<Ping, Pong> = PingPort;
  void portType;

  // @ts-expect-error triggerR injects a request, not an indication
  system.triggerR(pong, provided);
  // @ts-expect-error triggerR injects into a provided port
  system.triggerR(ping, required);
  // @ts-expect-error triggerI injects an indication, not a request
  system.triggerI(ping, required);
  // @ts-expect-error triggerI injects into a required port
  system.triggerI(pong, provided);
  // @ts-expect-error a looked-up port may be missing
  ponger.getProvidedPort(PingPort).trigger(pong);
  // @ts-expect-error a looked-up provided port is a ProvidedPort
  const wrongSide: RequiredPort<Ping, Pong> | undefined = ponger.getProvidedPort(PingPort);
  void wrongSide;
  // @ts-expect-error the looked-up port's event types follow the port type asked for
  ponger.getRequiredPort(PingPort)?.trigger(pong);
}

/** Compile-time checks of timers. Never called. */
export function timerChecks(definition: Ponger, timer: ScheduledTimer): void {
  // What is allowed.
  definition.scheduleOnce(10, (t: ScheduledTimer) => {
    const same: boolean = t === timer;
    void same;
  });
  definition.schedulePeriodic(10, 20, () => {});
  definition.cancelTimer(timer);
  const state: 'pending' | 'cancelled' | 'fired' = timer.state;
  void state;

  // @ts-expect-error the delay is a number of milliseconds
  definition.scheduleOnce('10', () => {});
  // @ts-expect-error a periodic timer needs a period
  definition.schedulePeriodic(10, () => {});
  // @ts-expect-error a timer handler must return a handler result, not a number
  definition.scheduleOnce(10, () => 42);
  // @ts-expect-error only a ScheduledTimer can be cancelled
  definition.cancelTimer('timer');
  // @ts-expect-error the state of a timer is read-only
  timer.state = 'cancelled';
}

/** Handler results the types accept, for contrast with the errors above. Never called. */
export function handlerResultChecks(definition: Ponger): HandlerReturn {
  definition.scheduleOnce(10, async () => {});
  return undefined;
}

describe('Port types', () => {
  it('refuses at run time to connect two provided ports that a cast let through', async () => {
    await withSystem(async (system) => {
      const a = system.create(() => new Ponger());
      const b = system.create(() => new Ponger());
      const providedA = a.onDefinition((d) => d.ping);
      const providedB = b.onDefinition((d) => d.ping);
      assert.throws(() => providedA.connect(providedB as unknown as RequiredPort<Ping, Pong>), TypeError);
      assert.throws(
        () => biconnectPorts(providedA, providedB as unknown as RequiredPort<Ping, Pong>),
        TypeError,
      );
      assert.equal(providedA.connectionCount, 0);
    });
  });

  it('refuses at run time to connect two required ports that a cast let through', async () => {
    await withSystem(async (system) => {
      const a = system.create(() => new Pinger());
      const b = system.create(() => new Pinger());
      const requiredA = a.onDefinition((d) => d.pong);
      const requiredB = b.onDefinition((d) => d.pong);
      assert.throws(() => requiredA.connect(requiredB as unknown as ProvidedPort<Ping, Pong>), TypeError);
      assert.equal(requiredA.connectionCount, 0);
    });
  });

  it('refuses at run time to connect ports of different port types that a cast let through', async () => {
    await withSystem(async (system) => {
      const ponger = system.create(() => new Ponger());
      const otherUser = system.create(() => new OtherUser());
      const provided = ponger.onDefinition((d) => d.ping);
      const otherRequired = otherUser.onDefinition((d) => d.required);
      assert.throws(() => provided.connect(otherRequired as unknown as RequiredPort<Ping, Pong>), TypeError);
      assert.throws(
        () => biconnectComponents(PingPort, ponger, otherUser),
        TypeError,
        'the requirer lacks PingPort',
      );
      assert.equal(provided.connectionCount, 0);
      assert.equal(otherRequired.connectionCount, 0);
    });
  });

  it('names both component types and the fix when biconnectComponents gets them the wrong way round', async () => {
    await withSystem(async (system) => {
      const ponger = system.create(() => new Ponger());
      const pinger = system.create(() => new Pinger());
      // Casts get past the compile-time check, as code with less precise types does.
      const untyped = (component: Component<ComponentDefinition<never>>) => component;
      assert.throws(
        () => biconnectComponents(PingPort, untyped(pinger), untyped(ponger)),
        (error: unknown) =>
          error instanceof TypeError &&
          error.message.startsWith('Expected `provider` to provide PingPort, got Pinger (component ') &&
          error.message.includes(pinger.id) &&
          error.message.includes('Pinger requires it and Ponger provides it, so pass Ponger as the provider'),
      );
      const none = system.create(() => new OtherUser());
      assert.throws(
        () => biconnectComponents(PingPort, ponger, none),
        (error: unknown) =>
          error instanceof TypeError &&
          error.message ===
            `Expected \`requirer\` to require PingPort, got OtherUser (component ${none.id}), which does not require PingPort`,
      );
      assert.equal(
        ponger.onDefinition((d) => d.ping.connectionCount),
        0,
      );
    });
  });

  it('names the port type and the side of each port end at run time', async () => {
    await withSystem(async (system) => {
      const ponger = system.create(() => new Ponger());
      const pinger = system.create(() => new Pinger());
      const provided = ponger.onDefinition((d) => d.ping);
      const required = pinger.onDefinition((d) => d.pong);
      assert.equal(provided.kind, 'provided');
      assert.equal(required.kind, 'required');
      assert.equal(provided.type, PingPort);
      assert.equal(required.type, PingPort);
      assert.equal(NewsPort.name, 'NewsPort');
    });
  });

  it('rejects a port type without a name', () => {
    assert.throws(() => port<Ping, Pong>(''), TypeError);
    assert.throws(() => port<Ping, Pong>(undefined as unknown as string), TypeError);
  });
});
