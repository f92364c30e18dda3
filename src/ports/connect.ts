import { Component, coreOf } from '../component/component.js';
import type { ComponentDefinition } from '../component/component-definition.js';
import { describeValue } from '../internal/describe-value.js';
import { Port } from './port.js';
import { type Channel, ProvidedPort, RequiredPort } from './port-ends.js';

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

/** The names of `D`'s public fields that hold a port end `End`. */
type FieldsHolding<D, End> = { [K in keyof D]-?: D[K] extends End ? K : never }[keyof D];

/**
 * `unknown` (no constraint) unless definition `D` declares, in its public fields, a port end of the
 * port type on the `Other` side and none on the `Wanted` side: then a type no component has, whose one
 * property says what is wrong, so the compiler reports it. A definition that keeps its ports in
 * private fields shows none, so it is checked at run time only. Where `D` is a type parameter the
 * check cannot be decided, and the compiler asks for a concrete definition type.
 */
type SideCheck<D, Wanted, Other, Message extends string> = [FieldsHolding<D, Other>] extends [never]
  ? unknown
  : [FieldsHolding<D, Wanted>] extends [never]
    ? { readonly [K in Message]: never }
    : unknown;

/**
 * Connects `provider`'s provided port of type `portType` with `requirer`'s required port of that
 * type, both ways. Throws a `TypeError` naming the missing port and the component's type when either
 * side has none.
 *
 * Kompact: `biconnect_components::<P, _, _>`.
 *
 * @remarks Passing the requirer first is a compile error when the definitions declare their port ends
 * as public fields (`readonly ping = this.requirePort(PingPort, …)`): the compiler then sees that the
 * provider only requires the port type, or the requirer only provides it. Generic code whose
 * definition type is a type parameter passes its component as `Component<ComponentDefinition<never>>`
 * (checked at run time only).
 */
export function biconnectComponents<
  Request,
  Indication,
  P extends ComponentDefinition<unknown>,
  R extends ComponentDefinition<unknown>,
>(
  portType: Port<Request, Indication>,
  provider: Component<P> &
    SideCheck<
      NoInfer<P>,
      ProvidedPort<NoInfer<Request>, NoInfer<Indication>>,
      RequiredPort<NoInfer<Request>, NoInfer<Indication>>,
      'the provider requires this port type instead of providing it: pass the providing component first'
    >,
  requirer: Component<R> &
    SideCheck<
      NoInfer<R>,
      RequiredPort<NoInfer<Request>, NoInfer<Indication>>,
      ProvidedPort<NoInfer<Request>, NoInfer<Indication>>,
      'the requirer provides this port type instead of requiring it: pass the requiring component last'
    >,
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
  const providerCore = coreOf(provider);
  const requirerCore = coreOf(requirer);
  const provided = providerCore.providedPort(portType);
  const required = requirerCore.requiredPort(portType);
  if (provided === undefined || required === undefined) {
    const swapped =
      providerCore.requiredPort(portType) !== undefined && requirerCore.providedPort(portType) !== undefined;
    const hint = swapped
      ? `; ${providerCore.typeName} requires it and ${requirerCore.typeName} provides it, so pass ${requirerCore.typeName} as the provider (biconnectComponents(${portType.name}, provider, requirer))`
      : '';
    throw new TypeError(
      provided === undefined
        ? `Expected \`provider\` to provide ${portType.name}, got ${providerCore.typeName} (component ${provider.id}), which does not provide ${portType.name}${hint}`
        : `Expected \`requirer\` to require ${portType.name}, got ${requirerCore.typeName} (component ${requirer.id}), which does not require ${portType.name}${hint}`,
    );
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
