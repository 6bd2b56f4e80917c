import { FIELD_KEYS } from '@portcullis/auth-server/config';
import type { UpdateClientInput } from '@portcullis/auth-server/services';

/**
 * The admin API body for a clients service input, as the commands build it from their flags:
 * each field under the API's key for it (FIELD_KEYS), `scopes` as one space-separated `scope`,
 * null kept (it clears).
 *
 * @example
 * clientBody({ scopes: ['a', 'b'], homepage: null }); // { scope: 'a b', homepage: null }
 */
export function clientBody(input: UpdateClientInput): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const key = FIELD_KEYS[field] ?? field;
    body[key] = field === 'scopes' && Array.isArray(value) ? value.join(' ') : value;
  }
  return body;
}
