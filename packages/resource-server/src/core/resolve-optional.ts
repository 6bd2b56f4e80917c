import { ResourceServerConfigError } from '../errors.ts';
import type { AuthenticateOptions } from '../types.ts';

/**
 * Validates the options of any adapter's `authenticate()` and tells whether authentication is
 * optional.
 *
 * @example
 * resolveOptional({ optional: true }); // true
 */
export function resolveOptional(options: AuthenticateOptions | undefined): boolean {
  if (options === undefined) return false;
  if (typeof options !== 'object' || options === null) {
    throw new ResourceServerConfigError('authenticate', 'options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (key !== 'optional')
      throw new ResourceServerConfigError(`authenticate.${key}`, 'unknown option');
  }
  if (options.optional !== undefined && typeof options.optional !== 'boolean') {
    throw new ResourceServerConfigError('authenticate.optional', 'must be a boolean');
  }
  return options.optional ?? false;
}
