import type { Component } from '../component/component.js';
import type { ComponentDefinition } from '../component/component-definition.js';
import type { RecoveryFunction } from './fault.js';

/**
 * What the supervisor needs of a faulted component to drive its recovery, after the component handed
 * it the fault in one call (`FaultHandler.faulted`). The component core; a type only.
 *
 * Kompact: the part of `ComponentCore` the supervisor's `SupervisorMsg::Faulted` handling uses.
 */
export interface FaultedComponent {
  /**
   * The one reference of the component's line (it and its `replaceWith` replacements, which share
   * it): the supervisor keys the line's restart history by it.
   */
  lineRef(): object;
  /**
   * Hands the component's place to `replacement`: queued messages and port events, port connections,
   * its reference and its paths; the replacement takes `recoveryFunction` unless it set its own.
   */
  handOverTo(replacement: Component<ComponentDefinition<unknown>>, recoveryFunction: RecoveryFunction): void;
  /**
   * Recovery is over (or will not run): what is still queued becomes dead letters, later sends too,
   * and the system forgets the component.
   */
  finishRecovery(): void;
}
