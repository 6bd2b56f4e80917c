import type { StorageError } from '@portcullis/storage';
import { AuthServerError, type ErrorSubject } from '../errors.ts';

/**
 * Maps storage errors to the auth server's own codes; `conflict` is what a conflict is about in
 * the caller's input (a name that is taken: `{ field: 'name' }`).
 *
 * @example
 * throw fromStorage(error, { field: 'name' });
 */
export function fromStorage(error: unknown, conflict: ErrorSubject = {}): unknown {
  if (error instanceof Error && (error as StorageError).name === 'StorageError') {
    const { code, message } = error as StorageError;
    if (code === 'conflict') {
      return new AuthServerError('conflict', message, { cause: error, ...conflict });
    }
    if (code === 'invalid') return new AuthServerError('invalid_input', message, { cause: error });
    if (code === 'not_found') return new AuthServerError('not_found', message, { cause: error });
  }
  return error;
}
