// Path messages with a chosen sender: tellWithSender, forwarding a received message keeping (or
// replacing) its sender, on one system and across two, and eager or ahead-of-time serialisation
// (tellSerialised, tellPreserialised with a reusable Preserialised payload).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ActorPath,
  ComponentDefinition,
  type DeadLetter,
  type HandlerReturn,
  type KompactSystem,
  type NetMessage,
  Preserialised,
  SerialisationError,
  type Serialiser,
  Serialisers,
  serId,
} from '../src/index.js';
import { withSystem } from '../src/testing/index.js';
import { startNamedProbe, startProbe } from './support/probes.js';
import { DEADLINE_MS, within } from './support/promises.js';
import { withTwoSystems } from './support/systems.js';

/** Sends every path message it receives on to `target`: keeping its sender, or with its own. */
class Forwarder extends ComponentDefinition {
  constructor(
    private readonly target: ActorPath,
    private readonly keepSender: boolean,
  ) {
    super();
  }
  override receiveNetwork(msg: NetMessage): HandlerReturn {
    if (this.keepSender) this.target.forwardWithOriginalSender(msg, this);
    else this.target.forwardWithSender(msg, this, this.ctx.actorPath());
  }
}

async function startForwarder(system: KompactSystem, target: ActorPath, keepSender = true) {
  const component = system.create(() => new Forwarder(target, keepSender));
  await system.startNotify(component);
  return system.registerByAlias(component, 'fwd');
}

describe('forwarding a path message', () => {
  it('keeps the original sender on one system: the receiver answers whoever sent it first', async () => {
    await withSystem(async (system) => {
      const target = await startNamedProbe(system, 'target', 'target');
      const origin = await startProbe(system, 'origin');
      const fwd = await startForwarder(system, target.path);
      fwd.tell('echo hi', origin.component);
      await origin.probe.waitFor(1);
      assert.deepEqual(origin.probe.texts, ['target:hi']);
      assert.ok(target.probe.received[0]?.sender.equals(system.actorPathFor(origin.component)));
      assert.ok(target.probe.received[0]?.receiver.equals(target.path));
    });
  });

  it('puts the forwarder as the sender with forwardWithSender', async () => {
    await withSystem(async (system) => {
      const target = await startNamedProbe(system, 'target', 'target');
      const origin = await startProbe(system, 'origin');
      const fwd = await startForwarder(system, target.path, false);
      fwd.tell('plain', origin.component);
      await target.probe.waitFor(1);
      const sender = target.probe.received[0]?.sender;
      assert.ok(sender !== undefined && !sender.equals(system.actorPathFor(origin.component)));
      assert.equal(sender.kind, 'unique');
    });
  });

  it('forwards the received bytes across systems without deserialising them, keeping the sender', async () => {
    await withTwoSystems(async (a, b) => {
      const target = await startNamedProbe(a, 'target', 'target');
      const origin = await startProbe(a, 'origin');
      const fwd = await startForwarder(b, target.path);
      fwd.tell('echo far', origin.component);
      await origin.probe.waitFor(1);
      assert.deepEqual(origin.probe.texts, ['target:far']);
      const arrived = target.probe.received[0];
      assert.equal(arrived?.isLocal, false);
      assert.ok(arrived?.sender.equals(a.actorPathFor(origin.component)));
    });
  });

  it('makes a forward to nowhere a dead letter of the forwarding system', async () => {
    await withSystem(async (system) => {
      const nowhere = ActorPath.parse(`${system.systemPath().toString()}/nowhere`);
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      const origin = await startProbe(system, 'origin');
      const fwd = await startForwarder(system, nowhere);
      fwd.tell('lost', origin.component);
      await within(
        new Promise<void>((resolve) => system.deadLetters.subscribe(() => resolve())),
        DEADLINE_MS,
        'the dead letter',
      );
      assert.equal(letters[0]?.reason, 'unresolved');
    });
  });
});

describe('tellWithSender', () => {
  it('sends with the given sender: the receiver answers that path, not the system', async () => {
    await withSystem(async (system) => {
      const target = await startNamedProbe(system, 'target', 'target');
      const origin = await startProbe(system, 'origin');
      target.path.tellWithSender('echo for-origin', system, system.actorPathFor(origin.component));
      await origin.probe.waitFor(1);
      assert.deepEqual(origin.probe.texts, ['target:for-origin']);
    });
  });

  it('refuses a sender that is not an actor path', async () => {
    await withSystem(async (system) => {
      const target = await startNamedProbe(system, 'target');
      assert.throws(
        () => target.path.tellWithSender('x', system, 'tcp://1.2.3.4:5#x' as unknown as ActorPath),
        /Expected `sender` to be an ActorPath, got/,
      );
    });
  });
});

describe('eager and ahead-of-time serialisation', () => {
  const failing: Serialiser<string> = {
    serId: serId(120),
    serialise() {
      throw new Error('cannot write this');
    },
    deserialise: () => '',
  };

  it('tellSerialised throws a SerialisationError at the caller and sends nothing', async () => {
    await withSystem(async (system) => {
      const target = await startNamedProbe(system, 'target');
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      assert.throws(() => target.path.tellSerialised('x', system, failing), SerialisationError);
      target.path.tellSerialised('ok', system, Serialisers.string);
      await target.probe.waitFor(1);
      assert.deepEqual(target.probe.texts, ['ok']);
      assert.equal(target.probe.received[0]?.isLocal, false, 'read from the bytes, as from a peer');
      assert.equal(letters.length, 0);
    });
  });

  it('tellSerialised reaches another system too, with the sender kept', async () => {
    await withTwoSystems(async (a, b) => {
      const far = await startNamedProbe(b, 'far', 'far');
      const origin = await startProbe(a, 'origin');
      far.path.tellSerialised('echo eager', origin.component, Serialisers.string);
      await origin.probe.waitFor(1);
      assert.deepEqual(origin.probe.texts, ['far:eager']);
    });
  });

  it('sends one Preserialised payload many times, to this system and another', async () => {
    await withTwoSystems(async (a, b) => {
      const near = await startNamedProbe(a, 'near', 'near');
      const far = await startNamedProbe(b, 'far', 'far');
      const origin = await startProbe(a, 'origin');
      const payload = Preserialised.of('echo pre', Serialisers.string);
      for (let i = 0; i < 3; i++) {
        near.path.tellPreserialised(payload, origin.component);
        far.path.tellPreserialised(payload, origin.component);
      }
      await origin.probe.waitFor(6);
      assert.deepEqual(origin.probe.texts.sort(), [
        'far:pre',
        'far:pre',
        'far:pre',
        'near:pre',
        'near:pre',
        'near:pre',
      ]);
      assert.equal(payload.serId, Serialisers.string.serId);
    });
  });

  it('copies the bytes it wraps, and refuses what is not a serialiser or a payload', async () => {
    const bytes = new TextEncoder().encode('abc');
    const payload = Preserialised.fromBytes(Serialisers.bytes.serId, bytes);
    bytes[0] = 0;
    assert.equal(payload.bytes[0], 'a'.charCodeAt(0));
    assert.throws(
      () => Preserialised.of('x', {} as Serialiser<string>),
      /Expected `serialiser` to be a Serialiser/,
    );
    await withSystem(async (system) => {
      const target = await startNamedProbe(system, 'target');
      assert.throws(
        () => target.path.tellPreserialised({} as Preserialised, system),
        /Expected `payload` to be a Preserialised/,
      );
    });
  });
});
