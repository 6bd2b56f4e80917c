import type { UpdateClientInput } from '@portcullis/auth-server/services';
import { apiBody } from './api-body.ts';

/**
 * The admin API body for a clients service input, as the commands build it from their flags:
 * the API's keys (FIELD_KEYS), `scopes` as one space-separated `scope`, null kept (it clears).
 *
 * @example
 * clientBody({ scopes: ['a', 'b'], homepage: null }); // { scope: 'a b', homepage: null }
 */
export function clientBody(input: UpdateClientInput): Record<string, unknown> {
  return apiBody(input.scopes ? { ...input, scopes: input.scopes.join(' ') } : input);
}
