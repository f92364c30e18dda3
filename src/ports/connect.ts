import { type Component, coreOf } from '../component/component.js';
import type { ComponentDefinition } from '../component/component-definition.js';
import type { Port } from './port.js';
import type { Channel, ProvidedPort, RequiredPort } from './port-ends.js';

type AnyComponent = Component<ComponentDefinition<unknown>>;

/**
 * Connects a provided and a required port both ways: requests reach the provider, indications the
 * requirer. Kompact: `biconnect_ports`.
 */
export function biconnectPorts<Request, Indication>(
  provided: ProvidedPort<Request, Indication>,
  required: RequiredPort<Request, Indication>,
): Channel {
  const forth = provided.connect(required);
  const back = required.connect(provided);
  return {
    disconnect() {
      forth.disconnect();
      back.disconnect();
    },
  };
}

/**
 * Connects `provider`'s provided port of type `portType` with `requirer`'s required port of that
 * type, both ways. Throws a `TypeError` naming the missing port when either side has none.
 *
 * Kompact: `biconnect_components::<P, _, _>`.
 */
export function biconnectComponents<Request, Indication>(
  portType: Port<Request, Indication>,
  provider: AnyComponent,
  requirer: AnyComponent,
): Channel {
  const provided = coreOf(provider).providedPort(portType);
  if (provided === undefined) {
    throw new TypeError(`Component ${provider.id} does not provide ${portType.name}`);
  }
  const required = coreOf(requirer).requiredPort(portType);
  if (required === undefined) {
    throw new TypeError(`Component ${requirer.id} does not require ${portType.name}`);
  }
  return biconnectPorts(provided, required);
}
