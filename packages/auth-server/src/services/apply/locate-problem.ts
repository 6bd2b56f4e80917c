import { FIELD_KEYS } from '../../domain/field-keys.ts';
import type { ErrorSubject } from '../../errors.ts';
import { DECLARATION_KEYS, type DeclarationPath, type DeclarationProblem } from './declaration.ts';

// Where a declaration file names a service field otherwise than the admin API's body does
// (FIELD_KEYS): a client's grants and scopes are lists under their plural names in the file.
const FILE_KEYS: Readonly<Record<string, string>> = {
  grants: 'grants',
  scopes: 'scopes',
  description: 'description',
};

// The keys an entry of each section may have: a field the file cannot set stays on the entry.
const SECTION_KEYS: Readonly<Record<string, readonly string[]>> = {
  resources: DECLARATION_KEYS.resource,
  clients: DECLARATION_KEYS.client,
  roles: DECLARATION_KEYS.role,
  identity_providers: DECLARATION_KEYS.identityProvider,
};

/**
 * The declaration file's key for a service input field in the section `entry` is in: `apply`
 * hands an entry's values to the services under their input names, and their errors come back
 * with that name. The file uses the admin API's body keys, but for {@link FILE_KEYS}.
 */
function fileKey(entry: DeclarationPath, field: string): string | undefined {
  const key = FILE_KEYS[field] ?? FIELD_KEYS[field];
  const section = SECTION_KEYS[String(entry[0])];
  return key !== undefined && section?.includes(key) ? key : undefined;
}

/**
 * A service's error about the entry at `entry`, placed at the key (and list item) of the field it
 * names; an error about no field of the file stays on the entry. The message is the service's
 * (neutral: it reads after the path) unless `message` words it for the file.
 *
 * @example
 * locateProblem(['clients', 2], { field: 'accessTokenTtl', message: 'must be from 1s to 1d' });
 * // { path: ['clients', 2, 'access_token_ttl'], message: 'must be from 1s to 1d' }
 */
export function locateProblem(
  entry: DeclarationPath,
  error: ErrorSubject & { message: string },
  message = error.message,
): DeclarationProblem {
  const key = error.field === undefined ? undefined : fileKey(entry, error.field);
  if (key === undefined) return { path: entry, message };
  const item = error.index === undefined || error.index < 0 ? [] : [error.index];
  return { path: [...entry, key, ...item], message };
}
