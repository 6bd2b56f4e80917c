import { FIELD_KEYS } from '@portcullis/auth-server/config';

/**
 * The admin API body for a service input, as the commands build it from their flags: each field
 * under the API's key for it (FIELD_KEYS, or `keys` where a kind of thing names it otherwise),
 * undefined left out, null kept (it clears).
 *
 * @example
 * apiBody({ accessTokenTtl: '15m', scopes: [] }, { scopes: 'scopes' });
 * // { access_token_ttl: '15m', scopes: [] }
 */
export function apiBody(
  input: object,
  keys: Readonly<Record<string, string>> = {},
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input)) {
    if (value !== undefined) body[keys[field] ?? FIELD_KEYS[field] ?? field] = value;
  }
  return body;
}
