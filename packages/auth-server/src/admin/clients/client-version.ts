import type { ClientRecord } from '@portcullis/storage';
import type { SecretSummary } from '../../services/clients-service.ts';
import { clientJson } from '../../views/client-json.ts';

/**
 * What a client's ETag is computed over: its representation without the times it was last used,
 * which change with every token request and would make every If-Match fail on a busy client.
 *
 * @example
 * etagOf(clientVersion(client, secrets));
 */
export function clientVersion(client: ClientRecord, secrets: readonly SecretSummary[]) {
  const { last_used_at: _used, ...rest } = clientJson(client);
  return {
    ...rest,
    secrets: secrets.map((s) => [s.id, s.name, s.expiresAt?.toISOString() ?? null]),
  };
}
