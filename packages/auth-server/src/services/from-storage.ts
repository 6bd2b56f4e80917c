import type { StorageError } from '@portcullis/storage';
import { AuthServerError } from '../errors.ts';

/** Maps storage errors to the auth server's own codes. */
export function fromStorage(error: unknown): unknown {
  if (error instanceof Error && (error as StorageError).name === 'StorageError') {
    const { code, message } = error as StorageError;
    if (code === 'conflict') return new AuthServerError('conflict', message, { cause: error });
    if (code === 'invalid') return new AuthServerError('invalid_input', message, { cause: error });
    if (code === 'not_found') return new AuthServerError('not_found', message, { cause: error });
  }
  return error;
}
