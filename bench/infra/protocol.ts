import type { Measurement } from './harness.js';
import type { Params } from './params.js';
import { IMPLEMENTATIONS, type Implementation, type Mode, type Point } from './spec.js';

/** What the runner passes to a point process (as one JSON argument). */
export interface PointRequest {
  readonly point: Point;
  readonly mode: Mode;
}

/** What a point process reports on stdout, on the line starting with {@link RESULT_PREFIX}. */
export type PointOutcome =
  | { readonly kind: 'measured'; readonly measurement: Measurement }
  | { readonly kind: 'failed'; readonly error: string };

/** Marks the result line, so stray stdout from a benchmark cannot be mistaken for it. */
export const RESULT_PREFIX = '@@kompact-bench-result ';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isParams(value: unknown): value is Params {
  return (
    isRecord(value) && Object.values(value).every((v) => typeof v === 'number' || typeof v === 'boolean')
  );
}

/** Parses and checks a {@link PointRequest} received as JSON text. */
export function parsePointRequest(text: string | undefined): PointRequest {
  if (text === undefined) throw new TypeError('Expected a point request (JSON) as the first argument');
  const value: unknown = JSON.parse(text);
  if (!isRecord(value) || (value.mode !== 'full' && value.mode !== 'smoke') || !isRecord(value.point)) {
    throw new TypeError(`Expected a point request, got ${text}`);
  }
  const { benchmark, implementation, params } = value.point;
  if (
    typeof benchmark !== 'string' ||
    typeof implementation !== 'string' ||
    !(IMPLEMENTATIONS as readonly string[]).includes(implementation) ||
    !isParams(params)
  ) {
    throw new TypeError(`Expected a point { benchmark, implementation, params }, got ${text}`);
  }
  return { mode: value.mode, point: { benchmark, implementation: implementation as Implementation, params } };
}
