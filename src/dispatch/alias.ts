import { describeValue } from '../internal/describe-value.js';
import { PathParseError } from '../paths/path-parse-error.js';
import { BROADCAST_MARKER, checkSegment, SELECT_MARKER } from '../paths/path-syntax.js';

/**
 * Validates an alias such as `'my-service/instance1'` and returns its segments (frozen).
 *
 * Kompact: the path check of `register_by_alias` / `update_alias_registration` (an invalid alias is
 * `RegistrationError::InvalidPath`).
 *
 * @remarks An alias is one or more non-empty segments joined by `/`, without a leading or trailing `/`;
 * segments may not contain `/ # * ?`. The routing markers `*` and `?` are for sending, never for
 * registering, so they are refused in every position.
 * @throws TypeError when `alias` is not a string.
 * @throws {@link PathParseError} with reason `empty-segment`, `marker-position` or `illegal-character`.
 *
 * @example
 * ```ts
 * parseAlias('tests/group/one'); // ['tests', 'group', 'one']
 * parseAlias('tests/*');         // throws PathParseError (reason 'marker-position')
 * ```
 */
export function parseAlias(alias: string): readonly string[] {
  if (typeof alias !== 'string') {
    throw new TypeError(`Expected \`alias\` to be a string, got ${describeValue(alias)}`);
  }
  if (alias === '') throw new PathParseError('empty-segment', alias, 'the alias is empty');
  if (alias.startsWith('/')) {
    throw new PathParseError('empty-segment', alias, 'an alias may not start with `/`');
  }
  if (alias.endsWith('/')) {
    throw new PathParseError('empty-segment', alias, 'an alias may not end with `/`');
  }
  const segments = alias.split('/');
  for (const segment of segments) {
    if (segment === BROADCAST_MARKER || segment === SELECT_MARKER) {
      throw new PathParseError(
        'marker-position',
        alias,
        `the marker \`${segment}\` may not appear in an alias (markers are for sending, not registering)`,
      );
    }
    checkSegment(segment, alias);
  }
  return Object.freeze(segments);
}
