import { Component, coreOf } from '../component/component.js';
import type { ComponentDefinition } from '../component/component-definition.js';
import { describeValue } from '../system/kompact-error.js';
import { Port } from './port.js';
import { type Channel, ProvidedPort, RequiredPort } from './port-ends.js';

type AnyComponent = Component<ComponentDefinition<unknown>>;

/**
 * Connects a provided and a required port both ways: requests reach the provider, indications the
 * requirer. Kompact: `biconnect_ports`.
 */
export function biconnectPorts<Request, Indication>(
  provided: ProvidedPort<Request, Indication>,
  required: RequiredPort<Request, Indication>,
): Channel {
  if (!(provided instanceof ProvidedPort)) {
    throw new TypeError(`Expected \`provided\` to be a provided port, got ${describeEnd(provided)}`);
  }
  if (!(required instanceof RequiredPort)) {
    throw new TypeError(`Expected \`required\` to be a required port, got ${describeEnd(required)}`);
  }
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
  if (!(portType instanceof Port)) {
    throw new TypeError(
      `Expected \`portType\` to be a port type made by \`port()\`, got ${describeValue(portType)}`,
    );
  }
  if (!(provider instanceof Component)) {
    throw new TypeError(`Expected \`provider\` to be a Component, got ${describeValue(provider)}`);
  }
  if (!(requirer instanceof Component)) {
    throw new TypeError(`Expected \`requirer\` to be a Component, got ${describeValue(requirer)}`);
  }
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

/** Names a port end of the wrong kind by its kind and type; anything else as `describeValue` does. */
function describeEnd(value: unknown): string {
  if (value instanceof ProvidedPort || value instanceof RequiredPort) {
    const end = value as ProvidedPort<unknown, unknown> | RequiredPort<unknown, unknown>;
    return `a ${end.kind} ${end.type.name} port`;
  }
  return describeValue(value);
}
